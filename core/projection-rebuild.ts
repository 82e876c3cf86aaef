/**
 * Rebuild, verify and replay-to-a-point: the three ways of re-deriving a read model from the log.
 *
 * - rebuild: replay into shadow tables beside the live ones, batch by batch, then in one short
 *   write transaction apply what arrived meanwhile, drop the live tables and rename the shadows.
 *   Readers see the old read model or the new one, never half of one.
 * - verify: replay into a scratch database up to the live checkpoint (read in one snapshot) and
 *   compare both table by table in primary-key order, naming the first row that differs.
 * - replayTo: every projection as of a global position, built in a database of its own.
 */

import { createHash, randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCheckpoint, writeCheckpoint } from './checkpoints.ts';
import { type Db, openDatabase } from './database.ts';
import type { EventStore, RecordedEvent } from './event-store.ts';
import {
  countRows,
  createIndexes,
  createTable,
  dropTable,
  liveNames,
  orderedRows,
  type ProjectionDefinition,
  type ProjectionHandler,
  renameTable,
  rowText,
  shadowNames,
  type TableSpec,
  tableDigest,
} from './projection.ts';

/** Called after each batch with the position reached and the position to reach. */
export type ProgressFn = (position: number, target: number) => void;

export interface RebuildResult {
  readonly name: string;
  readonly events: number;
  readonly position: number;
  readonly rows: Readonly<Record<string, number>>;
}

/** A projection being replayed: its handler and the last position it should see. */
interface ReplayTarget {
  readonly apply: ProjectionHandler;
  readonly types: ReadonlySet<string>;
  readonly upTo: number;
}

/**
 * One pass over the log for any number of projections: each batch is read and decoded once,
 * then given to every projection that reads its event types (up to that projection's `upTo`).
 */
function replayMany(
  store: EventStore,
  target: Db,
  targets: readonly ReplayTarget[],
  after: number,
  options: { batchSize?: number; onProgress?: ProgressFn },
): number {
  const to = Math.max(after, ...targets.map((t) => t.upTo));
  const types = [...new Set(targets.flatMap((t) => [...t.types]))];
  let n = 0;
  for (const batch of store.readAllBatches({ after, to, types, batchSize: options.batchSize ?? 5000 })) {
    // IMMEDIATE: a handler may read before it writes, and a deferred transaction that read first
    // cannot wait for another process's writer (SQLITE_BUSY at once, or BUSY_SNAPSHOT after it).
    target
      .transaction(() => {
        for (const e of batch) for (const t of targets) if (e.position <= t.upTo && t.types.has(e.type)) t.apply(e);
      })
      .immediate();
    n += batch.length;
    options.onProgress?.((batch[batch.length - 1] as RecordedEvent).position, to);
  }
  return n;
}

/**
 * Rebuilds projections from position 0 in one pass over the log: into shadow tables, batch by
 * batch, then in one short write transaction the events that arrived meanwhile are applied and
 * every shadow table replaces its live table. Every write transaction is IMMEDIATE, so a
 * writer in another process is waited for (the busy timeout), never failed at once. A rebuild
 * that fails (a corrupt event, a full disk) drops its shadow tables before it rethrows.
 */
export function rebuildProjections(
  store: EventStore,
  projections: readonly ProjectionDefinition[],
  options: { batchSize?: number; onProgress?: ProgressFn } = {},
): RebuildResult[] {
  try {
    return rebuildIntoShadows(store, projections, options);
  } catch (error) {
    for (const p of projections) for (const shadow of Object.values(shadowNames(p))) dropTable(store.db, shadow);
    throw error;
  }
}

function rebuildIntoShadows(
  store: EventStore,
  projections: readonly ProjectionDefinition[],
  options: { batchSize?: number; onProgress?: ProgressFn },
): RebuildResult[] {
  const db = store.db;
  const target = store.headPosition();
  const building = projections.map((p) => {
    const shadow = shadowNames(p);
    for (const t of p.tables) {
      dropTable(db, shadow[t.name] as string);
      createTable(db, t, shadow[t.name] as string);
    }
    const generation = (readCheckpoint(db, p.name)?.generation ?? 0) + 1;
    return { p, shadow, generation, apply: p.bind(db, shadow), types: new Set(p.eventTypes), upTo: target };
  });
  let events = replayMany(store, db, building, 0, options);
  for (const b of building) for (const t of b.p.tables) createIndexes(db, t, b.shadow[t.name] as string, b.generation);
  const position = store.transaction(() => {
    const head = store.headPosition();
    events += replayMany(
      store,
      db,
      building.map((b) => ({ ...b, upTo: head })),
      target,
      {},
    );
    for (const b of building) {
      for (const t of b.p.tables) {
        dropTable(db, t.name);
        renameTable(db, b.shadow[t.name] as string, t.name);
      }
      writeCheckpoint(db, b.p.name, { version: b.p.version, position: head, generation: b.generation });
    }
    return head;
  });
  return building.map(({ p }) => ({
    name: p.name,
    events,
    position,
    rows: Object.fromEntries(p.tables.map((t) => [t.name, countRows(db, t.name)])),
  }));
}

