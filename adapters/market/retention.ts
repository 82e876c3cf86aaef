/**
 * Retention of market memory (seed `002_…` "Retention And Granularity"): 1m candles and what
 * comes with them (indicator rows, mids, asset contexts, predicted fundings) are kept for
 * `minuteRowsMs` (24 h), 1h rollups for `hourRowsMs` (7 days). Older rows are archived, then
 * deleted: one gzip-compressed NDJSON file per source, asset and UTC day in the artifact store,
 * `market/hyperliquid/<ASSET>/<YYYY-MM-DD>.ndjson.gz`, each line `{"table", "row"}` with the
 * row exactly as stored.
 *
 * Idempotent and crash-safe: for each (asset, day) the file already in the store is read, the
 * rows due are merged into it by primary key, the file is written whole, and only then are
 * exactly those rows deleted (one transaction). A crash after the write and before the delete
 * leaves the rows in the table; the next run merges them again — same keys, same file — and
 * deletes them: nothing lost, nothing duplicated.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import type { Db } from '../../core/database.ts';
import { ValidationError } from '../../core/errors.ts';
import type { ArtifactInfo, ArtifactStore } from '../artifacts/store.ts';
import { DerivedSeries } from './derived/derived-series.ts';
import { LiveRows } from './live-rows.ts';
import { HOUR_MS, MarketMemory } from './market-memory.ts';

export const DAY_MS = 86_400_000;
export const ARCHIVE_PREFIX = 'market/hyperliquid/';

export interface RetentionPolicy {
  /** How long 1m candles, indicators, mids, contexts and predicted fundings stay, ms (seed default 24 h). */
  readonly minuteRowsMs: number;
  /** How long 1h rollups stay, ms (seed default 7 days). */
  readonly hourRowsMs: number;
}

export const DEFAULT_RETENTION: RetentionPolicy = { minuteRowsMs: DAY_MS, hourRowsMs: 7 * DAY_MS };

/** A table under retention: its primary key, the column the cutoff reads, the column the day comes from, and which cutoff applies. */
interface Retained {
  readonly table: string;
  readonly key: readonly string[];
  readonly time: string;
  readonly day: string;
  readonly where: string;
  readonly horizon: 'minute' | 'hour';
}

const TABLES: readonly Retained[] = [
  {
    table: 'market_candles',
    key: ['asset', 'interval_ms', 'open_time'],
    time: 'close_time',
    day: 'open_time',
    where: 'interval_ms = 60000',
    horizon: 'minute',
  },
  {
    table: 'market_candles',
    key: ['asset', 'interval_ms', 'open_time'],
    time: 'close_time',
    day: 'open_time',
    where: `interval_ms = ${HOUR_MS}`,
    horizon: 'hour',
  },
  { table: 'market_indicators', key: ['asset', 'open_time'], time: 'close_time', day: 'open_time', where: '1', horizon: 'minute' },
  { table: 'market_mids', key: ['asset', 'time'], time: 'time', day: 'time', where: '1', horizon: 'minute' },
  { table: 'market_contexts', key: ['asset', 'time'], time: 'time', day: 'time', where: '1', horizon: 'minute' },
  { table: 'market_predicted_funding', key: ['asset', 'venue', 'time'], time: 'time', day: 'time', where: '1', horizon: 'minute' },
];
const KEYS: Readonly<Record<string, readonly string[]>> = Object.fromEntries(TABLES.map((t) => [t.table, t.key]));

type Row = Record<string, string | number | null>;
interface Line {
  readonly table: string;
  readonly row: Row;
}

/** A key segment for an asset name: letters and digits kept, anything else as `=XX` (hex of its UTF-8 bytes). */
export function assetSegment(asset: string): string {
  return [...Buffer.from(asset, 'utf8')]
    .map((b) => (/[A-Za-z0-9]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `=${b.toString(16).toUpperCase().padStart(2, '0')}`))
    .join('');
}

/** The archive key of an asset's UTC day (`day` = floor(ms / 86,400,000)). */
export function archiveKey(asset: string, day: number): string {
  return `${ARCHIVE_PREFIX}${assetSegment(asset)}/${new Date(day * DAY_MS).toISOString().slice(0, 10)}.ndjson.gz`;
}

const lineKey = (l: Line) => `${l.table}|${(KEYS[l.table] ?? []).map((k) => String(l.row[k])).join('|')}`;

