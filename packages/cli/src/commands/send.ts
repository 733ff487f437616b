import * as http from 'node:http';
import * as https from 'node:https';
import { STATUS_CODES } from 'node:http';
import {
  generateRequestDetails,
  generateVAPIDKeys,
  type ContentEncoding,
  type Urgency,
} from 'web-push';
import type { Command } from '../command';
import { integerFlag, parseCommandArgs } from '../command';
import { UsageError } from '../cli-errors';
import { printLine, printNote } from '../console-output';

const HELP = `Usage: herald send <endpoint-url> --p256dh KEY --auth SECRET [options]

Encrypts a message for a subscription (as PushSubscription.toJSON() shows it) and POSTs
it to its endpoint, like an application server would. Prints the status and, on
success, the Location (the message id, usable with DELETE) and TTL.
Exits 1 when the push service does not answer 2xx.

Options:
  --p256dh KEY             the subscription's public key (keys.p256dh)          [required]
  --auth SECRET            the subscription's auth secret (keys.auth)           [required]
  --message TEXT           the message                          ["Hello from herald send"]
  --ttl N                  seconds the push service may keep it                  [2419200]
  --topic T                replaces an undelivered message with the same topic
  --urgency U              very-low | low | normal | high                         [normal]
  --encoding E             aes128gcm | aesgcm                                 [aes128gcm]
  --vapid-subject S        the VAPID "sub" claim                 [mailto:herald@localhost]
  --vapid-public K         VAPID public key (base64url); with --vapid-private
  --vapid-private K        VAPID private key (base64url); with --vapid-public
Without a VAPID pair a throwaway one is generated; that works for endpoints made
without an applicationServerKey (/wpush/v1/), not for /wpush/v2/ ones.`;

const URGENCIES: readonly Urgency[] = ['very-low', 'low', 'normal', 'high'];
const ENCODINGS: readonly ContentEncoding[] = ['aes128gcm', 'aesgcm'];

export const sendCommand: Command = {
  name: 'send',
  summary: 'sends an encrypted test push to a subscription',
  help: HELP,
  async run(args) {
    const { values, positionals, help } = parseCommandArgs(
      'send',
      args,
      {
        p256dh: { type: 'string' },
        auth: { type: 'string' },
        message: { type: 'string' },
        ttl: { type: 'string' },
        topic: { type: 'string' },
        urgency: { type: 'string' },
        encoding: { type: 'string' },
        'vapid-subject': { type: 'string' },
        'vapid-public': { type: 'string' },
        'vapid-private': { type: 'string' },
      },
      { min: 1, max: 1 },
    );
    if (help) {
      printLine(HELP);
      return 0;
    }
    const endpoint = positionals[0] ?? '';
    if (!/^https?:\/\//.test(endpoint))
      throw new UsageError('the endpoint URL must start with http:// or https://', 'send');
    if (values.p256dh === undefined || values.auth === undefined) {
      throw new UsageError('--p256dh and --auth are required (the subscription keys)', 'send');
    }
    if ((values['vapid-public'] === undefined) !== (values['vapid-private'] === undefined)) {
      throw new UsageError('--vapid-public and --vapid-private go together', 'send');
    }
    const urgency = oneOf('urgency', values.urgency, URGENCIES);
    const encoding = oneOf('encoding', values.encoding, ENCODINGS) ?? 'aes128gcm';
    const ttl =
      values.ttl === undefined ? undefined : integerFlag('send', 'ttl', values.ttl, 0, 2 ** 31 - 1);
    const pair =
      values['vapid-public'] !== undefined && values['vapid-private'] !== undefined
        ? { publicKey: values['vapid-public'], privateKey: values['vapid-private'] }
        : generateVAPIDKeys();

    let details;
    try {
      details = generateRequestDetails(
        { endpoint, keys: { p256dh: values.p256dh, auth: values.auth } },
        values.message ?? 'Hello from herald send',
        {
          TTL: ttl,
          topic: values.topic,
          urgency,
          contentEncoding: encoding,
          vapidDetails: { subject: values['vapid-subject'] ?? 'mailto:herald@localhost', ...pair },
        },
      );
    } catch (error) {
      // web-push rejects bad keys, topics and subjects before anything is sent.
      throw new UsageError(error instanceof Error ? error.message : String(error), 'send');
    }
    const reply = await post(details.endpoint, details.headers, details.body);
    const statusLine = `${reply.status} ${STATUS_CODES[reply.status] ?? ''}`.trim();
    if (reply.status < 200 || reply.status > 299) {
      printNote(statusLine);
      if (reply.body !== '') printNote(reply.body);
      return 1;
    }
    printLine(statusLine);
    if (reply.location !== undefined) printLine(`Location: ${reply.location}`);
    if (reply.ttl !== undefined) printLine(`TTL: ${reply.ttl}`);
    return 0;
  },
};

function oneOf<T extends string>(
  flag: string,
  value: string | undefined,
  allowed: readonly T[],
): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new UsageError(`--${flag} must be one of ${allowed.join(', ')}`, 'send');
  }
  return value as T;
}

interface Reply {
  status: number;
  location: string | undefined;
  ttl: string | undefined;
  body: string;
}

/** web-push's own sender is https-only; this speaks both, for local http endpoints. */
function post(url: string, headers: Record<string, unknown>, body: Buffer | null): Promise<Reply> {
  const target = new URL(url);
  const transport = target.protocol === 'https:' ? https : http;
  const outgoing: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) outgoing[name] = String(value);
  outgoing['Content-Length'] = String(body?.length ?? 0);
  return new Promise((resolve, reject) => {
    const request = transport.request(target, { method: 'POST', headers: outgoing }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          location: response.headers.location,
          ttl: headerText(response.headers.ttl),
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
    });
    request.on('error', (error) =>
      reject(new Error(`cannot reach ${target.origin}: ${error.message}`)),
    );
    request.end(body ?? undefined);
  });
}

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}
