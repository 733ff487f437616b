import type { NodeId } from '@herald/core';
import { TestNode, createWorld, settle } from './support/session-harness';
import type { TestClient } from './support/session-harness';

const NODE_A = 'node-a' as NodeId;
const MONITOR = 'remote-settings/monitor_changes';

async function helloWith(
  node: TestNode,
  broadcasts: Record<string, string>,
): Promise<{
  client: TestClient;
  reply: Record<string, unknown>;
}> {
  const client = node.connect();
  client.send({ messageType: 'hello', use_webpush: true, broadcasts });
  return { client, reply: await client.next() };
}

describe('broadcasts in a session', () => {
  let node: TestNode;
  beforeEach(() => {
    node = new TestNode(createWorld(), NODE_A);
    node.broadcasts.apply({ [MONITOR]: '"100"', 'test/other': 'v1' });
  });

  it('answers hello with the ids whose version differs, with the server version', async () => {
    const { reply } = await helloWith(node, { [MONITOR]: '"90"', 'test/other': 'v1' });
    expect(reply['broadcasts']).toEqual({ [MONITOR]: '"100"' });
  });

  it('lists unknown ids under errors as "Broadcast not found" in the hello reply', async () => {
    const { reply } = await helloWith(node, { 'test/unknown': 'x', 'test/other': 'v0' });
    expect(reply['broadcasts']).toEqual({
      'test/other': 'v1',
      errors: { 'test/unknown': 'Broadcast not found' },
    });
  });

  it('answers an empty broadcasts map with an empty object', async () => {
    const { reply } = await helloWith(node, {});
    expect(reply['broadcasts']).toEqual({});
  });

  it('sends a broadcast frame at once when a subscribed version changes, and only the subscribed ids', async () => {
    const { client } = await helloWith(node, { [MONITOR]: '"100"' });
    const bystander = (await helloWith(node, {})).client;
    node.broadcasts.apply({ [MONITOR]: '"200"', 'test/other': 'v2' });
    expect(await client.next()).toEqual({
      messageType: 'broadcast',
      broadcasts: { [MONITOR]: '"200"' },
    });
    await settle();
    expect(bystander.transport.unread()).toEqual([]);
  });

  it('subscribes through broadcast_subscribe, replying only when something differs or is unknown', async () => {
    const { client } = await helloWith(node, {});
    client.send({ messageType: 'broadcast_subscribe', broadcasts: { 'test/other': 'v1' } });
    client.send({ messageType: 'broadcast_subscribe', broadcasts: { [MONITOR]: '"1"' } });
    expect(await client.next()).toEqual({
      messageType: 'broadcast',
      broadcasts: { [MONITOR]: '"100"' },
    });
    node.broadcasts.apply({ 'test/other': 'v2' });
    expect(await client.next()).toEqual({
      messageType: 'broadcast',
      broadcasts: { 'test/other': 'v2' },
    });
  });

  it('does not subscribe to an unknown id, as autopush does', async () => {
    const { client } = await helloWith(node, { 'test/later': 'a' });
    node.broadcasts.apply({ 'test/later': 'b' });
    await settle();
    expect(client.transport.unread()).toEqual([]);
  });

  it('forgets a closed session, so a change reaches only the open ones', async () => {
    const { client: closed } = await helloWith(node, { [MONITOR]: '"100"' });
    const { client: open } = await helloWith(node, { [MONITOR]: '"100"' });
    closed.transport.close(1000, 'bye');
    node.broadcasts.apply({ [MONITOR]: '"300"' });
    expect(await open.next()).toMatchObject({ messageType: 'broadcast' });
    expect(closed.transport.sent).toHaveLength(1);
  });

  it('ignores a store listing read before a change that arrived meanwhile on the bus', () => {
    const readStartedAt = node.broadcasts.changes;
    node.broadcasts.apply({ [MONITOR]: '"500"' });
    expect(node.broadcasts.applyListed({ [MONITOR]: '"100"' }, readStartedAt)).toBe(false);
    expect(node.broadcasts.snapshot()[MONITOR]).toBe('"500"');
    expect(node.broadcasts.applyListed({ [MONITOR]: '"600"' }, node.broadcasts.changes)).toBe(true);
    expect(node.broadcasts.snapshot()[MONITOR]).toBe('"600"');
  });
});
