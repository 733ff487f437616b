export * from './firefox';
export * from './user-prefs';
export * from './app-server';
export * from './app-pages';
export * from './herald-dev';
export * from './output-lines';
export * from './split-deployment';
