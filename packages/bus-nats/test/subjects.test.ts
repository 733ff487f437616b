import type { NodeId } from '@herald/core';
import { allNodesSubject, nodeSubject } from '../src/subjects';

describe('NATS subjects', () => {
  it('puts a node’s inbox under herald.node', () => {
    expect(nodeSubject('conn-a1_B2' as NodeId)).toBe('herald.node.conn-a1_B2');
  });

  it('announces to every node on herald.all', () => {
    expect(allNodesSubject()).toBe('herald.all');
  });

  it.each(['a.b', '*', '>', 'a b', '', 'x'.repeat(65)])(
    'refuses %j as a node id, which would widen a subscription',
    (nodeId) => {
      expect(() => nodeSubject(nodeId as NodeId)).toThrow(RangeError);
    },
  );
});
