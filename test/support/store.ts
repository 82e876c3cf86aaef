/** Test helpers: real SQLite files in a fresh temp directory per test file. */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { type Clock, ManualClock } from '../../core/clock.ts';
import type { Db } from '../../core/database.ts';
import { EventRegistry } from '../../core/event-registry.ts';
import { EventStore } from '../../core/event-store.ts';
import type { ProjectionDefinition } from '../../core/projection.ts';
import { ProjectionRunner } from '../../core/projection-runner.ts';
import { walletEvents } from './wallet/events.ts';
import { walletProjections } from './wallet/projections.ts';

export function tempDir(prefix = 'clash-test-'): { path: string; file: (name: string) => string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, file: (name) => join(path, name), remove: () => rmSync(path, { recursive: true, force: true }) };
}

export interface WalletStore {
  store: EventStore;
  runner: ProjectionRunner;
  clock: ManualClock;
}

/**
 * A wallet store over its own connection to `path` that records every statement it runs
 * (`statements`, in order): what the tests counting savepoints and reads look at.
 */
export function tracedWalletStore(path: string): { db: Db; store: EventStore; statements: string[] } {
  openWalletStore(path).store.close(); // the schema
  const statements: string[] = [];
  const db = new Database(path, { verbose: (sql) => statements.push(String(sql)) });
  db.pragma('busy_timeout = 10000');
  return { db, store: new EventStore(db, { registry: new EventRegistry(walletEvents) }), statements };
}

export function openWalletStore(
  path: string,
  options: { projections?: readonly ProjectionDefinition[]; clock?: Clock; synchronous?: 'FULL' | 'NORMAL' } = {},
): WalletStore {
  const clock = (options.clock as ManualClock | undefined) ?? new ManualClock(Date.UTC(2026, 0, 1));
  const store = EventStore.open(path, {
    registry: new EventRegistry(walletEvents),
    clock,
    synchronous: options.synchronous ?? 'NORMAL',
  });
  const runner = new ProjectionRunner(store, options.projections ?? walletProjections);
  runner.start();
  return { store, runner, clock };
}

/** Seed for fast-check: fixed by default, overridable with FC_SEED, printed on failure by fast-check. */
export const fcSeed = Number(process.env.FC_SEED ?? 20261121);
export const fcRuns = Number(process.env.FC_RUNS ?? 60);

/** Turns a ledger file back into what an engine of schema 1 wrote: no leaf column, no cached subtrees, the old triggers. */
export function toSchemaOne(db: Db): void {
  for (const t of db.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger'").pluck().all() as string[])
    db.exec(`DROP TRIGGER ${t}`);
  db.exec('DROP TABLE ledger_nodes; ALTER TABLE events DROP COLUMN leaf; PRAGMA user_version = 1');
  for (const op of ['UPDATE', 'DELETE']) {
    db.exec(
      `CREATE TRIGGER events_append_only_${op.toLowerCase()} BEFORE ${op} ON events BEGIN SELECT RAISE(ABORT, 'events are append-only'); END`,
    );
  }
}

/** Copies the ledger `source` to `file`, drops every append-only trigger there and runs `change` on it (what a tamperer with the file can do); returns `file`. */
export function tamperedCopy(source: string, file: string, change: (db: Database.Database) => void): string {
  copyFileSync(source, file);
  const db = new Database(file);
  for (const t of db.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger'").pluck().all() as string[])
    db.exec(`DROP TRIGGER ${t}`);
  change(db);
  db.close();
  return file;
}
