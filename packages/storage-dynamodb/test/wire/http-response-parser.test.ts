import { HttpProtocolError, HttpResponseParser } from '../../src/wire/http-response-parser';
import type { HttpResponse } from '../../src/wire/http-response-parser';

const JSON_BODY = '{"Item":{"uaid":{"S":"ü1"}}}';

const WITH_LENGTH =
  'HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.0\r\n' +
  `Content-Length: ${Buffer.byteLength(JSON_BODY)}\r\n\r\n${JSON_BODY}`;

const CHUNKED =
  'HTTP/1.1 400 Bad Request\r\nTransfer-Encoding: chunked\r\n\r\n' +
  '5;ext=1\r\n{"__t\r\n' +
  '10\r\nype":"x#Validati\r\n' +
  '10\r\nonException"}   \r\n' +
  '0\r\nX-Trailer: yes\r\n\r\n';

/** Feeds `text` cut at `cuts`; returns every response the parser completed. */
function feed(parser: HttpResponseParser, text: string, cuts: number[] = []): HttpResponse[] {
  const bytes = Buffer.from(text, 'utf8');
  const responses: HttpResponse[] = [];
  let from = 0;
  for (const to of [...cuts, bytes.length]) {
    const response = parser.push(bytes.subarray(from, to));
    if (response !== undefined) responses.push(response);
    from = to;
  }
  return responses;
}

function everySplit(text: string, check: (responses: HttpResponse[]) => void): void {
  const length = Buffer.byteLength(text);
  for (let cut = 0; cut <= length; cut++) check(feed(new HttpResponseParser(), text, [cut]));
}

describe('HttpResponseParser', () => {
  it('reads a Content-Length body however the bytes are split', () => {
    everySplit(WITH_LENGTH, (responses) =>
      expect(responses).toEqual([{ statusCode: 200, body: JSON_BODY, keepAlive: true }]),
    );
    expect(feed(new HttpResponseParser(), WITH_LENGTH, [1, 2, 3, 50, 51, 80, 81])).toHaveLength(1);
  });

  it('reads a chunked body, extensions and trailers included, however the bytes are split', () => {
    everySplit(CHUNKED, (responses) =>
      expect(responses).toEqual([
        { statusCode: 400, body: '{"__type":"x#ValidationException"}   ', keepAlive: true },
      ]),
    );
  });

  it('reads one response after another on the same connection', () => {
    const parser = new HttpResponseParser();
    expect(feed(parser, WITH_LENGTH)).toHaveLength(1);
    expect(parser.started).toBe(false);
    expect(feed(parser, CHUNKED)[0]?.statusCode).toBe(400);
    expect(feed(parser, 'HTTP/1.1 204 No Content\r\n\r\n')).toEqual([
      { statusCode: 204, body: '', keepAlive: true },
    ]);
  });

  it('skips an interim 100 Continue', () => {
    expect(feed(new HttpResponseParser(), `HTTP/1.1 100 Continue\r\n\r\n${WITH_LENGTH}`)).toEqual([
      { statusCode: 200, body: JSON_BODY, keepAlive: true },
    ]);
  });

  it('says when the server will close the connection', () => {
    const closing = feed(
      new HttpResponseParser(),
      'HTTP/1.1 500 Oops\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}',
    );
    expect(closing).toEqual([{ statusCode: 500, body: '{}', keepAlive: false }]);
    const old = feed(new HttpResponseParser(), 'HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\n{}');
    expect(old[0]?.keepAlive).toBe(false);
  });

  it('reads a body without length or chunking up to the end of the connection', () => {
    const parser = new HttpResponseParser();
    expect(feed(parser, 'HTTP/1.1 503 Busy\r\n\r\n<html>', [20])).toEqual([]);
    expect(feed(parser, 'busy</html>')).toEqual([]);
    expect(parser.end()).toEqual({ statusCode: 503, body: '<html>busy</html>', keepAlive: false });
  });

  it('tells a connection closed before any byte from one closed mid-response', () => {
    expect(new HttpResponseParser().end()).toBeUndefined();
    const parser = new HttpResponseParser();
    feed(parser, WITH_LENGTH.slice(0, -3));
    expect(() => parser.end()).toThrow(HttpProtocolError);
  });

  it.each([
    ['a status line that is not HTTP/1.x', 'SSH-2.0-OpenSSH\r\n\r\n'],
    ['a malformed header line', 'HTTP/1.1 200 OK\r\nno colon here\r\n\r\n'],
    ['a non-numeric content-length', 'HTTP/1.1 200 OK\r\nContent-Length: 1e3\r\n\r\n'],
    [
      'conflicting content-lengths',
      'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}',
    ],
    ['a transfer coding other than chunked', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n'],
    ['an invalid chunk size', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n'],
    [
      'chunk data without its CRLF',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nabc\r\n',
    ],
    ['bytes after the response', `${WITH_LENGTH}HTTP/1.1 200 OK\r\n`],
    [
      'a body larger than any DynamoDB answer',
      'HTTP/1.1 200 OK\r\nContent-Length: 999999999\r\n\r\n',
    ],
    ['an endless head', `HTTP/1.1 200 OK\r\n${'X-Filler: y\r\n'.repeat(6000)}`],
  ])('refuses %s', (_what, text) => {
    expect(() => feed(new HttpResponseParser(), text)).toThrow(HttpProtocolError);
  });
});
