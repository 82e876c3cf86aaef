/**
 * Scheduled backups into a blob store (the artifact store: `file:` or S3-compatible). A backup
 * is a checked `VACUUM INTO` copy (`../backup.ts`) uploaded under
 * `backups/<ISO time>-head-<position>.sqlite`, recorded in the live file's `backups` table with
 * its head, event count, size and SHA-256, and pruned to the newest `retain`. Keys sort by time,
 * so the latest backup is found from the store alone (a restore on a fresh machine).
 * Issue 15, "Backups and the restore drill".
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CopyCheck, snapshotInto } from '../backup.ts';
import { sha256Hex } from '../canonical-json.ts';
import type { Db } from '../database.ts';

/** The part of the artifact store backups use (`adapters/artifacts/store.ts` satisfies it). */
export interface BlobStore {
  readonly url: string;
  put(key: string, bytes: Uint8Array): Promise<void>;
  get(key: string): Promise<Uint8Array | undefined>;
  list(prefix?: string): Promise<{ key: string; size: number }[]>;
  delete(key: string): Promise<void>;
}

/** One backup: where it is, what it holds (`head` position, `events`), `bytes`, hex `sha256`, when (epoch ms) and how long it took (ms). */
export interface BackupRecord {
  readonly key: string;
  readonly head: number;
  readonly events: number;
  readonly bytes: number;
  readonly sha256: string;
  readonly createdAt: number;
  readonly ms: number;
}

export const BACKUP_PREFIX = 'backups/';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS backups (
  key         TEXT    PRIMARY KEY,
  head        INTEGER NOT NULL,
  events      INTEGER NOT NULL,
  bytes       INTEGER NOT NULL,
  sha256      TEXT    NOT NULL,
  created_at  INTEGER NOT NULL,
  ms          INTEGER NOT NULL
) STRICT;
`;

/** `backups/2026-01-05T00-00-00.000Z-head-42.sqlite`: the time first (keys sort by it), colons replaced (not allowed in keys). */
export function backupKey(createdAt: number, head: number): string {
  return `${BACKUP_PREFIX}${new Date(createdAt).toISOString().replaceAll(':', '-')}-head-${head}.sqlite`;
}

/** The head position a backup key names, or null when the key is not a backup's. */
export function headOfKey(key: string): number | null {
  const match = /-head-(\d+)\.sqlite$/.exec(key);
  return key.startsWith(BACKUP_PREFIX) && match ? Number(match[1]) : null;
}

export class BackupCatalog {
  constructor(
    private readonly db: Db,
    readonly store: BlobStore,
  ) {
    if (!db.readonly) db.exec(SCHEMA);
  }

  /** Takes a checked copy at `now` (epoch ms), uploads it, records it and returns the record. */
  async take(now: number): Promise<BackupRecord> {
    const started = performance.now();
    const dir = mkdtempSync(join(tmpdir(), 'clash-backup-'));
    try {
      const file = join(dir, 'ledger.sqlite');
      const check: CopyCheck = snapshotInto(this.db, file);
      const bytes = readFileSync(file);
      const key = backupKey(now, check.head);
      await this.store.put(key, bytes);
      const record: BackupRecord = {
        key,
        head: check.head,
        events: check.events,
        bytes: check.bytes,
        sha256: sha256Hex(bytes),
        createdAt: now,
        ms: Math.round(performance.now() - started),
      };
      this.db
        .prepare('INSERT OR REPLACE INTO backups VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(record.key, record.head, record.events, record.bytes, record.sha256, record.createdAt, record.ms);
      return record;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  /** Deletes all but the newest `retain` backups in the store (and their records); returns the deleted keys. */
  async prune(retain: number): Promise<string[]> {
    const keys = (await backupKeys(this.store)).reverse().slice(retain);
    for (const key of keys) {
      await this.store.delete(key);
      this.db.prepare('DELETE FROM backups WHERE key = ?').run(key);
    }
    return keys;
  }

  /** The newest backup recorded in this ledger (for the backup-age metric and alert), if any. */
  latestRecorded(): BackupRecord | undefined {
    const row = this.db
      .prepare<[], { key: string; head: number; events: number; bytes: number; sha256: string; created_at: number; ms: number }>(
        'SELECT * FROM backups ORDER BY created_at DESC, key DESC LIMIT 1',
      )
      .get();
    return row && { ...row, createdAt: row.created_at };
  }

  /** Writes the backup `key` to the file `to`, checked against the SHA-256 this ledger recorded for it. */
  async download(key: string, to: string): Promise<void> {
    const recorded = this.db.prepare<[string], { sha256: string }>('SELECT sha256 FROM backups WHERE key = ?').get(key);
    await fetchBackup(this.store, key, to, recorded?.sha256);
  }
}

/** The newest backup key in `store`, or undefined when there is none. */
export async function latestBackupKey(store: BlobStore): Promise<string | undefined> {
  return (await backupKeys(store)).at(-1);
}

/** Every backup key in `store`, oldest first. */
async function backupKeys(store: BlobStore): Promise<string[]> {
  return (await store.list(BACKUP_PREFIX)).map((i) => i.key).filter((k) => headOfKey(k) !== null);
}

/**
 * Writes the backup `key` of `store` to the file `to`. Throws `Error` naming the key when it is
 * missing or, given `sha256` (hex), when the bytes do not match it.
 */
export async function fetchBackup(store: BlobStore, key: string, to: string, sha256?: string): Promise<void> {
  const bytes = await store.get(key);
  if (!bytes) throw new Error(`no backup ${key} in ${store.url}`);
  if (sha256 !== undefined && sha256 !== sha256Hex(bytes)) throw new Error(`backup ${key} does not match its recorded sha256`);
  writeFileSync(to, bytes);
}
