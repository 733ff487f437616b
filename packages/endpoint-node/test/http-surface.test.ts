import { httpRequest } from '@herald/testkit';
import { startEndpointFixture, type EndpointFixture } from './endpoint-fixture';
import { expectError } from './expect-error';

/**
 * What the HTTP surface does beyond the protocol rules (those are in conformance.test.ts):
 * malformed requests express itself refuses, and what the server reveals about itself.
 */
describe('the endpoint HTTP surface', () => {
  let f: EndpointFixture;
  beforeAll(async () => {
    f = await startEndpointFixture();
  });
  afterAll(async () => {
    await f.close();
  });

  it('answers an undecodable path with a JSON 400', async () => {
    expectError(await httpRequest(`${f.origin}/m/%E0%A4%A`, { method: 'DELETE' }), 400, null);
  });

  it('does not advertise the framework', async () => {
    const reply = await httpRequest(`${f.origin}/__lbheartbeat__`, { method: 'GET' });
    expect(reply.headers['x-powered-by']).toBeUndefined();
  });
});
