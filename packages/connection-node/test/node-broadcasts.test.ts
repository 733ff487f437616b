import { MemoryBroadcastStore } from '@herald/core';
import type { Broadcasts } from '@herald/core';
import { UserAgent } from '@herald/testkit';
import { startMemoryNode } from './support/memory-node';
import type { MemoryNode } from './support/memory-node';

const MONITOR = 'remote-settings/monitor_changes';

async function helloWith(node: MemoryNode, broadcasts: Broadcasts): Promise<UserAgent> {
  const agent = await UserAgent.connect(node.url);
  agent.sendRaw(JSON.stringify({ messageType: 'hello', broadcasts, use_webpush: true }));
  return agent;
}

describe('broadcasts on a running node', () => {
  const agents: UserAgent[] = [];
  let node: MemoryNode | undefined;
  afterEach(async () => {
    await Promise.all(agents.splice(0).map((agent) => agent.terminate()));
    await node?.close();
    await node?.bus.close();
    node = undefined;
  });

  it("answers Firefox's broadcast_subscribe for an unconfigured id with autopush's exact error frame", async () => {
    node = await startMemoryNode();
    const agent = await helloWith(node, {});
    agents.push(agent);
    expect((await agent.nextReply('hello'))['broadcasts']).toEqual({});
    agent.sendRaw(
      JSON.stringify({ messageType: 'broadcast_subscribe', broadcasts: { [MONITOR]: '"0"' } }),
    );
    expect(JSON.stringify(await agent.nextReply('broadcast'))).toBe(
      '{"messageType":"broadcast","broadcasts":{"errors":{"remote-settings/monitor_changes":"Broadcast not found"}}}',
    );
  });

  it('loads versions from the store at start and diffs the hello against them', async () => {
    const store = new MemoryBroadcastStore();
    await store.set(MONITOR, '"1700"');
    node = await startMemoryNode({ broadcastStore: store });
    const agent = await helloWith(node, { [MONITOR]: '"1600"', 'test/none': '1' });
    agents.push(agent);
    expect((await agent.nextReply('hello'))['broadcasts']).toEqual({
      [MONITOR]: '"1700"',
      errors: { 'test/none': 'Broadcast not found' },
    });
  });

  it('sends subscribers a broadcast frame when a poll of the store finds a new version', async () => {
    const store = new MemoryBroadcastStore();
    await store.set(MONITOR, '"1"');
    node = await startMemoryNode({ broadcastStore: store, settings: { broadcastPollMs: 20 } });
    const agent = await helloWith(node, { [MONITOR]: '"1"' });
    agents.push(agent);
    await agent.nextReply('hello');
    await store.set(MONITOR, '"2"');
    expect(await agent.nextReply('broadcast')).toEqual({
      messageType: 'broadcast',
      broadcasts: { [MONITOR]: '"2"' },
    });
  });

  it('applies broadcasts-changed announced to every node on the bus', async () => {
    const store = new MemoryBroadcastStore();
    await store.set(MONITOR, '"1"');
    node = await startMemoryNode({ broadcastStore: store });
    const agent = await helloWith(node, { [MONITOR]: '"1"' });
    agents.push(agent);
    await agent.nextReply('hello');
    await node.bus.publishToAll({ type: 'broadcasts-changed', broadcasts: { [MONITOR]: '"9"' } });
    expect((await agent.nextReply('broadcast'))['broadcasts']).toEqual({ [MONITOR]: '"9"' });
  });

  it('starts even when the broadcast store cannot be read, and logs it', async () => {
    const failing = {
      list: () => Promise.reject(new Error('store down')),
      set: () => Promise.resolve(),
    };
    node = await startMemoryNode({ broadcastStore: failing });
    const agent = await helloWith(node, { [MONITOR]: '"1"' });
    agents.push(agent);
    expect((await agent.nextReply('hello'))['broadcasts']).toEqual({
      errors: { [MONITOR]: 'Broadcast not found' },
    });
    expect(node.log.entries.map((e) => e.message)).toContain('reading broadcast versions failed');
  });
});
