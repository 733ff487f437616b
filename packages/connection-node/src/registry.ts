import type { Uaid } from '@herald/core';
import type { Session } from './session/session';

/**
 * uaid → the identified session holding it on this node. The newest session wins: a
 * second `hello` for the same uaid replaces the entry and gets the older session back so
 * it can be closed (autopush's ClientRegistry, push-protocol.md §2.11).
 */
export class SessionRegistry {
  private readonly byUaid = new Map<Uaid, Session>();

  /** Makes `session` the holder of `uaid`; returns the session it displaced, if any. */
  claim(uaid: Uaid, session: Session): Session | undefined {
    const previous = this.byUaid.get(uaid);
    this.byUaid.set(uaid, session);
    return previous === session ? undefined : previous;
  }

  /** Forgets `uaid` only if `session` still holds it, so a closing ghost never evicts its successor. */
  release(uaid: Uaid, session: Session): void {
    if (this.byUaid.get(uaid) === session) this.byUaid.delete(uaid);
  }

  get(uaid: Uaid): Session | undefined {
    return this.byUaid.get(uaid);
  }

  /** Every identified session, in the order they said `hello`. */
  sessions(): IterableIterator<Session> {
    return this.byUaid.values();
  }

  /** Identified sessions currently held. */
  get size(): number {
    return this.byUaid.size;
  }
}
