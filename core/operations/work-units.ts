/**
 * Worker units and dead letters. A unit is one step a worker takes (a hand-off, an ingestion
 * poll, a decision run, a backtest); `run` takes it under the retry policy (`retry.ts`). A unit
 * that fails is parked here with its attempts, first and last failure and last error, and tried
 * again when its backoff is over; after its last attempt it is a **dead letter**, kept until an
 * operator retries or discards it (`clash dead-letters …`, `/api/v1/admin/dead-letters`).
 *
 * A parked unit blocks only the units after it that share its **ordering key** (the steps of one
 * race, one audition): those are parked as `waiting` behind it, visibly (`blocking` counts them),
 * and run once it is done or discarded. Units without a shared key go on. Issue 15.
 */
import { z } from 'zod';
import type { Db } from '../database.ts';
import { NotFoundError } from '../errors.ts';
import { BOUND_LIMIT } from '../statements.ts';
import { backoffMs, exhausted, type Random, type RetryPolicy } from './retry.ts';

/** A unit as a worker names it. */
export interface UnitRef {
  /** Unique within the worker (≤ 200 characters), e.g. `handoff:1234`. */
  readonly id: string;
  /** Units with the same key run in the order they were first seen; null: independent. */
  readonly orderingKey: string | null;
  /** A log position the unit reacts to (the worker reads its input back from it), or null. */
  readonly position: number | null;
  /** What the unit does, for operators (≤ 500 characters). */
  readonly description: string;
}

/** `retrying`: failed, tried again after `nextAttemptAt`; `dead`: out of attempts; `waiting`: behind a parked unit with its ordering key. */
export type UnitState = 'retrying' | 'dead' | 'waiting';

/** A parked unit. Times are epoch ms. */
export interface ParkedUnit extends UnitRef {
  /** Stable while parked: the dead-letter id operators use. */
  readonly seq: number;
  readonly worker: string;
  readonly state: UnitState;
  readonly attempts: number;
  readonly firstFailureAt: number | null;
  readonly lastFailureAt: number | null;
  readonly lastError: string | null;
  readonly nextAttemptAt: number;
  readonly parkedAt: number;
  /** Units waiting behind this one (same worker and ordering key, parked later). */
  readonly blocking: number;
}

/** What `run` did: ran it (`done`), parked it after a failure (`retrying`/`dead`), or left it parked (`not_due`, `blocked`, `dead`). */
export type RunOutcome = 'done' | 'retrying' | 'dead' | 'not_due' | 'blocked';

export const zUnitRef = z.object({
  id: z.string().min(1).max(200),
  orderingKey: z.string().min(1).max(200).nullable(),
  position: z.number().int().positive().nullable(),
  description: z.string().max(500),
});

const SCHEMA = `
CREATE TABLE IF NOT EXISTS work_units (
  seq               INTEGER PRIMARY KEY AUTOINCREMENT,
  worker            TEXT    NOT NULL,
  unit              TEXT    NOT NULL,
  ordering_key      TEXT,
  position          INTEGER,
  description       TEXT    NOT NULL,
  state             TEXT    NOT NULL CHECK (state IN ('retrying', 'dead', 'waiting')),
  attempts          INTEGER NOT NULL,
  first_failure_at  INTEGER,
  last_failure_at   INTEGER,
  last_error        TEXT,
  next_attempt_at   INTEGER NOT NULL,
  parked_at         INTEGER NOT NULL,
  UNIQUE (worker, unit)
) STRICT;
CREATE INDEX IF NOT EXISTS work_units_state ON work_units (state);
`;

interface Row {
  seq: number;
  worker: string;
  unit: string;
  ordering_key: string | null;
  position: number | null;
  description: string;
  state: UnitState;
  attempts: number;
  first_failure_at: number | null;
  last_failure_at: number | null;
  last_error: string | null;
  next_attempt_at: number;
  parked_at: number;
  blocking: number;
}

const SELECT = `SELECT w.*, (SELECT count(*) FROM work_units b WHERE b.worker = w.worker AND b.ordering_key = w.ordering_key
  AND b.seq > w.seq) AS blocking FROM work_units w`;

const errorText = (error: unknown) => (error instanceof Error ? `${error.name}: ${error.message}` : String(error)).slice(0, 2000);

export class WorkUnits {
  private readonly sql;

