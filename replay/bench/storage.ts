/**
 * What one prop trading action costs on disk, beside plain better-sqlite3 writing the same rows
 * (events and inline read models, captured as in `row-capture.ts`) one transaction per action:
 *   1. file bytes per event: the growth of every table and its indexes (SQLite's `dbstat`,
 *      whole pages) over the run, divided by the events the run appended;
 *   2. WAL frames per action: automatic checkpoints are off during the run, so the WAL's frame
 *      count at the end (`PRAGMA wal_checkpoint`) is every page the run's commits wrote.
 * Lower is better for both; the ratio is ours / raw, so 1.0 means no overhead beyond the rows.
 */
import type { Db } from '../../core/database.ts';
import { type Figure, figure, type Scratch } from './measure.ts';
import { propTables, tradingWorkload } from './prop-trading.ts';
import { captureRowWrites, RawRowWriter, type RowWrite } from './row-capture.ts';

/** Bytes (whole pages) of each table with its indexes. */
function tableBytes(db: Db): Map<string, number> {
  const rows = db
    .prepare<[], { tbl: string; bytes: number }>(
      `SELECT coalesce(m.tbl_name, s.name) AS tbl, sum(s.pgsize) AS bytes
       FROM dbstat s LEFT JOIN sqlite_schema m ON m.name = s.name GROUP BY tbl`,
    )
    .all();
  return new Map(rows.map((r) => [r.tbl, r.bytes]));
}

interface Usage {
  /** Bytes each table (with its indexes) grew by. */
  readonly grown: Map<string, number>;
  readonly walFrames: number;
}

/** Runs `write` with automatic checkpoints off; returns what it added to each table and the WAL frames it wrote. */
function usageOf(db: Db, write: () => void): Usage {
  db.pragma('wal_autocheckpoint = 0');
  db.pragma('wal_checkpoint(TRUNCATE)');
  const before = tableBytes(db);
  write();
  const [wal] = db.pragma('wal_checkpoint(PASSIVE)') as { log: number }[];
  db.pragma('wal_checkpoint(TRUNCATE)');
  const after = tableBytes(db);
  const grown = new Map([...after].map(([t, b]) => [t, b - (before.get(t) ?? 0)] as const).filter(([, b]) => b > 0));
  return { grown, walFrames: wal?.log ?? 0 };
}

const total = (u: Usage) => [...u.grown.values()].reduce((a, b) => a + b, 0);
const perEvent = (bytes: number, events: number) => Math.round(bytes / events).toLocaleString('en-US');

export interface StorageBenchOptions {
  readonly scratch: Scratch;
  readonly actions: number;
  readonly onFigure: (f: Figure) => void;
}

export function runStorageBench(o: StorageBenchOptions): Figure[] {
  const accounts = 50;
  const capturing = tradingWorkload(o.scratch.file('storage-capture'), 'OFF', o.actions, accounts);
  const capture = captureRowWrites(capturing.db, propTables);
  capturing.run(capture.next);
  const groups: RowWrite[][] = capture.stop();
  capturing.close();

  const w = tradingWorkload(o.scratch.file('storage'), 'NORMAL', o.actions, accounts);
  const head = () => (w.db.prepare('SELECT max(position) AS p FROM events').get() as { p: number }).p;
  const first = head();
  const ours = usageOf(w.db, () => w.run());
  const events = head() - first;
  // What the events rows hold, per event: the stored data text (compact since schema 4, core/stored-data.ts) and the metadata text.
  const texts = w.db
    .prepare<[number], { data: number; metadata: number }>(
      'SELECT avg(length(CAST(data AS BLOB))) AS data, avg(length(CAST(metadata AS BLOB))) AS metadata FROM events WHERE position > ?',
    )
    .get(first);
  w.close();

  const raw = new RawRowWriter(o.scratch.file('storage-raw'), 'NORMAL', propTables);
  const baseline = usageOf(raw.db, () => {
    for (const g of groups) raw.writeGroup(g);
  });
  raw.close();

  const byTable = [...ours.grown]
    .sort(([, a], [, b]) => b - a)
    .map(([t, b]) => `${t} ${perEvent(b, events)}`)
    .join(', ');
  const figures = [
    figure(
      `prop trading: file bytes per event on the action path (${events.toLocaleString('en-US')} events from ${o.actions.toLocaleString('en-US')} actions; lower is better)`,
      'bytes/event',
      total(ours) / events,
      total(baseline) / events,
      undefined,
      `ours by table (bytes/event, indexes included): ${byTable}; of the events rows, the data text ${Math.round(texts?.data ?? 0)} and the metadata text ${Math.round(texts?.metadata ?? 0)} bytes on average; baseline: the same event and read-model rows written raw (no idempotency rows)`,
    ),
    figure(
      'prop trading: WAL frames per action (one commit per action, synchronous=NORMAL; lower is better)',
      'frames/action',
      ours.walFrames / o.actions,
      baseline.walFrames / o.actions,
      undefined,
      `a frame is one ${(4096).toLocaleString('en-US')}-byte page; baseline: the same rows written raw, one transaction per action`,
    ),
  ];
  for (const f of figures) o.onFigure(f);
  return figures;
}
