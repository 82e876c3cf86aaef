/**
 * The operations side of a process over one ledger file: heartbeats, parked units and dead
 * letters, leases, alert state, the backup catalog and the metrics registry. Every table lives in
 * the ledger file beside the log (never in it), so the API process sees what worker processes
 * write (doc/operations.md).
 */
import type { ArtifactStore } from '../adapters/artifacts/store.ts';
import { Metrics } from '../adapters/metrics/prometheus.ts';
import { AlertBook } from '../core/operations/alerts.ts';
import { BackupCatalog } from '../core/operations/backup-catalog.ts';
import { Heartbeats } from '../core/operations/heartbeats.ts';
import { Leases } from '../core/operations/leases.ts';
import { defaultRetryPolicy } from '../core/operations/retry.ts';
import { WorkUnits } from '../core/operations/work-units.ts';
import type { Config } from './config.ts';
import type { Ledger } from './context.ts';
import { registerScrapedGauges } from './metrics.ts';

export interface Operations {
  readonly heartbeats: Heartbeats;
  /** Every worker's parked units and dead letters (one retry policy: `defaultRetryPolicy`). */
  readonly units: WorkUnits;
  readonly leases: Leases;
  readonly alerts: AlertBook;
  readonly backups: BackupCatalog;
  /** The artifact store (backups, market archives, decision payloads: `CLASH_ARTIFACTS_URL`). */
  readonly artifacts: ArtifactStore;
  readonly metrics: Metrics;
  /** Beats a worker may miss before it is `stale` (`CLASH_WORKER_STALE_BEATS`). */
  readonly staleBeats: number;
  /** Async projections further behind than this (events) make the service degraded (`CLASH_ALERT_PROJECTION_LAG`). */
  readonly maxProjectionLag: number;
}

/** Opens the operations tables on `ledger`'s file; `artifacts` holds the backups (and is the routes' artifact store). */
export function openOperations(
  ledger: Ledger,
  config: Pick<Config, 'CLASH_WORKER_STALE_BEATS' | 'CLASH_ALERT_PROJECTION_LAG'>,
  artifacts: ArtifactStore,
): Operations {
  const db = ledger.store.db;
  const metrics = new Metrics();
  ledger.store.observeAppends((events, ms) => metrics.append(events, ms));
  const ops: Operations = {
    heartbeats: new Heartbeats(db),
    units: new WorkUnits(db, defaultRetryPolicy),
    leases: new Leases(db),
    alerts: new AlertBook(db),
    backups: new BackupCatalog(db, artifacts),
    artifacts,
    metrics,
    staleBeats: config.CLASH_WORKER_STALE_BEATS,
    maxProjectionLag: config.CLASH_ALERT_PROJECTION_LAG,
  };
  registerScrapedGauges(ledger, ops);
  return ops;
}

/**
 * The service's health at `now`: `degraded` when a worker is stale or failing, a dead letter
 * exists, an async projection lags more than the bound, or the store has met an event row it
 * cannot read back (`corruptEvent` says where; doc/runbook.md); with the figures behind it. Reads a
 * few small rows (heartbeats, parked units, checkpoints): no table of the ledger is counted.
 */
export function serviceHealth(ledger: Ledger, ops: Operations, now: number) {
  const workers = ops.heartbeats.list(now, ops.staleBeats);
  const counts = ops.units.counts();
  const projections = ledger.projections.lags();
  const corrupt = ledger.store.corruption;
  const corruptEvent = corrupt
    ? { position: corrupt.position, streamId: corrupt.streamId, type: corrupt.type, reason: corrupt.message }
    : null;
  const degraded =
    corruptEvent !== null ||
    workers.some((w) => w.state !== 'ok') ||
    counts.dead > 0 ||
    projections.some((p) => p.mode === 'async' && p.lag > ops.maxProjectionLag);
  return { status: degraded ? ('degraded' as const) : ('up' as const), workers, counts, projections, corruptEvent };
}
