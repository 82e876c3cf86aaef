/**
 * Ingestion health per source and channel (`hyperliquid/candles`, `polymarket/markets`, …).
 * Sources report successes (rows, newest row time, asset), failures and invalid payloads to an
 * `IngestionHealth`; it accumulates them in memory and `flush()` writes them to three small
 * tables, so `clash ingest status` in another process reads the same figures as the API.
 *
 * State of a channel at `now` (`doc/market-data.md` "Health"):
 * - `failing`: the last attempt failed (consecutive errors ≥ 1), or nothing has ever succeeded;
 * - `stale`: lag (now − newest row time) over the channel's bound;
 * - `ok` otherwise.
 */
import type { Db } from '../../../core/database.ts';

export type HealthState = 'ok' | 'stale' | 'failing';

/** One channel's health as `GET /api/v1/internal/health/ingestion` reports it; times in ms since the epoch. */
export interface ChannelHealth {
  readonly source: string;
  readonly channel: string;
  readonly state: HealthState;
  readonly lastSuccessAt: number | null;
  readonly lastErrorAt: number | null;
  readonly lastError: string | null;
  readonly consecutiveErrors: number;
  readonly invalidPayloads: number;
  readonly rowsLastHour: number;
  /** now − newest row time, ms; null before the first row. */
  readonly lagMs: number | null;
  readonly staleAfterMs: number;
  /** Per-asset channels: assets with a row within the bound / assets expected; null otherwise. */
  readonly coverage: { readonly fresh: number; readonly expected: number } | null;
}

