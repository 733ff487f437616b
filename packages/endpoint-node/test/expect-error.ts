import type { HttpReply } from '@herald/testkit';
import { ERROR_DOCS_URL } from '../src';

/**
 * Asserts an error answer: status, errno, and the full autopush-shaped JSON body
 * (`code`, `errno`, `error`, `message`, `more_info`), which every error must carry.
 */
export function expectError(reply: HttpReply, status: number, errno: number | null): void {
  expect({ status: reply.status, contentType: reply.headers['content-type'] }).toEqual({
    status,
    contentType: expect.stringContaining('application/json'),
  });
  const body = reply.json<Record<string, unknown>>();
  expect(Object.keys(body).sort()).toEqual(['code', 'errno', 'error', 'message', 'more_info']);
  expect(body).toEqual({
    code: status,
    errno,
    error: expect.any(String),
    message: expect.any(String),
    more_info: ERROR_DOCS_URL,
  });
  expect((body.error as string).length).toBeGreaterThan(0);
  expect((body.message as string).length).toBeGreaterThan(0);
}