  /** `random` draws the jitter (`Math.random` by default; tests pass a fixed one). */
  constructor(
    readonly db: Db,
    readonly policy: RetryPolicy,
    private readonly random: Random = Math.random,
  ) {
    if (!db.readonly) db.exec(SCHEMA);
    // A read-only open cannot create the table, and a file no worker ever ran on has none: it
    // has no parked unit, so its reads see an empty temporary table (the temp schema is writable).
    else if (!db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'work_units'").get())
      db.exec(SCHEMA.replace('CREATE TABLE', 'CREATE TEMP TABLE').replace(/CREATE INDEX[^;]*;/, ''));
    this.sql = {
      get: db.prepare<[string, string], Row>(`${SELECT} WHERE w.worker = ? AND w.unit = ?`),
      bySeq: db.prepare<[number], Row>(`${SELECT} WHERE w.seq = ?`),
      blocker: db.prepare<[string, string, number], { seq: number }>(
        'SELECT seq FROM work_units WHERE worker = ? AND ordering_key = ? AND seq < ? ORDER BY seq LIMIT 1',
      ),
      parked: db.prepare<[string], Row>(`${SELECT} WHERE w.worker = ? ORDER BY w.seq`),
      list: db.prepare<[number], Row>(`${SELECT} ORDER BY w.seq LIMIT ${BOUND_LIMIT}`),
      dead: db.prepare<[], { n: number }>("SELECT count(*) AS n FROM work_units WHERE state = 'dead'"),
      waiting: db.prepare<[], { n: number }>("SELECT count(*) AS n FROM work_units WHERE state = 'waiting'"),
      insert: db.prepare(
        `INSERT INTO work_units (worker, unit, ordering_key, position, description, state, attempts, first_failure_at,
           last_failure_at, last_error, next_attempt_at, parked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      fail: db.prepare(
        `UPDATE work_units SET state = ?, attempts = ?, first_failure_at = coalesce(first_failure_at, ?), last_failure_at = ?,
           last_error = ?, next_attempt_at = ? WHERE seq = ?`,
      ),
      retry: db.prepare<[number, number]>("UPDATE work_units SET state = 'retrying', attempts = 0, next_attempt_at = ? WHERE seq = ?"),
      remove: db.prepare<[number]>('DELETE FROM work_units WHERE seq = ?'),
    };
  }

  /**
   * Takes `unit` of `worker` at `now` unless it must wait: a dead letter stays parked (`dead`),
   * a retrying unit before its next attempt stays (`not_due`), and a unit behind a parked one with
   * its ordering key is parked as `waiting` (`blocked`). Otherwise runs `fn`: on success the unit
   * is forgotten (`done`); on failure it is parked `retrying` with its backoff, or `dead` when
   * the policy is exhausted. Never throws what `fn` throws.
   */
  async run(worker: string, unit: UnitRef, now: number, fn: () => Promise<void> | void): Promise<RunOutcome> {
    const ref = zUnitRef.parse(unit);
    let row = this.sql.get.get(worker, ref.id);
    if (row?.state === 'dead') return 'dead';
    if (row?.state === 'retrying' && row.next_attempt_at > now) return 'not_due';
    if (ref.orderingKey !== null && this.sql.blocker.get(worker, ref.orderingKey, row?.seq ?? Number.MAX_SAFE_INTEGER)) {
      if (!row) this.park(worker, ref, 'waiting', now);
      return 'blocked';
    }
    try {
      await fn();
    } catch (error) {
      row ??= this.park(worker, ref, 'retrying', now);
      const attempts = row.attempts + 1;
      const dead = exhausted(this.policy, attempts);
      const next = dead ? now : now + backoffMs(this.policy, attempts, this.random);
      this.sql.fail.run(dead ? 'dead' : 'retrying', attempts, now, now, errorText(error), next, row.seq);
      return dead ? 'dead' : 'retrying';
    }
    if (row) this.sql.remove.run(row.seq);
    return 'done';
  }

  private park(worker: string, ref: UnitRef, state: UnitState, now: number): Row {
    this.sql.insert.run(worker, ref.id, ref.orderingKey, ref.position, ref.description, state, 0, null, null, null, now, now);
    return this.sql.get.get(worker, ref.id) as Row;
  }

  /** The worker's parked units in the order they were parked (the order `run` should revisit them). */
  parked(worker: string): ParkedUnit[] {
    return this.sql.parked.all(worker).map(toParked);
  }

  /** Every parked unit of every worker (at most `limit`), oldest first. */
  list(limit = 1000): ParkedUnit[] {
    return this.sql.list.all(limit).map(toParked);
  }

  /** A parked unit by its seq; NotFoundError (404 `not_found`) when there is none. */
  show(seq: number): ParkedUnit {
    const row = this.sql.bySeq.get(seq);
    if (!row) throw new NotFoundError('dead letter', String(seq));
    return toParked(row);
  }

  /** Gives a parked unit a fresh set of attempts, due at `now`; returns it. */
  retry(seq: number, now: number): ParkedUnit {
    this.show(seq);
    this.sql.retry.run(now, seq);
    return this.show(seq);
  }

  /** Forgets a parked unit without running it (the units behind it go on); returns what was discarded. */
  discard(seq: number): ParkedUnit {
    const unit = this.show(seq);
    this.sql.remove.run(seq);
    return unit;
  }

  /** How many dead letters and waiting units there are (a few rows: the table holds parked units only). */
  counts(): { dead: number; waiting: number } {
    return { dead: this.sql.dead.get()?.n ?? 0, waiting: this.sql.waiting.get()?.n ?? 0 };
  }
}

function toParked(r: Row): ParkedUnit {
  return {
    seq: r.seq,
    worker: r.worker,
    id: r.unit,
    orderingKey: r.ordering_key,
    position: r.position,
    description: r.description,
    state: r.state,
    attempts: r.attempts,
    firstFailureAt: r.first_failure_at,
    lastFailureAt: r.last_failure_at,
    lastError: r.last_error,
    nextAttemptAt: r.next_attempt_at,
    parkedAt: r.parked_at,
    blocking: r.blocking,
  };
}
