import {
  CryptoKeys,
  InProcessBus,
  MemoryMessageStore,
  MemoryRouterStore,
  systemClock,
} from '@herald/core';
import type { BroadcastStore, MessageStore, NodeBus, NodeId, RouterStore } from '@herald/core';
import type { Registry } from 'prom-client';
import { createConnectionNode } from '../../src';
import type { ConnectionNode, ConnectionNodeOptions, ConnectionSettings } from '../../src';
import { MemoryLogger } from './quiet-logger';

export interface MemoryNodeOptions {
  readonly nodeId?: string;
  readonly settings?: Partial<ConnectionSettings>;
  readonly routerStore?: RouterStore;
  readonly messageStore?: MessageStore;
  readonly bus?: NodeBus;
  readonly registry?: Registry;
  readonly broadcastStore?: BroadcastStore;
  readonly tls?: ConnectionNodeOptions['tls'];
  readonly onDraining?: () => void;
}

export type MemoryNode = ConnectionNode & {
  readonly url: string;
  readonly keys: CryptoKeys;
  readonly routerStore: RouterStore;
  readonly messageStore: MessageStore;
  readonly bus: NodeBus;
  readonly log: MemoryLogger;
};

/**
 * A real connection node (uWS on a loopback port) over memory stores and an in-process
 * bus, for tests where DynamoDB's behaviour is not what is being checked.
 */
export async function startMemoryNode(options: MemoryNodeOptions = {}): Promise<MemoryNode> {
  const keys = CryptoKeys.parse(CryptoKeys.generateKey());
  const log = new MemoryLogger();
  const routerStore = options.routerStore ?? new MemoryRouterStore();
  const messageStore = options.messageStore ?? new MemoryMessageStore();
  const bus = options.bus ?? new InProcessBus({ log });
  const node = await createConnectionNode({
    nodeId: (options.nodeId ?? 'node-memory') as NodeId,
    port: 0,
    host: '127.0.0.1',
    publicOrigin: 'http://push.test',
    keys,
    routerStore,
    messageStore,
    bus,
    clock: systemClock,
    log,
    settings: options.settings ?? {},
    ...(options.registry === undefined ? {} : { registry: options.registry }),
    ...(options.tls === undefined ? {} : { tls: options.tls }),
    ...(options.broadcastStore === undefined ? {} : { broadcastStore: options.broadcastStore }),
    ...(options.onDraining === undefined ? {} : { onDraining: options.onDraining }),
  });
  const scheme = options.tls === undefined ? 'ws' : 'wss';
  return Object.assign(node, {
    url: `${scheme}://127.0.0.1:${node.port}/`,
    keys,
    routerStore,
    messageStore,
    bus,
    log,
  });
}

/** A promise with its resolve function, for holding a storage call open from a test. */
export class Gate {
  readonly opened: Promise<void>;
  open!: () => void;

  constructor() {
    this.opened = new Promise((resolve) => {
      this.open = resolve;
    });
  }
}
