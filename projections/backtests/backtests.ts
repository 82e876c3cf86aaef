/**
 * Read model `backtests`: each job's status, request, frozen limits and estimate, refusal,
 * progress, metrics and artifacts, for the history, status and comparison routes.
 */

import type { Estimate } from '../../commands/backtests/estimate.ts';
import type { ArtifactRef, BacktestEvent, LiveWindowVerdict } from '../../commands/backtests/events.ts';
import type { BacktestLimits, LimitName } from '../../commands/backtests/limits.ts';
import type { BacktestMetrics } from '../../commands/backtests/metrics.ts';
import type { RunShape } from '../../commands/backtests/request.ts';
import type { TierName } from '../../commands/entitlements/tiers.ts';
import type { Db } from '../../core/database.ts';
import type { RecordedEvent } from '../../core/event-store.ts';
import { defineProjection } from '../../core/projection.ts';
import { BOUND_LIMIT, prepared } from '../../core/statements.ts';

export const backtestsProjection = defineProjection({
  name: 'backtests',
  // 2: artifact expiry (`artifacts_expire_at`, `artifacts_expired_at`); 3: a live-window re-run's verdict (`live_window`)
  version: 3,
  mode: 'inline',
  eventTypes: [
    'BacktestRequested',
    'BacktestAccepted',
    'BacktestRefused',
    'BacktestLeased',
    'BacktestProgressed',
    'BacktestFinished',
    'BacktestFailed',
    'BacktestArtifactsExpired',
  ],
  tables: [
    {
      name: 'backtests',
      columns: {
        backtest_id: 'TEXT NOT NULL',
        clone_id: 'TEXT NOT NULL',
        user_id: 'TEXT NOT NULL',
        status: 'TEXT NOT NULL',
        tier: 'TEXT NOT NULL',
        run: 'TEXT NOT NULL',
        limits: 'TEXT NOT NULL',
        estimate: 'TEXT NOT NULL',
        refusal: 'TEXT',
        attempts: 'INTEGER NOT NULL',
        steps_done: 'INTEGER NOT NULL',
        steps_total: 'INTEGER NOT NULL',
        simulated_at: 'INTEGER',
        metrics: 'TEXT',
        /** JSON `LiveWindowVerdict` of a live-window re-run once finished; NULL otherwise. */
        live_window: 'TEXT',
        artifacts: 'TEXT NOT NULL',
        /** The earliest expiry (Unix ms) of artifacts not yet expired; NULL when none is pending. */
        artifacts_expire_at: 'INTEGER',
        artifacts_expired_at: 'INTEGER',
        failure: 'TEXT',
        requested_at: 'INTEGER NOT NULL',
        ended_at: 'INTEGER',
      },
      primaryKey: ['backtest_id'],
      indexes: [['clone_id', 'requested_at'], ['status', 'requested_at'], ['artifacts_expire_at']],
    },
  ],
  bind(db, t) {
    const insert = db.prepare(
      `INSERT INTO "${t.backtests}" (backtest_id, clone_id, user_id, status, tier, run, limits, estimate, refusal, attempts, steps_done,
         steps_total, simulated_at, metrics, live_window, artifacts, artifacts_expire_at, artifacts_expired_at, failure, requested_at, ended_at)
       VALUES (?, ?, ?, 'requested', ?, ?, ?, ?, NULL, 0, 0, ?, NULL, NULL, NULL, '[]', NULL, NULL, NULL, ?, NULL)`,
    );
    const status = db.prepare(`UPDATE "${t.backtests}" SET status = ? WHERE backtest_id = ?`);
    const refuse = db.prepare(`UPDATE "${t.backtests}" SET status = 'refused', refusal = ?, ended_at = ? WHERE backtest_id = ?`);
    const lease = db.prepare(`UPDATE "${t.backtests}" SET status = 'running', attempts = ?, steps_done = 0 WHERE backtest_id = ?`);
    const progress = db.prepare(`UPDATE "${t.backtests}" SET steps_done = ?, simulated_at = ? WHERE backtest_id = ?`);
    const finish = db.prepare(
      `UPDATE "${t.backtests}" SET status = 'finished', steps_done = steps_total, metrics = ?, live_window = ?, artifacts = ?,
         artifacts_expire_at = ?, ended_at = ? WHERE backtest_id = ?`,
    );
    const expired = db.prepare(`UPDATE "${t.backtests}" SET artifacts_expire_at = NULL, artifacts_expired_at = ? WHERE backtest_id = ?`);
    const fail = db.prepare(`UPDATE "${t.backtests}" SET status = 'failed', failure = ?, ended_at = ? WHERE backtest_id = ?`);
    return (raw: RecordedEvent) => {
      const e = raw as RecordedEvent<BacktestEvent>;
      switch (e.type) {
        case 'BacktestRequested': {
          const d = e.data;
          const json = JSON.stringify;
          insert.run(
            d.backtestId,
            d.cloneId,
            d.userId,
            d.tier,
            json(d.run),
            json(d.limits),
            json(d.estimate),
            d.estimate.replaySteps,
            d.requestedAt,
          );
          return;
        }
        case 'BacktestAccepted':
          status.run('queued', e.data.backtestId);
          return;
        case 'BacktestRefused': {
          const { limit, allowed, requested } = e.data;
          refuse.run(JSON.stringify({ limit, allowed, requested }), e.data.refusedAt, e.data.backtestId);
          return;
        }
        case 'BacktestLeased':
          lease.run(e.data.attempt, e.data.backtestId);
          return;
        case 'BacktestProgressed':
          progress.run(e.data.stepsDone, e.data.simulatedAt, e.data.backtestId);
          return;
        case 'BacktestFinished': {
          const expiries = e.data.artifacts.flatMap((a) => (a.expiresAt === null ? [] : [a.expiresAt]));
          const expireAt = expiries.length === 0 ? null : Math.min(...expiries);
          const { metrics, liveWindow, artifacts, finishedAt, backtestId } = e.data;
          const verdict = liveWindow ? JSON.stringify(liveWindow) : null;
          finish.run(JSON.stringify(metrics), verdict, JSON.stringify(artifacts), expireAt, finishedAt, backtestId);
          return;
        }
        case 'BacktestArtifactsExpired':
          expired.run(e.data.expiredAt, e.data.backtestId);
          return;
        case 'BacktestFailed':
          fail.run(JSON.stringify({ code: e.data.code, message: e.data.message }), e.data.failedAt, e.data.backtestId);
          return;
      }
    };
  },
});

