export * from './cluster';
export * from './cluster-sender';
export * from './cluster-storage';
export * from './agent-pool';
export * from './delivery-tally';
