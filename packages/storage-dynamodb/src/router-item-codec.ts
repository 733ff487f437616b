import { parseChannelId, parseNodeId, parseUaid } from '@herald/core';
import type { ChannelId, NodeId, RouterRecord, Uaid } from '@herald/core';
import { readCount, readString, readStringSet } from './attribute-values';
import type { Decoded, Item } from './attribute-values';

/** The owner fields of a router item, as `claim` reads them from the old image. */
export interface StoredOwner {
  readonly nodeId: NodeId;
  readonly connectedAtMs: number;
}

/**
 * Parses a router item. Everything the adapter writes is canonical, so anything else
 * (a hand-edited row, another tool's data) is refused rather than guessed at.
 */
export function decodeRouterItem(item: Item): Decoded<RouterRecord> {
  const uaid = parseUaid(readString(item, 'uaid'));
  if (uaid === undefined || uaid !== readString(item, 'uaid')) return refuse('uaid');
  const owner = decodeOwner(item);
  if (!owner.ok) return owner;
  const lastSeenMs = readCount(item, 'last_seen');
  if (typeof lastSeenMs !== 'number') return refuse('last_seen');
  const channels = decodeChannels(item);
  if (!channels.ok) return channels;
  return {
    ok: true,
    value: { uaid, ...owner.value, channelIds: channels.value, lastSeenMs },
  };
}

/** The `node_id` and `connected_at` pair of an item. */
export function decodeOwner(item: Item): Decoded<StoredOwner> {
  const nodeId = parseNodeId(readString(item, 'node_id'));
  if (nodeId === undefined) return refuse('node_id');
  const connectedAtMs = readCount(item, 'connected_at');
  if (typeof connectedAtMs !== 'number') return refuse('connected_at');
  return { ok: true, value: { nodeId, connectedAtMs } };
}

/** The `channels` set; absent means empty (DynamoDB stores no empty sets). */
export function decodeChannels(item: Item): Decoded<ReadonlySet<ChannelId>> {
  const raw = readStringSet(item, 'channels');
  if (raw === null) return refuse('channels');
  const channelIds = new Set<ChannelId>();
  for (const value of raw ?? []) {
    const channelId = parseChannelId(value);
    if (channelId === undefined) return refuse('channels');
    channelIds.add(channelId);
  }
  return { ok: true, value: channelIds };
}

/**
 * DynamoDB deletes expired items up to 48 hours late; until then an item whose
 * `expiry` (seconds) has passed is treated as absent, as if TTL had already run.
 */
export function isRouterItemExpired(item: Item, nowMs: number): boolean {
  const expiry = readCount(item, 'expiry');
  return typeof expiry === 'number' && expiry <= Math.floor(nowMs / 1000);
}

/** The key of a router item. */
export function routerKey(uaid: Uaid): Item {
  return { uaid: { S: uaid } };
}

function refuse(attribute: string): { ok: false; reason: string } {
  return { ok: false, reason: `router item has a missing or invalid ${attribute}` };
}