export type BacktestStatusView = 'requested' | 'queued' | 'refused' | 'running' | 'finished' | 'failed';

/** One job as the read model holds it; times are Unix ms. */
export interface BacktestRow {
  readonly backtestId: string;
  readonly cloneId: string;
  readonly userId: string;
  readonly status: BacktestStatusView;
  readonly tier: TierName;
  readonly run: RunShape;
  readonly limits: BacktestLimits;
  readonly estimate: Estimate;
  readonly refusal: { readonly limit: LimitName; readonly allowed: number; readonly requested: number } | null;
  readonly attempts: number;
  readonly stepsDone: number;
  readonly stepsTotal: number;
  readonly simulatedAt: number | null;
  readonly metrics: BacktestMetrics | null;
  /** What a finished live-window re-run reproduced; null for any other run or before it finished. */
  readonly liveWindow: LiveWindowVerdict | null;
  readonly artifacts: readonly ArtifactRef[];
  /** When the expiring artifacts (packets, prompts, replies) were deleted; null while kept. */
  readonly artifactsExpiredAt: number | null;
  readonly failure: { readonly code: string; readonly message: string } | null;
  readonly requestedAt: number;
  readonly endedAt: number | null;
}

interface Raw {
  backtestId: string;
  cloneId: string;
  userId: string;
  status: BacktestStatusView;
  tier: TierName;
  run: string;
  limits: string;
  estimate: string;
  refusal: string | null;
  attempts: number;
  stepsDone: number;
  stepsTotal: number;
  simulatedAt: number | null;
  metrics: string | null;
  liveWindow: string | null;
  artifacts: string;
  artifactsExpiredAt: number | null;
  failure: string | null;
  requestedAt: number;
  endedAt: number | null;
}

const SELECT = `SELECT backtest_id AS backtestId, clone_id AS cloneId, user_id AS userId, status, tier, run, limits, estimate, refusal,
  attempts, steps_done AS stepsDone, steps_total AS stepsTotal, simulated_at AS simulatedAt, metrics, live_window AS liveWindow, artifacts,
  artifacts_expired_at AS artifactsExpiredAt, failure,
  requested_at AS requestedAt, ended_at AS endedAt FROM backtests`;

const parse = <T>(s: string | null): T | null => (s === null ? null : (JSON.parse(s) as T));

function decode(r: Raw): BacktestRow {
  return {
    ...r,
    run: JSON.parse(r.run) as RunShape,
    limits: JSON.parse(r.limits) as BacktestLimits,
    estimate: JSON.parse(r.estimate) as Estimate,
    refusal: parse(r.refusal),
    metrics: parse(r.metrics),
    liveWindow: parse(r.liveWindow),
    artifacts: JSON.parse(r.artifacts) as ArtifactRef[],
    failure: parse(r.failure),
  };
}

export function findBacktest(db: Db, backtestId: string): BacktestRow | undefined {
  const row = prepared<[string], Raw>(db, `${SELECT} WHERE backtest_id = ?`).get(backtestId);
  return row && decode(row);
}

/** The clone's jobs, newest first, at most `limit`. */
export function backtestsOfClone(db: Db, cloneId: string, limit: number): BacktestRow[] {
  return prepared<[string, number], Raw>(
    db,
    `${SELECT} WHERE clone_id = ? ORDER BY requested_at DESC, backtest_id DESC LIMIT ${BOUND_LIMIT}`,
  )
    .all(cloneId, limit)
    .map(decode);
}

/** Jobs a worker may take (queued, or running: its lease may have expired), oldest first, at most `limit`. */
export function runnableBacktests(db: Db, limit: number): BacktestRow[] {
  return prepared<[number], Raw>(
    db,
    `${SELECT} WHERE status IN ('queued', 'running') ORDER BY requested_at, backtest_id LIMIT ${BOUND_LIMIT}`,
  )
    .all(limit)
    .map(decode);
}

/** Finished jobs whose expiring artifacts are due at `now` (ms), oldest expiry first, at most `limit`. */
export function backtestsDueForExpiry(db: Db, now: number, limit: number): string[] {
  return prepared<[number, number], { id: string }>(
    db,
    `SELECT backtest_id AS id FROM backtests WHERE artifacts_expire_at <= ? ORDER BY artifacts_expire_at, backtest_id LIMIT ${BOUND_LIMIT}`,
  )
    .all(now, limit)
    .map((r) => r.id);
}

/** The clone's finished jobs, newest first, at most `limit` (the archives a `recorded` run reads). */
export function finishedBacktestsOfClone(db: Db, cloneId: string, limit: number): string[] {
  return prepared<[string, number], { id: string }>(
    db,
    `SELECT backtest_id AS id FROM backtests WHERE clone_id = ? AND status = 'finished' ORDER BY ended_at DESC, backtest_id DESC LIMIT ${BOUND_LIMIT}`,
  )
    .all(cloneId, limit)
    .map((r) => r.id);
}
