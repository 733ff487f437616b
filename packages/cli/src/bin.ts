#!/usr/bin/env node
import { silenceSdkNodeVersionWarning } from '@herald/runtime';
import { main } from './main';

silenceSdkNodeVersionWarning();

// A finished command exits explicitly: SDK clients keep sockets alive that would
// otherwise hold the process open. Servers resolve `undefined` and keep running.
void main(process.argv.slice(2)).then((status) => {
  if (status !== undefined) process.exit(status);
});
