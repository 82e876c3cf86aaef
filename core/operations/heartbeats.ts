/**
 * Worker heartbeats: every worker process writes one row per tick (process id, host, started,
 * last beat, last success, last error, units in flight), so any process reading the same file —
 * the API's `/internal/health/workers`, the alert rules, `/metrics` — sees every worker's state.
 * Rows live in a table beside the log, not in it: a beat is not a domain fact (issue 15).
 */
import type { Db } from '../database.ts';

/** What a worker reports of its last tick. Times are epoch ms. */
export interface Beat {
  readonly worker: string;
  readonly host: string;
  readonly pid: number;
  readonly startedAt: number;
  readonly lastBeatAt: number;
  readonly lastSuccessAt: number | null;
  /** The last failure's message (≤ 2000 characters) and time; kept after a later success, for the record. */
  readonly lastError: string | null;
  readonly lastErrorAt: number | null;
  readonly unitsInFlight: number;
  /** How often the worker beats, in ms: staleness is counted in these. */
  readonly intervalMs: number;
  /** Small named figures a worker reports for alert rules (e.g. `unresolved` findings); ≤ 20 entries. */
  readonly signals: Readonly<Record<string, number>>;
}

/** `ok`; `stale`: no beat for more than `staleBeats` intervals (the process is gone or stuck); `failing`: the last tick failed. */
export type WorkerState = 'ok' | 'stale' | 'failing';

export interface WorkerHealth extends Beat {
  readonly state: WorkerState;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS worker_heartbeats (
  worker           TEXT    NOT NULL,
  host             TEXT    NOT NULL,
  pid              INTEGER NOT NULL,
  started_at       INTEGER NOT NULL,
  last_beat_at     INTEGER NOT NULL,
  last_success_at  INTEGER,
  last_error       TEXT,
  last_error_at    INTEGER,
  units_in_flight  INTEGER NOT NULL,
  interval_ms      INTEGER NOT NULL,
  signals          TEXT    NOT NULL,
  PRIMARY KEY (worker, host, pid)
) STRICT;
`;

interface Row {
  worker: string;
  host: string;
  pid: number;
  started_at: number;
  last_beat_at: number;
  last_success_at: number | null;
  last_error: string | null;
  last_error_at: number | null;
  units_in_flight: number;
  interval_ms: number;
  signals: string;
}

/** The state of a beat at `now`: stale first (a dead process's last tick says nothing), then failing. */
export function workerState(beat: Beat, now: number, staleBeats: number): WorkerState {
  if (now - beat.lastBeatAt > staleBeats * beat.intervalMs) return 'stale';
  if (beat.lastErrorAt !== null && (beat.lastSuccessAt === null || beat.lastErrorAt > beat.lastSuccessAt)) return 'failing';
  return 'ok';
}

export class Heartbeats {
  private readonly sql;

  constructor(readonly db: Db) {
    if (!db.readonly) db.exec(SCHEMA);
    this.sql = {
      put: db.prepare(
        `INSERT INTO worker_heartbeats VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (worker, host, pid) DO UPDATE SET last_beat_at = excluded.last_beat_at, last_success_at = excluded.last_success_at,
           last_error = excluded.last_error, last_error_at = excluded.last_error_at, units_in_flight = excluded.units_in_flight,
           interval_ms = excluded.interval_ms, signals = excluded.signals`,
      ),
      all: db.prepare<[], Row>('SELECT * FROM worker_heartbeats ORDER BY worker, host, pid'),
      remove: db.prepare<[string, string, number]>('DELETE FROM worker_heartbeats WHERE worker = ? AND host = ? AND pid = ?'),
      sameHost: db.prepare<[string, string], { pid: number }>('SELECT pid FROM worker_heartbeats WHERE worker = ? AND host = ?'),
    };
  }

  /** Records a beat (replacing the process's previous one). */
  beat(b: Beat): void {
    this.sql.put.run(
      b.worker,
      b.host,
      b.pid,
      b.startedAt,
      b.lastBeatAt,
      b.lastSuccessAt,
      b.lastError?.slice(0, 2000) ?? null,
      b.lastErrorAt,
      b.unitsInFlight,
      b.intervalMs,
      JSON.stringify(b.signals),
    );
  }

  /**
   * A worker starting on `host`: removes that worker's rows of processes on the same host that
   * are not running any more (`alive(pid)` false: they died without stopping). Rows of live
   * processes stay (several processes may run one worker).
   */
  starting(worker: string, host: string, alive: (pid: number) => boolean): void {
    for (const row of this.sql.sameHost.all(worker, host)) if (!alive(row.pid)) this.sql.remove.run(worker, host, row.pid);
  }

  /** A worker that stopped cleanly leaves no row behind (a missing row is not a stale worker). */
  stopped(worker: string, host: string, pid: number): void {
    this.sql.remove.run(worker, host, pid);
  }

  /** Every worker process's last beat with its state at `now`, by worker, host and pid. */
  list(now: number, staleBeats: number): WorkerHealth[] {
    return this.sql.all.all().map((r) => {
      const beat: Beat = {
        worker: r.worker,
        host: r.host,
        pid: r.pid,
        startedAt: r.started_at,
        lastBeatAt: r.last_beat_at,
        lastSuccessAt: r.last_success_at,
        lastError: r.last_error,
        lastErrorAt: r.last_error_at,
        unitsInFlight: r.units_in_flight,
        intervalMs: r.interval_ms,
        signals: JSON.parse(r.signals) as Record<string, number>,
      };
      return { ...beat, state: workerState(beat, now, staleBeats) };
    });
  }
}
