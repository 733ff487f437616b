import { postRaw } from '@herald/testkit';
import { plainPushPath } from '../src/push-request';
import { startEndpointFixture, type EndpointFixture } from './endpoint-fixture';
import { expectError } from './expect-error';

describe('plainPushPath', () => {
  it.each([
    ['/wpush/v2/abc-_XYZ09', { apiVersion: 'v2', token: 'abc-_XYZ09' }],
    ['/wpush/v1/abc?ignored=1', { apiVersion: 'v1', token: 'abc' }],
    ['/wpush/v9/abc', { apiVersion: 'v9', token: 'abc' }],
    ['/wpush/abc', { apiVersion: 'v1', token: 'abc' }],
  ])('takes %j', (url, expected) => {
    expect(plainPushPath(url)).toMatchObject(expected);
  });

  it.each([
    '/wpush/',
    '/wpush/v1/abc/',
    '/wpush//abc',
    '/wpush/v1/a%2Db',
    '/wpush/a/b/c',
    '/WPUSH/v1/abc',
    '/wpush/v1/a.b',
    '/m/abc',
    '//wpush/v1/abc',
  ])('leaves %j to express', (url) => {
    expect(plainPushPath(url)).toBeUndefined();
  });
});

/** The same push through the direct path and through express's routes. */
describe('push URLs express normalises', () => {
  let f: EndpointFixture;
  beforeAll(async () => {
    f = await startEndpointFixture();
  });
  afterAll(async () => {
    await f.close();
  });

  /** An empty v1 push: no VAPID, no encryption headers needed. */
  const push = (url: string): ReturnType<typeof postRaw> =>
    postRaw(url, { headers: { TTL: '60' }, body: '' });

  it('accepts a trailing slash, another letter case and a percent-escape like the plain URL', async () => {
    const sub = await f.subscribe();
    const token = sub.endpoint.slice(sub.endpoint.lastIndexOf('/') + 1);
    const escaped = `%${token.charCodeAt(0).toString(16).toUpperCase()}${token.slice(1)}`;

    for (const url of [
      sub.endpoint,
      `${sub.endpoint}/`,
      `${f.origin}/WPUSH/v1/${token}`,
      `${f.origin}/wpush/v1/${escaped}`,
    ]) {
      const reply = await push(url);
      expect([url, reply.status, reply.headers['access-control-allow-origin']]).toEqual([
        url,
        201,
        '*',
      ]);
      expect(reply.headers.location).toMatch(/\/m\//);
    }
  });

  it('answers a refused push with the same JSON error either way', async () => {
    const plain = await postRaw(`${f.origin}/wpush/v1/not-a-token`, { body: '' });
    const routed = await postRaw(`${f.origin}/wpush/v1/not-a-token/`, { body: '' });

    expectError(plain, 404, 102);
    expectError(routed, 404, 102);
    expect(routed.headers['content-type']).toBe(plain.headers['content-type']);
    expect(routed.headers['content-length']).toBe(plain.headers['content-length']);
    expect(routed.body).toBe(plain.body);
  });
});
