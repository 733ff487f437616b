import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CryptoKeys } from '@herald/core';

/** The file, inside the data dir, where `herald dev` keeps the key it generated. */
export const DEV_CRYPTO_KEYS_FILE = 'crypto-keys';

export type DevCryptoKeys =
  | {
      readonly ok: true;
      readonly keys: CryptoKeys;
      readonly source: 'generated' | 'data-dir';
      readonly path: string;
    }
  | { readonly ok: false; readonly problem: string };

/**
 * Loads the endpoint-token key `herald dev` keeps in its data dir, generating it on first
 * run. Keeping it matters: pushEndpoint URLs embed tokens sealed with it, so a new key on
 * every start would turn every subscription into a 404. The file is created with mode
 * 0600 and exclusively, so two processes starting at once cannot write different keys.
 */
export function loadOrCreateDevCryptoKeys(dataDir: string): DevCryptoKeys {
  const path = join(dataDir, DEV_CRYPTO_KEYS_FILE);
  const existing = readKeyFile(path);
  if (existing.kind === 'error') return { ok: false, problem: existing.problem };
  if (existing.kind === 'found') return parseKeyFile(path, existing.text, 'data-dir');

  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const key = CryptoKeys.generateKey();
    writeFileSync(path, `${key}\n`, { mode: 0o600, flag: 'wx' });
    return parseKeyFile(path, key, 'generated');
  } catch (error) {
    // Another process won the race to create it: use theirs.
    if (isErrno(error, 'EEXIST')) {
      const raced = readKeyFile(path);
      if (raced.kind === 'found') return parseKeyFile(path, raced.text, 'data-dir');
    }
    return { ok: false, problem: `HERALD_DATA_DIR: cannot create ${path} (${errorText(error)})` };
  }
}

type KeyFile =
  { kind: 'found'; text: string } | { kind: 'missing' } | { kind: 'error'; problem: string };

function readKeyFile(path: string): KeyFile {
  try {
    return { kind: 'found', text: readFileSync(path, 'utf8') };
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return { kind: 'missing' };
    return { kind: 'error', problem: `HERALD_DATA_DIR: cannot read ${path} (${errorText(error)})` };
  }
}

function parseKeyFile(path: string, text: string, source: 'generated' | 'data-dir'): DevCryptoKeys {
  try {
    return { ok: true, keys: CryptoKeys.parse(text.trim()), source, path };
  } catch (error) {
    return {
      ok: false,
      problem: `HERALD_DATA_DIR: ${path} does not hold usable keys (${errorText(error)}); delete it to generate a new one (existing subscriptions stop working) or set HERALD_CRYPTO_KEYS`,
    };
  }
}

function isErrno(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
