/**
 * One attribute as DynamoDB's JSON protocol carries it: exactly one member is set. Numbers
 * travel as strings; binary values (`B`, `BS`) as base64 strings.
 */
export interface AttributeValue {
  readonly S?: string;
  readonly N?: string;
  readonly B?: string;
  readonly SS?: string[];
  readonly NS?: string[];
  readonly BS?: string[];
  readonly M?: Record<string, AttributeValue>;
  readonly L?: AttributeValue[];
  readonly NULL?: boolean;
  readonly BOOL?: boolean;
}

/** An item (or key) as it travels on the wire. */
export type Item = Record<string, AttributeValue>;

/** The result of parsing an item at the edge: a typed value or why it was refused. */
export type Decoded<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

/**
 * Readers for single attributes. Each returns `undefined` when the attribute is absent and
 * `null` when it is present with the wrong type or an unusable value, so codecs can tell
 * "optional and missing" from "corrupt".
 */
export function readString(item: Item, name: string): string | undefined | null {
  const value = item[name];
  if (value === undefined || value.NULL === true) return undefined;
  return typeof value.S === 'string' ? value.S : null;
}

/** A non-negative safe integer stored as N (timestamps, TTLs, expiries). */
export function readCount(item: Item, name: string): number | undefined | null {
  const value = item[name];
  if (value === undefined || value.NULL === true) return undefined;
  if (typeof value.N !== 'string') return null;
  const n = Number(value.N);
  return Number.isSafeInteger(n) && n >= 0 ? n : null;
}

export function readStringSet(item: Item, name: string): string[] | undefined | null {
  const value = item[name];
  if (value === undefined || value.NULL === true) return undefined;
  return Array.isArray(value.SS) ? value.SS : null;
}

export function readMap(item: Item, name: string): Item | undefined | null {
  const value = item[name];
  if (value === undefined || value.NULL === true) return undefined;
  return typeof value.M === 'object' && value.M !== null ? value.M : null;
}

export function stringValue(s: string): AttributeValue {
  return { S: s };
}

export function numberValue(n: number): AttributeValue {
  return { N: String(n) };
}
