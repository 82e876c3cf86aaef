/**
 * Consistent copies of the ledger file. `VACUUM INTO` writes the whole database as one read
 * transaction sees it: under WAL, writers go on, and the copy is one committed state, so it
 * finishes in time proportional to the file, not to the write rate (SQLite's online backup
 * restarts whenever another connection writes: issue 10). The copy is written to a temporary
 * file beside the target, fsynced, integrity-checked, and only then renamed into place, so a
 * killed backup never leaves a file at the target.
 */
import { closeSync, existsSync, fsyncSync, openSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import type { Db } from './database.ts';
import { ClashError } from './errors.ts';

/** What a checked copy holds: its head (the last position in its log), event count, size in bytes and `PRAGMA integrity_check`'s answer. */
export interface CopyCheck {
  readonly integrity: string;
  readonly head: number;
  readonly events: number;
  readonly bytes: number;
}

/** A backup file that is not a sound ledger copy: `backup_corrupt` (422) with the check's answer. */
export class CorruptBackup extends ClashError {
  constructor(path: string, integrity: string) {
    super('backup_corrupt', 'unprocessable', `${path} is not a sound ledger copy: ${integrity}`, { path, integrity });
  }
}

/** Opens `path` read-only and checks it: integrity, that it holds an events table, its head and count. */
export function checkCopy(path: string): CopyCheck {
  const copy = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const integrity = String(copy.pragma('integrity_check', { simple: true }));
    const table = copy.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'events'").get();
    if (!table) return { integrity: integrity === 'ok' ? 'no events table' : integrity, head: 0, events: 0, bytes: statSync(path).size };
    const { head, events } = copy.prepare('SELECT coalesce(max(position), 0) AS head, count(*) AS events FROM events').get() as {
      head: number;
      events: number;
    };
    return { integrity, head, events, bytes: statSync(path).size };
  } finally {
    copy.close();
  }
}

/**
 * Writes a consistent copy of `db` to `out` (which must not exist): `VACUUM INTO` a temporary
 * file in the same folder, fsync, check, rename. Throws `CorruptBackup` (and leaves nothing at
 * `out`) when the check fails; the temporary file is removed on every failure.
 */
export function snapshotInto(db: Db, out: string): CopyCheck {
  if (existsSync(out)) throw new ClashError('backup_exists', 'conflict', `${out} exists; refusing to overwrite it`, { path: out });
  return vacuumInto(db, out, (partial) => {
    const check = checkCopy(partial);
    if (check.integrity !== 'ok') throw new CorruptBackup(out, check.integrity);
    return check;
  });
}

/**
 * Puts the backup file `from` at `to` as a ledger to open: refuses when anything exists at `to`
 * (or its `-wal`), checks the copy first and renames into place only when it is sound.
 */
export function restoreFile(from: string, to: string): CopyCheck {
  for (const path of [to, `${to}-wal`]) {
    if (existsSync(path)) throw new ClashError('database_exists', 'conflict', `${path} exists; refusing to overwrite a database`, { path });
  }
  const check = checkCopy(from);
  if (check.integrity !== 'ok') throw new CorruptBackup(from, check.integrity);
  const source = new Database(from, { readonly: true });
  try {
    return vacuumInto(source, to, () => check);
  } finally {
    source.close();
  }
}

/**
 * The one copy path: `VACUUM INTO` a temporary file beside `out`, fsync it, `accept` it (which
 * throws to refuse it), and only then rename it to `out`. The temporary file never outlives the call.
 */
function vacuumInto(db: Db, out: string, accept: (partial: string) => CopyCheck): CopyCheck {
  const partial = join(dirname(out), `.${basename(out)}.partial-${process.pid}-${Date.now()}`);
  try {
    db.prepare('VACUUM INTO ?').run(partial);
    fsyncFile(partial);
    const check = accept(partial);
    renameSync(partial, out);
    return check;
  } finally {
    rmSync(partial, { force: true });
  }
}

function fsyncFile(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