function decode(bytes: Uint8Array | undefined): Line[] {
  if (!bytes) return [];
  return gunzipSync(bytes)
    .toString('utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Line);
}

function encode(lines: readonly Line[]): Uint8Array {
  return gzipSync(lines.map((l) => JSON.stringify(l)).join('\n') + (lines.length > 0 ? '\n' : ''));
}

export interface RetentionReport {
  /** Archive files written (created or merged). */
  readonly files: readonly string[];
  /** Rows copied into archives and deleted from the tables. */
  readonly rows: number;
}

export class MarketRetention {
  constructor(
    readonly db: Db,
    readonly store: ArtifactStore,
    readonly policy: RetentionPolicy = DEFAULT_RETENTION,
    /** Test hook: runs after an archive is written and before its rows are deleted (a crash there must lose nothing). */
    private readonly afterArchive?: (key: string) => void,
  ) {
    const memory = new MarketMemory(db);
    new DerivedSeries(db);
    new LiveRows(db, memory);
  }

  private cutoff(t: Retained, now: number): number {
    return now - (t.horizon === 'minute' ? this.policy.minuteRowsMs : this.policy.hourRowsMs);
  }

  /** Archives then deletes every row older than its horizon at `now` (ms), one (asset, day) at a time. */
  async run(now: number): Promise<RetentionReport> {
    const groups = new Map<string, { asset: string; day: number }>();
    for (const t of TABLES) {
      const due = this.db
        .prepare<[number], { asset: string; day: number }>(
          `SELECT DISTINCT asset, ${t.day} / ${DAY_MS} AS day FROM ${t.table} WHERE ${t.where} AND ${t.time} <= ?`,
        )
        .all(this.cutoff(t, now));
      for (const g of due) groups.set(`${g.asset}|${g.day}`, g);
    }
    const files: string[] = [];
    let rows = 0;
    for (const { asset, day } of [...groups.values()].sort((a, b) => a.day - b.day || (a.asset < b.asset ? -1 : 1))) {
      rows += await this.archiveDay(asset, day, now);
      files.push(archiveKey(asset, day));
    }
    return { files, rows };
  }

  private async archiveDay(asset: string, day: number, now: number): Promise<number> {
    const due: Line[] = [];
    for (const t of TABLES) {
      const found = this.db
        .prepare<[string, number, number, number], Row>(
          `SELECT * FROM ${t.table} WHERE asset = ? AND ${t.where} AND ${t.day} >= ? AND ${t.day} < ? AND ${t.time} <= ?
           ORDER BY ${t.key.join(', ')}`,
        )
        .all(asset, day * DAY_MS, (day + 1) * DAY_MS, this.cutoff(t, now));
      for (const row of found) due.push({ table: t.table, row });
    }
    const key = archiveKey(asset, day);
    const merged = new Map<string, Line>();
    for (const l of decode(await this.store.get(key))) merged.set(lineKey(l), l);
    for (const l of due) merged.set(lineKey(l), l);
    const lines = [...merged.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, l]) => l);
    await this.store.put(key, encode(lines));
    this.afterArchive?.(key);
    this.db.transaction(() => {
      for (const l of due) {
        const cols = KEYS[l.table] ?? [];
        this.db
          .prepare(`DELETE FROM ${l.table} WHERE ${cols.map((c) => `${c} = ?`).join(' AND ')}`)
          .run(...cols.map((c) => l.row[c] ?? null));
      }
    })();
    return due.length;
  }
}

/** Every market archive in the store (optionally of one asset), sorted by key. */
export function listArchives(store: ArtifactStore, asset?: string): Promise<ArtifactInfo[]> {
  return store.list(asset === undefined ? ARCHIVE_PREFIX : `${ARCHIVE_PREFIX}${assetSegment(asset)}/`);
}

/**
 * Brings an archived day back into the tables (for a backtest): every row of
 * `archiveKey(asset, day)` is written as it was (replacing a row with the same key). Throws
 * `ValidationError` when there is no such archive. Returns the rows restored per table. The
 * next retention run archives them again (merging into the same file), so restore into a
 * database without retention running — `clash market archive restore --db backtest.db`.
 */
export async function restoreArchive(db: Db, store: ArtifactStore, asset: string, day: number): Promise<Record<string, number>> {
  const key = archiveKey(asset, day);
  const bytes = await store.get(key);
  if (!bytes) throw new ValidationError('archive', [{ path: key, message: 'no such archive in the artifact store' }]);
  const memory = new MarketMemory(db);
  new DerivedSeries(db);
  new LiveRows(db, memory);
  const counts: Record<string, number> = {};
  db.transaction(() => {
    for (const l of decode(bytes)) {
      if (!KEYS[l.table]) continue;
      const cols = Object.keys(l.row);
      if (!cols.every((c) => /^[a-z_0-9]+$/.test(c))) continue;
      db.prepare(`INSERT OR REPLACE INTO ${l.table} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`).run(
        ...cols.map((c) => l.row[c] ?? null),
      );
      counts[l.table] = (counts[l.table] ?? 0) + 1;
    }
  })();
  return counts;
}
