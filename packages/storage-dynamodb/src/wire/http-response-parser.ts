/** The status, the body as text, and whether the connection may carry another request. */
export interface HttpResponse {
  readonly statusCode: number;
  readonly body: string;
  readonly keepAlive: boolean;
}

/** The server's bytes are not an HTTP/1.1 response this client can read. */
export class HttpProtocolError extends Error {
  override readonly name = 'HttpProtocolError';
}

/** A status line and headers larger than this are refused (DynamoDB's are ~250 bytes). */
const MAX_HEAD_BYTES = 64 * 1024;
/** The largest body accepted: BatchGetItem answers at most 16 MB; leave room for JSON. */
const MAX_BODY_BYTES = 32 * 1024 * 1024;
/** A chunk-size line longer than this is not one (hex digits and short extensions). */
const MAX_CHUNK_LINE_BYTES = 1024;

type State =
  | 'head'
  | 'length' // a body of known length
  | 'chunk-size'
  | 'chunk-data'
  | 'chunk-end' // the CRLF after a chunk's data
  | 'trailers'
  | 'until-close' // no length and no chunking: the body ends when the connection does
  | 'done';

/**
 * Reads one HTTP/1.1 response at a time from the bytes of a connection, in whatever
 * pieces they arrive: Content-Length and chunked bodies, bodies delimited by the close,
 * interim 1xx responses skipped. The client never pipelines, so bytes after a complete
 * response are an error, never the start of the next one. After a response is returned
 * the parser is ready for the next.
 */
export class HttpResponseParser {
  private state: State = 'head';
  /** Bytes of a head or a chunk-size line that has not fully arrived. */
  private partial: Buffer | undefined;
  private statusCode = 0;
  private keepAlive = true;
  /** Bytes still to come of the body (`length`) or of the current chunk (`chunk-data`). */
  private remaining = 0;
  private body: Buffer[] = [];
  private bodyBytes = 0;
  private seenBytes = false;

  /** Whether any byte of a response has arrived since the last one completed. */
  get started(): boolean {
    return this.seenBytes;
  }

  /**
   * Takes the next bytes from the connection. Returns the response once it is complete;
   * throws `HttpProtocolError` when the bytes cannot be one.
   */
  push(data: Buffer): HttpResponse | undefined {
    if (data.length > 0) this.seenBytes = true;
    let bytes = data;
    if (this.partial !== undefined) {
      bytes = Buffer.concat([this.partial, data]);
      this.partial = undefined;
    }
    let at = 0;
    for (;;) {
      if (this.state === 'done') {
        if (at < bytes.length) throw new HttpProtocolError('bytes after the end of the response');
        return this.finish();
      }
      if (at >= bytes.length) return undefined;
      switch (this.state) {
        case 'head': {
          const end = this.endOf(bytes, at, '\r\n\r\n', MAX_HEAD_BYTES, 'response head');
          if (end === -1) return undefined;
          this.readHead(bytes.toString('latin1', at, end));
          at = end + 4;
          break;
        }
        case 'length':
        case 'chunk-data': {
          const take = Math.min(this.remaining, bytes.length - at);
          this.collect(bytes.subarray(at, at + take));
          at += take;
          this.remaining -= take;
          if (this.remaining === 0) this.state = this.state === 'length' ? 'done' : 'chunk-end';
          break;
        }
        case 'chunk-size': {
          const eol = this.endOf(bytes, at, '\r\n', MAX_CHUNK_LINE_BYTES, 'chunk size line');
          if (eol === -1) return undefined;
          const size = parseChunkSize(bytes.toString('latin1', at, eol));
          at = eol + 2;
          if (size === 0) {
            this.state = 'trailers';
          } else {
            this.remaining = size;
            this.state = 'chunk-data';
          }
          break;
        }
        case 'chunk-end': {
          if (bytes.length - at < 2) {
            this.partial = bytes.subarray(at);
            return undefined;
          }
          if (bytes[at] !== 0x0d || bytes[at + 1] !== 0x0a) {
            throw new HttpProtocolError('chunk data not followed by CRLF');
          }
          at += 2;
          this.state = 'chunk-size';
          break;
        }
        case 'trailers': {
          const eol = this.endOf(bytes, at, '\r\n', MAX_HEAD_BYTES, 'trailer');
          if (eol === -1) return undefined;
          // An empty line ends the trailers; any trailer field is read past and dropped.
          if (eol === at) this.state = 'done';
          at = eol + 2;
          break;
        }
        case 'until-close':
          this.collect(bytes.subarray(at));
          at = bytes.length;
          break;
      }
    }
  }

