export * from './settings';
export * from './config';
export * from './config-error';
export { DEV_CRYPTO_KEYS_FILE } from './dev-crypto-keys';
export * from './logger';
export * from './metrics';
export * from './ops-server';
export * from './shutdown';
export * from './sdk-warnings';