interface Pending {
  lastSuccessAt: number | null;
  lastErrorAt: number | null;
  lastError: string | null;
  consecutiveErrors: number;
  invalid: number;
  newestTime: number | null;
  staleAfterMs: number;
  expectedAssets: number | null;
  minutes: Map<number, number>;
  assets: Map<string, number>;
  dirty: boolean;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS market_ingest_health (
  source TEXT NOT NULL, channel TEXT NOT NULL, last_success_at INTEGER, last_error_at INTEGER, last_error TEXT,
  consecutive_errors INTEGER NOT NULL, invalid_payloads INTEGER NOT NULL, newest_time INTEGER, stale_after_ms INTEGER NOT NULL,
  expected_assets INTEGER, PRIMARY KEY (source, channel)
) STRICT;
CREATE TABLE IF NOT EXISTS market_ingest_minutes (
  source TEXT NOT NULL, channel TEXT NOT NULL, minute INTEGER NOT NULL, rows INTEGER NOT NULL, PRIMARY KEY (source, channel, minute)
) STRICT;
CREATE TABLE IF NOT EXISTS market_ingest_assets (
  source TEXT NOT NULL, channel TEXT NOT NULL, asset TEXT NOT NULL, newest_time INTEGER NOT NULL, PRIMARY KEY (source, channel, asset)
) STRICT;
`;

const MINUTE = 60_000;
const HOUR = 3_600_000;
/** An error message is cut to this many characters before it is stored. */
const MAX_ERROR = 500;

type HealthRow = {
  source: string;
  channel: string;
  last_success_at: number | null;
  last_error_at: number | null;
  last_error: string | null;
  consecutive_errors: number;
  invalid_payloads: number;
  newest_time: number | null;
  stale_after_ms: number;
  expected_assets: number | null;
};

export class IngestionHealth {
  private readonly pending = new Map<string, Pending>();

  /** `now` is the wall clock of the ingestion (ms); tests pass a manual one. */
  constructor(
    readonly db: Db,
    private readonly now: () => number,
  ) {
    ensureHealthTables(db);
  }

  private entry(source: string, channel: string, staleAfterMs?: number): Pending {
    const key = `${source}\u0000${channel}`;
    let p = this.pending.get(key);
    if (!p) {
      const row = this.db
        .prepare<[string, string], HealthRow>('SELECT * FROM market_ingest_health WHERE source = ? AND channel = ?')
        .get(source, channel);
      p = {
        lastSuccessAt: row?.last_success_at ?? null,
        lastErrorAt: row?.last_error_at ?? null,
        lastError: row?.last_error ?? null,
        consecutiveErrors: row?.consecutive_errors ?? 0,
        invalid: row?.invalid_payloads ?? 0,
        newestTime: row?.newest_time ?? null,
        staleAfterMs: row?.stale_after_ms ?? 120_000,
        expectedAssets: row?.expected_assets ?? null,
        minutes: new Map(),
        assets: new Map(),
        dirty: true,
      };
      this.pending.set(key, p);
    }
    if (staleAfterMs !== undefined && p.staleAfterMs !== staleAfterMs) {
      p.staleAfterMs = staleAfterMs;
      p.dirty = true;
    }
    return p;
  }

  /** Declares a channel, its staleness bound (ms) and, for per-asset channels, how many assets it should cover. */
  declare(source: string, channel: string, staleAfterMs: number, expectedAssets: number | null = null): void {
    const p = this.entry(source, channel, staleAfterMs);
    p.expectedAssets = expectedAssets;
    p.dirty = true;
  }

  /** A successful receive or poll: `rows` stored, the newest row's source time (ms) and its asset, if any. */
  success(source: string, channel: string, rows: number, newestTime?: number, asset?: string): void {
    const p = this.entry(source, channel);
    const now = this.now();
    p.lastSuccessAt = now;
    p.consecutiveErrors = 0;
    if (newestTime !== undefined) {
      p.newestTime = Math.max(p.newestTime ?? newestTime, newestTime);
      if (asset !== undefined) p.assets.set(asset, Math.max(p.assets.get(asset) ?? newestTime, newestTime));
    }
    if (rows > 0) {
      const minute = now - (now % MINUTE);
      p.minutes.set(minute, (p.minutes.get(minute) ?? 0) + rows);
    }
    p.dirty = true;
  }

  /** A failed connection, request or write. */
  failure(source: string, channel: string, error: unknown): void {
    const p = this.entry(source, channel);
    p.lastErrorAt = this.now();
    p.lastError = (error instanceof Error ? error.message : String(error)).slice(0, MAX_ERROR);
    p.consecutiveErrors += 1;
    p.dirty = true;
  }

  /** A payload that failed validation: counted, its first problem kept as the last error; nothing stored. */
  invalid(source: string, channel: string, problem: string): void {
    const p = this.entry(source, channel);
    p.invalid += 1;
    p.lastErrorAt = this.now();
    p.lastError = `invalid payload: ${problem}`.slice(0, MAX_ERROR);
    p.dirty = true;
  }

  /** Writes what changed since the last flush, in one transaction; minute counts older than an hour are dropped. */
  flush(): void {
    const now = this.now();
    const upsert = this.db.prepare(
      `INSERT INTO market_ingest_health VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (source, channel) DO UPDATE SET last_success_at = excluded.last_success_at, last_error_at = excluded.last_error_at,
         last_error = excluded.last_error, consecutive_errors = excluded.consecutive_errors, invalid_payloads = excluded.invalid_payloads,
         newest_time = excluded.newest_time, stale_after_ms = excluded.stale_after_ms, expected_assets = excluded.expected_assets`,
    );
    const minute = this.db.prepare(
      `INSERT INTO market_ingest_minutes VALUES (?, ?, ?, ?)
       ON CONFLICT (source, channel, minute) DO UPDATE SET rows = rows + excluded.rows`,
    );
    const asset = this.db.prepare(
      `INSERT INTO market_ingest_assets VALUES (?, ?, ?, ?)
       ON CONFLICT (source, channel, asset) DO UPDATE SET newest_time = max(newest_time, excluded.newest_time)`,
    );
    this.db.transaction(() => {
      for (const [key, p] of this.pending) {
        if (!p.dirty) continue;
        const [source, channel] = key.split('\u0000') as [string, string];
        upsert.run(
          source,
          channel,
          p.lastSuccessAt,
          p.lastErrorAt,
          p.lastError,
          p.consecutiveErrors,
          p.invalid,
          p.newestTime,
          p.staleAfterMs,
          p.expectedAssets,
        );
        for (const [m, rows] of p.minutes) minute.run(source, channel, m, rows);
        for (const [a, t] of p.assets) asset.run(source, channel, a, t);
        p.minutes.clear();
        p.assets.clear();
        p.dirty = false;
      }
      this.db.prepare('DELETE FROM market_ingest_minutes WHERE minute < ?').run(now - HOUR);
    })();
  }
}

/** Creates the health tables (readers call it too, so a status on a fresh database answers empty). */
export function ensureHealthTables(db: Db): void {
  db.exec(SCHEMA);
}

/** Every channel's health at `now` (ms), sorted by source and channel. */
export function ingestionStatus(db: Db, now: number): ChannelHealth[] {
  ensureHealthTables(db);
  const rows = db.prepare<[], HealthRow>('SELECT * FROM market_ingest_health ORDER BY source, channel').all();
  const rowsLastHour = db.prepare<[string, string, number], { n: number | null }>(
    'SELECT sum(rows) AS n FROM market_ingest_minutes WHERE source = ? AND channel = ? AND minute >= ?',
  );
  const fresh = db.prepare<[string, string, number], { n: number }>(
    'SELECT count(*) AS n FROM market_ingest_assets WHERE source = ? AND channel = ? AND newest_time >= ?',
  );
  return rows.map((r) => {
    const lagMs = r.newest_time === null ? null : Math.max(0, now - r.newest_time);
    const failing = r.consecutive_errors > 0 || r.last_success_at === null;
    const stale = lagMs === null || lagMs > r.stale_after_ms;
    return {
      source: r.source,
      channel: r.channel,
      state: failing ? 'failing' : stale ? 'stale' : 'ok',
      lastSuccessAt: r.last_success_at,
      lastErrorAt: r.last_error_at,
      lastError: r.last_error,
      consecutiveErrors: r.consecutive_errors,
      invalidPayloads: r.invalid_payloads,
      rowsLastHour: rowsLastHour.get(r.source, r.channel, now - HOUR)?.n ?? 0,
      lagMs,
      staleAfterMs: r.stale_after_ms,
      coverage:
        r.expected_assets === null
          ? null
          : { fresh: fresh.get(r.source, r.channel, now - r.stale_after_ms)?.n ?? 0, expected: r.expected_assets },
    };
  });
}
