/**
 * Hand-made VAPID tokens for the cases web-push refuses to build (expiry more than 24 h
 * ahead, an `aud` with a trailing slash or as an array, no `exp`, another `alg`).
 * ES256 with node:crypto, signature as JOSE's raw r‖s.
 */
import { createPrivateKey, sign } from 'node:crypto';
import type { VapidDetails } from '@herald/testkit';

function part(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** A JWT over `claims`, signed with the VAPID private key (header `alg` overridable). */
export function signVapidJwt(
  vapid: VapidDetails,
  claims: Record<string, unknown>,
  header: Record<string, unknown> = { typ: 'JWT', alg: 'ES256' },
): string {
  const publicKey = Buffer.from(vapid.publicKey, 'base64url');
  const key = createPrivateKey({
    key: {
      kty: 'EC',
      crv: 'P-256',
      x: publicKey.subarray(1, 33).toString('base64url'),
      y: publicKey.subarray(33, 65).toString('base64url'),
      d: vapid.privateKey,
    },
    format: 'jwk',
  });
  const signed = `${part(header)}.${part(claims)}`;
  const signature = sign('sha256', Buffer.from(signed), { key, dsaEncoding: 'ieee-p1363' });
  return `${signed}.${signature.toString('base64url')}`;
}

/** `vapid t=…,k=…` for the key pair, with the key as given (or base64url by default). */
export function vapidAuthorization(
  vapid: VapidDetails,
  claims: Record<string, unknown>,
  key: string = vapid.publicKey,
): string {
  return `vapid t=${signVapidJwt(vapid, claims)},k=${key}`;
}
