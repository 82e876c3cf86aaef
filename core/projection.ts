/**
 * What a projection is: named tables (DDL given as data, so the engine can build them under
 * another name for a rebuild or a verify), the event types it reads, and `bind`, which
 * prepares its statements against a set of physical table names and returns the handler.
 */
import { createHash } from 'node:crypto';
import type { Db } from './database.ts';
import type { RecordedEvent } from './event-store.ts';

export interface TableSpec {
  /** The live table's name. */
  readonly name: string;
  /** Column name → SQLite type and constraints, in order. Money columns are TEXT (decimal strings). */
  readonly columns: Readonly<Record<string, string>>;
  readonly primaryKey: readonly string[];
  readonly indexes?: readonly (readonly string[])[];
  /**
   * Store the rows in the primary key's own B-tree (SQLite `WITHOUT ROWID`): one B-tree instead
   * of a table and an index repeating its key. For narrow rows read by key ranges.
   */
  readonly withoutRowid?: boolean;
}

/** Logical table name (TableSpec.name) → the physical table to write. */
export type TableNames = Readonly<Record<string, string>>;

export type ProjectionHandler = (event: RecordedEvent) => void;

export interface ProjectionDefinition {
  readonly name: string;
  /** Bump when the handler or the tables change: the projection is then rebuilt from the log. */
  readonly version: number;
  /** inline: same transaction as the append. async: caught up by a worker from a checkpoint. */
  readonly mode: 'inline' | 'async';
  readonly tables: readonly TableSpec[];
  /** The event types the handler reads; other events are not even decoded for it. */
  readonly eventTypes: readonly string[];
  /** Prepares statements against `tables` and returns the event handler. Must be deterministic. */
  bind(db: Db, tables: TableNames): ProjectionHandler;
}

export function defineProjection(definition: ProjectionDefinition): ProjectionDefinition {
  const names = new Set<string>();
  for (const t of definition.tables) {
    if (names.has(t.name)) throw new Error(`projection ${definition.name}: table ${t.name} declared twice`);
    names.add(t.name);
    for (const k of t.primaryKey) {
      if (!(k in t.columns)) throw new Error(`projection ${definition.name}: primary key ${k} is not a column of ${t.name}`);
    }
  }
  return Object.freeze(definition);
}

export function liveNames(p: ProjectionDefinition): TableNames {
  return Object.fromEntries(p.tables.map((t) => [t.name, t.name]));
}

export function shadowNames(p: ProjectionDefinition): TableNames {
  return Object.fromEntries(p.tables.map((t) => [t.name, `${t.name}__shadow`]));
}

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

export function createTable(db: Db, spec: TableSpec, physical: string): void {
  const columns = Object.entries(spec.columns).map(([c, type]) => `${quote(c)} ${type}`);
  const pk = `PRIMARY KEY (${spec.primaryKey.map(quote).join(', ')})`;
  db.exec(`CREATE TABLE IF NOT EXISTS ${quote(physical)} (${[...columns, pk].join(', ')})${spec.withoutRowid ? ' WITHOUT ROWID' : ''}`);
}

/**
 * Secondary indexes carry a generation in their name: after a rebuild swaps the shadow table
 * in, its indexes keep their names, and the next rebuild uses the next generation, so names
 * never collide and no index is rebuilt inside the swap's lock.
 */
export function createIndexes(db: Db, spec: TableSpec, physical: string, generation: number): void {
  for (const [i, cols] of (spec.indexes ?? []).entries()) {
    db.exec(
      `CREATE INDEX IF NOT EXISTS ${quote(`${spec.name}__ix${i}_g${generation}`)} ON ${quote(physical)} (${cols.map(quote).join(', ')})`,
    );
  }
}

export function dropTable(db: Db, physical: string): void {
  db.exec(`DROP TABLE IF EXISTS ${quote(physical)}`);
}

export function renameTable(db: Db, from: string, to: string): void {
  db.exec(`ALTER TABLE ${quote(from)} RENAME TO ${quote(to)}`);
}

export function countRows(db: Db, physical: string): number {
  return (db.prepare(`SELECT count(*) AS n FROM ${quote(physical)}`).get() as { n: number }).n;
}

/** The rows of a table in primary-key order, as arrays of column values. */
export function orderedRows(db: Db, spec: TableSpec, physical: string): IterableIterator<unknown[]> {
  const cols = Object.keys(spec.columns).map(quote).join(', ');
  return db
    .prepare(`SELECT ${cols} FROM ${quote(physical)} ORDER BY ${spec.primaryKey.map(quote).join(', ')}`)
    .raw()
    .iterate() as IterableIterator<unknown[]>;
}

/** A canonical digest of one table: sha256 over its rows in primary-key order. */
export function tableDigest(db: Db, spec: TableSpec, physical: string): { rows: number; hash: string } {
  const hash = createHash('sha256');
  let rows = 0;
  for (const row of orderedRows(db, spec, physical)) {
    hash.update(rowText(row));
    hash.update('\n');
    rows += 1;
  }
  return { rows, hash: hash.digest('hex') };
}

export function rowText(row: readonly unknown[]): string {
  return JSON.stringify(row, (_k, v: unknown) => (Buffer.isBuffer(v) ? v.toString('base64') : v));
}