export function rebuildProjection(
  store: EventStore,
  p: ProjectionDefinition,
  options: { batchSize?: number; onProgress?: ProgressFn } = {},
): RebuildResult {
  return rebuildProjections(store, [p], options)[0] as RebuildResult;
}

export interface RowDifference {
  readonly table: string;
  /** The primary key of the first differing row. */
  readonly key: Readonly<Record<string, unknown>>;
  /** The row in the live table (null: missing there). */
  readonly live: readonly unknown[] | null;
  /** The row a fresh replay produces (null: the live table has an extra row). */
  readonly replayed: readonly unknown[] | null;
}

export interface VerifyResult {
  readonly name: string;
  readonly ok: boolean;
  readonly position: number;
  readonly tables: readonly { table: string; rows: number; liveHash: string; replayHash: string }[];
  readonly firstDifference: RowDifference | null;
  /**
   * Set when the live tables cannot be compared: their checkpoint's version is not this build's
   * (`liveVersion`; null when they were never built), as in a file from before a read model
   * changed, opened read-only. `ok` is then false; a writable open rebuilds them.
   */
  readonly stale?: { readonly liveVersion: number | null; readonly version: number };
}

function scratchPath(): string {
  return join(tmpdir(), `clash-scratch-${randomUUID()}.db`);
}

function removeDb(path: string): void {
  for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true });
}

/**
 * Verifies projections in one pass: every projection is replayed into one scratch database up
 * to its own checkpoint (inline ones are at the head, async ones may lag), all read in the same
 * snapshot of the live file, then compared table by table. A projection whose live checkpoint is
 * missing or of another version is not compared (`stale`, not ok).
 */
export function verifyProjections(
  store: EventStore,
  projections: readonly ProjectionDefinition[],
  options: { batchSize?: number; onProgress?: ProgressFn } = {},
): VerifyResult[] {
  const live = store.db;
  const path = scratchPath();
  const scratch = openDatabase(path, { synchronous: 'OFF' });
  // One read transaction on the live connection: the checkpoints, the log and the live rows
  // are all seen at the same instant, whatever other processes append meanwhile.
  live.exec('BEGIN');
  try {
    // Each checkpoint read once: a projection whose live version is not this build's is stale.
    const checked = projections.map((p) => {
      const cp = readCheckpoint(live, p.name);
      return { p, cp, current: cp?.version === p.version };
    });
    const targets = checked
      .filter((c) => c.current)
      .map(({ p, cp }) => {
        for (const t of p.tables) createTable(scratch, t, t.name);
        return { p, apply: p.bind(scratch, liveNames(p)), types: new Set(p.eventTypes), upTo: cp?.position ?? 0 };
      });
    replayMany(store, scratch, targets, 0, options);
    return checked.map(({ p, cp, current }): VerifyResult => {
      const position = cp?.position ?? 0;
      if (!current) {
        const stale = { liveVersion: cp?.version ?? null, version: p.version };
        return { name: p.name, ok: false, position, tables: [], firstDifference: null, stale };
      }
      const tables = [];
      let firstDifference: RowDifference | null = null;
      for (const t of p.tables) {
        const cmp = compareTables(live, scratch, t);
        tables.push({ table: t.name, rows: cmp.rows, liveHash: cmp.liveHash, replayHash: cmp.replayHash });
        firstDifference ??= cmp.firstDifference;
      }
      return { name: p.name, ok: firstDifference === null, position, tables, firstDifference };
    });
  } finally {
    live.exec('COMMIT');
    scratch.close();
    removeDb(path);
  }
}

