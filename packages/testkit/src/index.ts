export * from './eventually';
export * from './nats-server';
export * from './dynamodb-servers';
export * from './store-contracts';
export * from './bus-contract';
export * from './user-agent';
export * from './ece';
export * from './app-server';
