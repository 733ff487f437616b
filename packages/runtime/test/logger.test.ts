import { PassThrough } from 'node:stream';
import { createLogger } from '../src';

function capture(): { stream: PassThrough; lines: () => Record<string, unknown>[] } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  return {
    stream,
    lines: () =>
      Buffer.concat(chunks)
        .toString()
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

describe('createLogger', () => {
  it('writes one JSON object per line with the level, name and message', () => {
    const out = capture();
    const log = createLogger({ level: 'info', name: 'herald-test', destination: out.stream });
    log.info({ port: 8080 }, 'listening');
    log.debug({}, 'not shown at info');
    expect(out.lines()).toEqual([
      expect.objectContaining({ level: 30, name: 'herald-test', port: 8080, msg: 'listening' }),
    ]);
  });

  it('redacts authorization, crypto-key and token fields, also inside headers and children', () => {
    const out = capture();
    const log = createLogger({ level: 'debug', name: 'herald-test', destination: out.stream });
    log.warn(
      { authorization: 'vapid t=secret', headers: { authorization: 'x', 'crypto-key': 'y' } },
      'rejected',
    );
    log
      .child({ component: 'endpoint' })
      .info({ request: { token: 'abc', cryptoKey: 'def' } }, 'token');
    const text = JSON.stringify(out.lines());
    for (const secret of ['vapid t=secret', '"x"', '"y"', 'abc', 'def'])
      expect(text).not.toContain(secret);
    expect(text.match(/\[redacted\]/g)).toHaveLength(5);
  });
});