export function verifyProjection(
  store: EventStore,
  p: ProjectionDefinition,
  options: { batchSize?: number; onProgress?: ProgressFn } = {},
): VerifyResult {
  return verifyProjections(store, [p], options)[0] as VerifyResult;
}

/**
 * Walks both tables in primary-key order like a merge join, so a missing or extra row is
 * reported as such instead of shifting every later comparison.
 */
function compareTables(
  live: Db,
  replay: Db,
  spec: TableSpec,
): { rows: number; liveHash: string; replayHash: string; firstDifference: RowDifference | null } {
  const a = orderedRows(live, spec, spec.name);
  const b = orderedRows(replay, spec, spec.name);
  const ha = createHash('sha256');
  const hb = createHash('sha256');
  const columns = Object.keys(spec.columns);
  const keyIndexes = spec.primaryKey.map((k) => columns.indexOf(k));
  const keyOf = (row: readonly unknown[]) => Object.fromEntries(spec.primaryKey.map((k, i) => [k, row[keyIndexes[i] as number]]));
  const compareKeys = (x: readonly unknown[], y: readonly unknown[]) => {
    for (const i of keyIndexes) {
      const c = compareSqlValues(x[i], y[i]);
      if (c !== 0) return c;
    }
    return 0;
  };
  let rows = 0;
  let firstDifference: RowDifference | null = null;
  let ra = a.next();
  let rb = b.next();
  while (!ra.done || !rb.done) {
    const order = ra.done ? 1 : rb.done ? -1 : compareKeys(ra.value, rb.value);
    const la = order <= 0 && !ra.done ? ra.value : null;
    const lb = order >= 0 && !rb.done ? rb.value : null;
    const ta = la && rowText(la);
    const tb = lb && rowText(lb);
    if (ta) ha.update(`${ta}\n`);
    if (tb) hb.update(`${tb}\n`);
    if (firstDifference === null && ta !== tb) {
      firstDifference = { table: spec.name, key: keyOf((la ?? lb) as unknown[]), live: la, replayed: lb };
    }
    rows += 1;
    if (la) ra = a.next();
    if (lb) rb = b.next();
  }
  return { rows, liveHash: ha.digest('hex'), replayHash: hb.digest('hex'), firstDifference };
}

/** SQLite's ORDER BY for the BINARY collation: NULL < numbers < text (bytewise UTF-8) < blobs. */
function compareSqlValues(x: unknown, y: unknown): number {
  const rank = (v: unknown) => (v === null ? 0 : typeof v === 'number' || typeof v === 'bigint' ? 1 : typeof v === 'string' ? 2 : 3);
  const rx = rank(x);
  const ry = rank(y);
  if (rx !== ry) return rx - ry;
  if (rx === 1) return (x as number) < (y as number) ? -1 : (x as number) > (y as number) ? 1 : 0;
  if (rx === 2) return Buffer.compare(Buffer.from(x as string, 'utf8'), Buffer.from(y as string, 'utf8'));
  if (rx === 3) return Buffer.compare(x as Buffer, y as Buffer);
  return 0;
}

export interface ReplayedTable {
  readonly projection: string;
  readonly table: string;
  readonly rows: number;
  readonly hash: string;
}

/**
 * Builds every given projection as of global position `to` in the database at `outPath`
 * (a scratch file, removed afterwards, when none is given). Returns a digest of every table.
 */
export function replayTo(
  store: EventStore,
  projections: readonly ProjectionDefinition[],
  to: number,
  options: { outPath?: string; onProgress?: ProgressFn } = {},
): ReplayedTable[] {
  const path = options.outPath ?? scratchPath();
  removeDb(path);
  const out = openDatabase(path, { synchronous: 'OFF' });
  try {
    const handlers = projections.map((p) => {
      for (const t of p.tables) createTable(out, t, t.name);
      return { p, apply: p.bind(out, liveNames(p)), types: new Set(p.eventTypes) };
    });
    for (const batch of store.readAllBatches({ to, batchSize: 5000 })) {
      out
        .transaction(() => {
          for (const e of batch) for (const h of handlers) if (h.types.has(e.type)) h.apply(e);
        })
        .immediate();
      options.onProgress?.((batch[batch.length - 1] as RecordedEvent).position, to);
    }
    return projections.flatMap((p) => p.tables.map((t) => ({ projection: p.name, table: t.name, ...tableDigest(out, t, t.name) })));
  } finally {
    out.close();
    if (!options.outPath) removeDb(path);
  }
}
