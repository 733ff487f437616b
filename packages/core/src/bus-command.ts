import type { Broadcasts, NodeId, Notification, Owner, Uaid } from './index';

/**
 * Commands one node sends another over the bus (design.md §2). Parsed at the edge by
 * `parseNodeCommand`; inner code receives only these shapes.
 */
export type NodeCommand =
  /**
   * A push for a user agent this node is believed to hold. Carries the whole
   * notification so the node never re-reads storage for a live push. `hops` counts
   * forwards: a node that no longer owns the uaid forwards it once to the new owner.
   */
  | { readonly type: 'deliver'; readonly notification: Notification; readonly hops: number }
  /** Something was stored for `uaid` that the live path may have missed: drain again. */
  | { readonly type: 'check-storage'; readonly uaid: Uaid }
  /**
   * A newer connection for `uaid` was accepted by `newOwner`; close the socket whose
   * connection is older than `newOwner.connectedAtMs`.
   */
  | { readonly type: 'disconnect'; readonly uaid: Uaid; readonly newOwner: Owner }
  /** Broadcast versions changed (sent with `publishToAll`). */
  | { readonly type: 'broadcasts-changed'; readonly broadcasts: Broadcasts };

export type NodeCommandType = NodeCommand['type'];
export type { NodeId };
