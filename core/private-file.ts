/**
 * Files only their owner may read: development secrets and state kept beside a database
 * (`server/dev-state.ts`) and the development ledger key (`adapters/ledger-key`).
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Writes `content` to `file` with mode 0600, creating its folder with mode 0700 first; the mode
 * is set again after the write, since an existing file keeps its old mode. `flag` `wx` refuses
 * (`EEXIST`) when the file exists; `w` (the default) replaces it.
 */
export function writePrivateFile(file: string, content: string | Uint8Array, flag: 'w' | 'wx' = 'w'): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, content, { mode: 0o600, flag });
  chmodSync(file, 0o600);
}
