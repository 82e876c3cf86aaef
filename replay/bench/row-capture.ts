/**
 * "The same rows" for a baseline: a capture run records, through temporary triggers, every row
 * that a command path writes (the events and every read-model table), grouped by command. The
 * baseline then writes exactly those rows with plain prepared statements, one transaction per
 * command, into a fresh file with the same schema and pragmas: SQLite's cost of the rows alone.
 */
import Database from 'better-sqlite3';
import { type Db, openDatabase, type Synchronous } from '../../core/database.ts';
import { createIndexes, createTable, type TableSpec } from '../../core/projection.ts';
import { rate } from './measure.ts';

export interface RowWrite {
  readonly table: string;
  readonly op: 'upsert' | 'delete';
  readonly values: readonly unknown[];
}

const EVENT_COLUMNS = ['position', 'stream_id', 'stream_version', 'event_id', 'type', 'schema_version', 'data', 'metadata', 'recorded_at'];
const q = (name: string) => `"${name.replaceAll('"', '""')}"`;

/**
 * Installs the capture triggers on `tables` (and on the events table unless `events` is false);
 * `next()` starts a new command's group; `stop()` returns the groups.
 */
export function captureRowWrites(db: Db, tables: readonly TableSpec[], events = true): { next(): void; stop(): RowWrite[][] } {
  db.exec(`CREATE TABLE capture_command (n INTEGER NOT NULL); INSERT INTO capture_command VALUES (0);
    CREATE TABLE capture_writes (seq INTEGER PRIMARY KEY, command INTEGER, tbl TEXT, op TEXT, vals TEXT)`);
  const watched = [
    ...(events ? [{ name: 'events', cols: EVENT_COLUMNS, key: ['position'] }] : []),
    ...tables.map((t) => ({ name: t.name, cols: Object.keys(t.columns), key: [...t.primaryKey] })),
  ];
  for (const t of watched) {
    // JSON holds no blob: a blob column (the 16-byte event id) travels as {"$blob": hex} and is turned back into bytes.
    const value = (v: string) => `CASE WHEN typeof(${v}) = 'blob' THEN json_object('$blob', hex(${v})) ELSE ${v} END`;
    const row = (alias: string, cols: readonly string[]) => `json_array(${cols.map((c) => value(`${alias}.${q(c)}`)).join(', ')})`;
    const log = (op: string, vals: string) =>
      `INSERT INTO capture_writes (command, tbl, op, vals) SELECT n, '${t.name}', '${op}', ${vals} FROM capture_command;`;
    db.exec(`CREATE TEMP TRIGGER ${q(`cap_i_${t.name}`)} AFTER INSERT ON ${q(t.name)} BEGIN ${log('upsert', row('NEW', t.cols))} END;
      CREATE TEMP TRIGGER ${q(`cap_u_${t.name}`)} AFTER UPDATE ON ${q(t.name)} BEGIN ${log('upsert', row('NEW', t.cols))} END;
      CREATE TEMP TRIGGER ${q(`cap_d_${t.name}`)} AFTER DELETE ON ${q(t.name)} BEGIN ${log('delete', row('OLD', t.key))} END;`);
  }
  const bump = db.prepare('UPDATE capture_command SET n = n + 1');
  return {
    next: () => bump.run(),
    stop: () => {
      const groups: RowWrite[][] = [];
      for (const r of db.prepare('SELECT command, tbl, op, vals FROM capture_writes ORDER BY seq').all() as {
        command: number;
        tbl: string;
        op: 'upsert' | 'delete';
        vals: string;
      }[]) {
        const group = groups[r.command] ?? [];
        const values = (JSON.parse(r.vals) as unknown[]).map((v) =>
          v !== null && typeof v === 'object' && '$blob' in v ? Buffer.from(String(v.$blob), 'hex') : v,
        );
        group.push({ table: r.tbl, op: r.op, values });
        groups[r.command] = group;
      }
      return groups.filter((g) => g.length > 0);
    },
  };
}

/** Plain better-sqlite3 writing captured rows into a fresh file with the same schema and pragmas. */
export class RawRowWriter {
  readonly db: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();
  private readonly specs: Map<string, { cols: readonly string[]; key: readonly string[] }>;
  readonly writeGroup: (group: readonly RowWrite[]) => void;

  constructor(path: string, synchronous: Synchronous, tables: readonly TableSpec[]) {
    openDatabase(path, { synchronous }).close();
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${synchronous}`);
    for (const t of tables) {
      createTable(this.db, t, t.name);
      createIndexes(this.db, t, t.name, 1);
    }
    this.specs = new Map([
      ['events', { cols: EVENT_COLUMNS, key: ['position'] }],
      ...tables.map((t) => [t.name, { cols: Object.keys(t.columns), key: t.primaryKey }] as const),
    ]);
    const tx = this.db.transaction((group: readonly RowWrite[]) => {
      for (const w of group) this.statement(w.table, w.op).run(...w.values);
    });
    this.writeGroup = (group) => tx.immediate(group);
  }

  private statement(table: string, op: RowWrite['op']): Database.Statement {
    const key = `${op}:${table}`;
    let s = this.statements.get(key);
    if (!s) {
      const spec = this.specs.get(table) as { cols: readonly string[]; key: readonly string[] };
      s =
        op === 'upsert'
          ? this.db.prepare(
              `INSERT OR REPLACE INTO ${q(table)} (${spec.cols.map(q).join(', ')}) VALUES (${spec.cols.map(() => '?').join(', ')})`,
            )
          : this.db.prepare(`DELETE FROM ${q(table)} WHERE ${spec.key.map((k) => `${q(k)} = ?`).join(' AND ')}`);
      this.statements.set(key, s);
    }
    return s;
  }

  close(): void {
    this.db.close();
  }
}

/** Writes the captured groups with plain better-sqlite3, one transaction per group; returns groups per second. */
export function writeRowsRate(path: string, synchronous: Synchronous, tables: readonly TableSpec[], groups: readonly RowWrite[][]): number {
  return writeRowsCost(path, synchronous, tables, groups).rate;
}

/**
 * `writeRowsRate` with the process CPU time (user + system, µs) the writes took: on a shared
 * machine CPU time moves less with other processes' load than wall time does.
 */
export function writeRowsCost(
  path: string,
  synchronous: Synchronous,
  tables: readonly TableSpec[],
  groups: readonly RowWrite[][],
): { rate: number; cpuMicros: number } {
  const writer = new RawRowWriter(path, synchronous, tables);
  const cpu = process.cpuUsage();
  const r = rate(groups.length, () => {
    for (const g of groups) writer.writeGroup(g);
  });
  const used = process.cpuUsage(cpu);
  writer.close();
  return { rate: r, cpuMicros: used.user + used.system };
}
