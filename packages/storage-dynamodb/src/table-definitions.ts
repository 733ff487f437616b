import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

/**
 * The two tables and their attribute names. Only key attributes are declared to
 * DynamoDB; the rest of the layout is documented here and enforced by the item codecs.
 *
 * Router table (hash `uaid` S): `node_id` S, `connected_at` N (ms), `channels` SS
 * (dashed channel ids; absent when empty, as DynamoDB has no empty sets), `last_seen` N
 * (ms), `expiry` N (seconds; `last_seen` + 60 days).
 *
 * Message table (hash `uaid` S, range `sk` S): `message_id` S, `channel_id` S,
 * `topic` S?, `ttl` N (seconds), `received_at` N (ms), `urgency` S, `data` S?,
 * `headers` M?, `expiry` N (seconds = floor(received_at / 1000) + ttl).
 *
 * `expiry` is the DynamoDB TTL attribute of both tables. DynamoDB deletes expired items
 * up to 48 hours late, so reads filter on it as well.
 */
export const TTL_ATTRIBUTE = 'expiry';

/** A router record is dropped this long after the user agent was last seen (autopush's MAX_ROUTER_TTL). */
export const ROUTER_RECORD_LIFETIME_SECONDS = 60 * 24 * 60 * 60;

export function routerTableDefinition(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: 'uaid', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'uaid', KeyType: 'HASH' }],
  };
}

export function messageTableDefinition(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: 'uaid', AttributeType: 'S' },
      { AttributeName: 'sk', AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: 'uaid', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ],
  };
}
