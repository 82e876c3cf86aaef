/**
 * The gauges `/metrics` reads at scrape time from the ledger file and the operations tables:
 * projection lag, worker beats and states, parked units, firing alerts, SQLite file and WAL
 * size, and the age of the last good backup (issue 15, "Metrics"; doc/operations.md). Gauges
 * over the same rows share one read per scrape (`scrapedTogether`): the heartbeats, the last backup.
 */
import { statSync } from 'node:fs';
import type { WorkerHealth } from '../core/operations/heartbeats.ts';
import type { Ledger } from './context.ts';
import type { Operations } from './operations.ts';

const sizeOf = (path: string) => {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
};

export function registerScrapedGauges(ledger: Ledger, ops: Operations): void {
  const m = ops.metrics;
  const db = ledger.store.db;
  m.scraped('clash_log_head_position', 'Global position of the last event', [], (set) => set({}, ledger.store.headPosition()));
  m.scraped('clash_projection_lag_events', 'Events a projection is behind the head', ['projection', 'mode'], (set) => {
    for (const p of ledger.projections.lags()) set({ projection: p.name, mode: p.mode }, p.lag);
  });
  const labelsOf = (w: WorkerHealth) => ({ worker: w.worker, host: w.host, pid: String(w.pid) });
  m.scrapedTogether(
    () => ops.heartbeats.list(ledger.clock.now(), ops.staleBeats),
    [
      {
        name: 'clash_worker_last_beat_timestamp_seconds',
        help: 'When each worker process last beat',
        labelNames: ['worker', 'host', 'pid'],
        collect: (beats, set) => {
          for (const w of beats) set(labelsOf(w), w.lastBeatAt / 1000);
        },
      },
      {
        name: 'clash_worker_state',
        help: 'Worker processes by state (ok, stale, failing): 1 for the state it is in',
        labelNames: ['worker', 'host', 'pid', 'state'],
        collect: (beats, set) => {
          for (const w of beats) for (const state of ['ok', 'stale', 'failing']) set({ ...labelsOf(w), state }, w.state === state ? 1 : 0);
        },
      },
      {
        name: 'clash_worker_units_in_flight',
        help: 'Units a worker reported in flight at its last beat',
        labelNames: ['worker', 'host', 'pid'],
        collect: (beats, set) => {
          for (const w of beats) set(labelsOf(w), w.unitsInFlight);
        },
      },
    ],
  );
  m.scraped('clash_parked_units', 'Parked worker units by state (dead: dead letters)', ['state'], (set) => {
    const counts = ops.units.counts();
    set({ state: 'dead' }, counts.dead);
    set({ state: 'waiting' }, counts.waiting);
  });
  m.scraped('clash_alerts_firing', 'Alerts firing by rule', ['rule'], (set) => {
    const byRule = new Map<string, number>();
    for (const a of ops.alerts.firing()) byRule.set(a.rule, (byRule.get(a.rule) ?? 0) + 1);
    for (const [rule, n] of byRule) set({ rule }, n);
  });
  m.scraped('clash_sqlite_bytes', 'Size of the SQLite file and its WAL', ['file'], (set) => {
    set({ file: 'db' }, sizeOf(db.name));
    set({ file: 'wal' }, sizeOf(`${db.name}-wal`));
  });
  m.scrapedTogether(
    () => ops.backups.latestRecorded(),
    [
      {
        name: 'clash_backup_last_success_timestamp_seconds',
        help: 'When the last good backup was taken (absent: none yet)',
        labelNames: [],
        collect: (latest, set) => {
          if (latest) set({}, latest.createdAt / 1000);
        },
      },
      {
        name: 'clash_backup_age_seconds',
        help: 'Age of the last good backup (absent: none yet)',
        labelNames: [],
        collect: (latest, set) => {
          if (latest) set({}, (ledger.clock.now() - latest.createdAt) / 1000);
        },
      },
    ],
  );
}
