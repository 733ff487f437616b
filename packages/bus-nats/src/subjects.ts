import type { NodeId } from '@herald/core';

/**
 * Every NATS subject Herald uses, built here and nowhere else, so the subject space
 * can be read (and changed) in one place.
 *
 * | subject                | publishers                      | subscribers             |
 * | ---------------------- | ------------------------------- | ----------------------- |
 * | `herald.node.<nodeId>` | endpoint and connection nodes   | the node `<nodeId>`     |
 * | `herald.all`           | whoever changes broadcasts      | every connection node   |
 *
 * Plain subscriptions, no queue groups: a node's inbox has exactly one subscriber (its
 * own process), and `herald.all` must reach every node. Node ids match
 * `[A-Za-z0-9_-]{1,64}`, so they are always a single subject token (no `.`, `*`, `>`).
 * The `herald.` prefix keeps Herald out of the way of other users of a shared cluster
 * and lets an operator grant it exactly `herald.>` in NATS permissions.
 */
export const SUBJECT_PREFIX = 'herald';

/** A single subject token: what NATS accepts between dots, minus the wildcards. */
const SUBJECT_TOKEN = /^[A-Za-z0-9_-]{1,64}$/;

/** The inbox of one node: commands addressed to `nodeId` (deliver, disconnect, …). */
export function nodeSubject(nodeId: NodeId): string {
  // NodeId is parsed at the edge, but a dot or wildcard here would silently widen a
  // subscription to other nodes' inboxes, so the one place that builds it checks again.
  if (!SUBJECT_TOKEN.test(nodeId)) {
    throw new RangeError(`node id is not a valid subject token: ${JSON.stringify(nodeId)}`);
  }
  return `${SUBJECT_PREFIX}.node.${nodeId}`;
}

/** Announcements to every node (`publishToAll` / `listenToAll`). */
export function allNodesSubject(): string {
  return `${SUBJECT_PREFIX}.all`;
}