  /**
   * The connection has ended. Returns the response if its body was the rest of the
   * connection, `undefined` if no byte of a response had arrived; throws if one was cut off.
   */
  end(): HttpResponse | undefined {
    if (this.state === 'until-close') {
      this.state = 'done';
      return this.finish();
    }
    if (!this.seenBytes) return undefined;
    throw new HttpProtocolError('connection closed in the middle of a response');
  }

  private readHead(head: string): void {
    const lines = head.split('\r\n');
    const status = /^HTTP\/1\.([01]) ([1-9]\d\d)(?: |$)/.exec(lines[0] ?? '');
    if (status === null) throw new HttpProtocolError('not an HTTP/1.x status line');
    const statusCode = Number(status[2]);
    let keepAlive = status[1] === '1';
    let contentLength: number | undefined;
    let chunked = false;
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i]!;
      const colon = line.indexOf(':');
      if (colon <= 0) throw new HttpProtocolError('malformed header line');
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      if (name === 'content-length') {
        if (!/^\d{1,15}$/.test(value)) throw new HttpProtocolError('invalid content-length');
        const length = Number(value);
        if (contentLength !== undefined && contentLength !== length) {
          throw new HttpProtocolError('conflicting content-length headers');
        }
        contentLength = length;
      } else if (name === 'transfer-encoding') {
        chunked = value.toLowerCase().split(',').pop()?.trim() === 'chunked';
        if (!chunked) throw new HttpProtocolError(`unsupported transfer-encoding ${value}`);
      } else if (name === 'connection') {
        const tokens = value
          .toLowerCase()
          .split(',')
          .map((token) => token.trim());
        if (tokens.includes('close')) keepAlive = false;
        else if (tokens.includes('keep-alive')) keepAlive = true;
      }
    }
    if (statusCode < 200) return; // an interim response (100 Continue): the real one follows
    this.statusCode = statusCode;
    this.keepAlive = keepAlive;
    if (statusCode === 204 || statusCode === 304) {
      this.state = 'done';
    } else if (chunked) {
      this.state = 'chunk-size';
    } else if (contentLength !== undefined) {
      if (contentLength > MAX_BODY_BYTES) throw new HttpProtocolError('response body too large');
      this.remaining = contentLength;
      this.state = contentLength === 0 ? 'done' : 'length';
    } else {
      this.keepAlive = false;
      this.state = 'until-close';
    }
  }

  private collect(bytes: Buffer): void {
    if (bytes.length === 0) return;
    this.bodyBytes += bytes.length;
    if (this.bodyBytes > MAX_BODY_BYTES) throw new HttpProtocolError('response body too large');
    this.body.push(bytes);
  }

  /**
   * Where `delimiter` ends the piece (a head, a line) that starts at `at`. When it has not
   * arrived yet, keeps the piece for the next bytes and returns -1. Either way a piece
   * longer than `limit` bytes is refused.
   */
  private endOf(bytes: Buffer, at: number, delimiter: string, limit: number, what: string): number {
    const end = bytes.indexOf(delimiter, at, 'latin1');
    if ((end === -1 ? bytes.length : end) - at > limit) {
      throw new HttpProtocolError(`${what} too large`);
    }
    if (end === -1) this.partial = bytes.subarray(at);
    return end;
  }

  private finish(): HttpResponse {
    const body =
      this.body.length === 0
        ? ''
        : this.body.length === 1
          ? this.body[0]!.toString('utf8')
          : Buffer.concat(this.body, this.bodyBytes).toString('utf8');
    const response = { statusCode: this.statusCode, body, keepAlive: this.keepAlive };
    this.state = 'head';
    this.statusCode = 0;
    this.keepAlive = true;
    this.remaining = 0;
    this.body = [];
    this.bodyBytes = 0;
    this.seenBytes = false;
    return response;
  }
}

function parseChunkSize(line: string): number {
  const digits = line.split(';', 1)[0]!.trim();
  if (!/^[0-9a-fA-F]{1,8}$/.test(digits)) throw new HttpProtocolError('invalid chunk size');
  const size = parseInt(digits, 16);
  if (size > MAX_BODY_BYTES) throw new HttpProtocolError('response body too large');
  return size;
}
