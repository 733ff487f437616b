import type { HttpReply } from '@herald/testkit';
import { ERROR_DOCS_URL } from '../src';

/**
 * Asserts an error answer: status, errno, and the full autopush-shaped JSON body
 * (`code`, `errno`, `error`, `message`, `more_info`), which every error must carry.
 */
export function expectError(reply: HttpReply, status: number, errno: number | null): void {
  expect(reply.status).toBe(status);
  expect(reply.headers['content-type']).toMatch(/^application\/json/);
  const body = reply.json<Record<string, unknown>>();
  expect(Object.keys(body).sort()).toEqual(['code', 'errno', 'error', 'message', 'more_info']);
  expect({ code: body.code, errno: body.errno, more_info: body.more_info }).toEqual({
    code: status,
    errno,
    more_info: ERROR_DOCS_URL,
  });
  for (const text of [body.error, body.message]) {
    expect(typeof text).toBe('string');
    expect(String(text).length).toBeGreaterThan(0);
  }
}
