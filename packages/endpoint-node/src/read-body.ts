/**
 * Reads a push body as raw bytes, buffering at most `maxBodyBytes + 1` of them.
 *
 * Why not `express.raw`: body-parser interprets `Content-Encoding`, and a push's
 * `Content-Encoding` (`aes128gcm`, `aesgcm`) names the *payload's* encryption, which
 * body-parser refuses with an HTML 415 (and `gzip` it would inflate). Push bodies are
 * opaque bytes handed to the user agent as they came.
 *
 * Why buffer one byte more than the limit instead of failing at once: the size check
 * belongs after the token, VAPID and subscription checks (push-protocol.md §3.2), so
 * the reader only has to prove the body is too long and the use case decides.
 */
import type { IncomingMessage } from 'node:http';

const EMPTY = Buffer.alloc(0);

/**
 * Consumes the whole request (so the connection stays usable) and resolves with at most
 * `maxBodyBytes + 1` bytes. Rejects when the client aborts or the stream fails.
 */
export function readBody(req: IncomingMessage, maxBodyBytes: number): Promise<Buffer> {
  const keepBytes = maxBodyBytes + 1;
  const declared = Number(req.headers['content-length']);
  if (req.headers['transfer-encoding'] === undefined && declared === 0) {
    return Promise.resolve(EMPTY);
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let keptBytes = 0;
    const onData = (chunk: Buffer): void => {
      // Past the limit the rest is read and dropped, so the reply is not lost to a reset.
      if (keptBytes >= keepBytes) return;
      const room = keepBytes - keptBytes;
      const kept = chunk.length > room ? chunk.subarray(0, room) : chunk;
      chunks.push(kept);
      keptBytes += kept.length;
    };
    const cleanup = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    const onEnd = (): void => {
      cleanup();
      // A small body usually arrives in one chunk, which needs no copy.
      resolve(chunks.length <= 1 ? (chunks[0] ?? EMPTY) : Buffer.concat(chunks, keptBytes));
    };
    const onError = (error: Error): void => {
      cleanup();
      reject(error);
    };
    // 'close' before 'end' means the client went away mid-body: its fault, not a
    // server error, so the error carries a 4xx status and is answered without a log line.
    const onClose = (): void => {
      if (!req.complete) onError(Object.assign(new Error('request aborted'), { status: 400 }));
    };
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('error', onError);
    req.once('close', onClose);
  });
}
