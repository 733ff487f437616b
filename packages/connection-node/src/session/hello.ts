import { newUaid, parseUaid } from '@herald/core';
import type { ClaimOutcome, Owner, Uaid } from '@herald/core';
import { retryStorage } from '../storage/storage-retry';
import type { SessionContext } from './session-context';

/** What a `hello` turns into (push-protocol.md §2.4). */
export type HelloOutcome =
  /**
   * A fresh uaid: none was sent, it did not parse, or storage does not know it. Nothing
   * is written yet; the first `register` creates the record (autopush's deferred add).
   */
  | { readonly kind: 'new-user'; readonly uaid: Uaid; readonly connectedAtMs: number }
  /** A known uaid, now owned by this connection; `previous` held it before. */
  | {
      readonly kind: 'returning';
      readonly uaid: Uaid;
      readonly connectedAtMs: number;
      readonly previous: Owner;
    }
  /** A newer connection already owns the uaid: this one must go. */
  | { readonly kind: 'superseded' }
  | { readonly kind: 'storage-unavailable' };

/**
 * Resolves the uaid a `hello` asked for. A known uaid is claimed in the router table
 * *before* storage is drained, which is what makes the connect path race-free against an
 * endpoint that stores before it looks the owner up (design.md §2).
 *
 * A failed claim is retried (`settings.storageAttempts`) while `stillWanted()`; each
 * attempt takes a new `connectedAtMs`, because a first attempt that did land would make
 * a retry with the same timestamp lose to itself ("superseded").
 */
export async function identify(
  requestedUaid: string | undefined,
  ctx: Pick<SessionContext, 'nodeId' | 'routerStore' | 'connectionClock' | 'log' | 'settings'>,
  stillWanted: () => boolean,
): Promise<HelloOutcome> {
  const uaid = parseUaid(requestedUaid);
  if (uaid === undefined) {
    return { kind: 'new-user', uaid: freshUaid(), connectedAtMs: ctx.connectionClock.next() };
  }

  let connectedAtMs = 0;
  let claim: ClaimOutcome;
  try {
    claim = await retryStorage(
      () => {
        connectedAtMs = ctx.connectionClock.next();
        return ctx.routerStore.claim(uaid, { nodeId: ctx.nodeId, connectedAtMs });
      },
      ctx.settings,
      stillWanted,
    );
  } catch (error) {
    ctx.log.warn({ err: error }, 'claiming a uaid at hello failed');
    return { kind: 'storage-unavailable' };
  }
  switch (claim.kind) {
    case 'unknown':
      // A different uaid than the one asked for: Firefox then drops its stale subscriptions.
      return { kind: 'new-user', uaid: freshUaid(), connectedAtMs };
    case 'superseded':
      return { kind: 'superseded' };
    case 'claimed':
      return { kind: 'returning', uaid, connectedAtMs, previous: claim.previous };
  }
}

/**
 * `newUaid()` as one flat string. It comes out of `replaceAll` as a V8 cons string, which
 * hashing (the registry's Map) flattens into a second, flat copy while the 32-byte cons
 * wrapper stays referenced by the session and the Map for as long as the socket is open.
 * Lower-casing an already lowercase string returns the flat copy alone (same characters).
 */
function freshUaid(): Uaid {
  return newUaid().toLowerCase() as Uaid;
}
