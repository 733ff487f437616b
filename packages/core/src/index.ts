export * from './model';
export * from './ports';
export * from './bus-command';
export * from './errors';
export * from './errno';
