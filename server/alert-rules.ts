/**
 * The alert rules (issue 15, "Alerts"; doc/operations.md lists them with their Prometheus
 * equivalents): each reads the operations tables and the ledger at `now` and names the
 * conditions that hold. Evaluated by the `alerts` worker; delivered by `adapters/alerts/webhook.ts`.
 */
import type { AlertCondition } from '../core/operations/alerts.ts';
import type { Config } from './config.ts';
import type { Ledger } from './context.ts';
import type { Operations } from './operations.ts';

export type AlertConfig = Pick<Config, 'CLASH_BACKUP_INTERVAL_SECONDS' | 'CLASH_BACKUP_MAX_AGE_SECONDS'>;

/** Every condition holding at `now` (epoch ms). */
export function alertConditions(ledger: Ledger, ops: Operations, config: AlertConfig, now: number): AlertCondition[] {
  const conditions: AlertCondition[] = [];
  const workers = ops.heartbeats.list(now, ops.staleBeats);
  for (const w of workers) {
    const instance = `${w.worker}@${w.host}:${w.pid}`;
    if (w.state === 'stale') {
      conditions.push({
        key: `worker_stale:${instance}`,
        rule: 'worker_stale',
        severity: 'critical',
        summary: `worker ${w.worker} on ${w.host} (pid ${w.pid}) has not beaten for ${Math.round((now - w.lastBeatAt) / 1000)} s`,
        details: { worker: w.worker, host: w.host, pid: w.pid, lastBeatAt: new Date(w.lastBeatAt).toISOString() },
      });
    } else if (w.state === 'failing') {
      conditions.push({
        key: `worker_failing:${instance}`,
        rule: 'worker_failing',
        severity: 'warning',
        summary: `worker ${w.worker} on ${w.host} (pid ${w.pid}) is failing: ${w.lastError ?? ''}`.slice(0, 500),
        details: { worker: w.worker, host: w.host, pid: w.pid, lastError: (w.lastError ?? '').slice(0, 500) },
      });
    }
    const staleChannels = w.signals.staleChannels ?? 0;
    if (staleChannels > 0) {
      conditions.push({
        key: `channels_stale:${w.worker}`,
        rule: 'channels_stale',
        severity: 'warning',
        summary: `${staleChannels} ${w.worker} channel(s) stale or failing`,
        details: { worker: w.worker, staleChannels },
      });
    }
    const unresolved = w.signals.unresolved ?? 0;
    if (w.worker === 'reconciliation' && unresolved > 0) {
      conditions.push({
        key: 'reconciliation_findings',
        rule: 'reconciliation_findings',
        severity: 'warning',
        summary: `${unresolved} payment finding(s) unresolved by reconciliation`,
        details: { unresolved, findings: w.signals.findings ?? unresolved },
      });
    }
  }
  const dead = ops.units.list().filter((u) => u.state === 'dead');
  if (dead.length > 0) {
    conditions.push({
      key: 'dead_letters',
      rule: 'dead_letters',
      severity: 'warning',
      summary: `${dead.length} dead letter(s): ${dead.map((u) => `${u.worker}/${u.id}`).join(', ')}`.slice(0, 500),
      details: { deadLetters: dead.length, oldestSeq: dead[0]?.seq ?? 0 },
    });
  }
  for (const u of dead.filter((d) => d.blocking > 0)) {
    conditions.push({
      key: `units_blocked:${u.worker}:${u.orderingKey}`,
      rule: 'units_blocked',
      severity: 'critical',
      summary: `${u.blocking} ${u.worker} unit(s) of ${u.orderingKey} wait behind dead letter ${u.seq} (${u.description})`,
      details: { worker: u.worker, orderingKey: u.orderingKey ?? '', deadLetter: u.seq, blocking: u.blocking },
    });
  }
  for (const p of ledger.projections.lags()) {
    if (p.mode === 'async' && p.lag > ops.maxProjectionLag) {
      conditions.push({
        key: `projection_lag:${p.name}`,
        rule: 'projection_lag',
        severity: 'warning',
        summary: `projection ${p.name} is ${p.lag} events behind`,
        details: { projection: p.name, lag: p.lag },
      });
    }
  }
  const backupAge = backupAgeCondition(ops, config, workers, now);
  if (backupAge) conditions.push(backupAge);
  return conditions;
}

/** Fires when backups are on and the last good one is older than the bound (or, with none yet, the backups worker has run that long). */
function backupAgeCondition(
  ops: Operations,
  config: AlertConfig,
  workers: ReturnType<Operations['heartbeats']['list']>,
  now: number,
): AlertCondition | null {
  if (config.CLASH_BACKUP_INTERVAL_SECONDS === 0) return null;
  const bound = config.CLASH_BACKUP_MAX_AGE_SECONDS * 1000;
  const latest = ops.backups.latestRecorded();
  const since = latest?.createdAt ?? Math.min(...workers.filter((w) => w.worker === 'backups').map((w) => w.startedAt));
  if (!Number.isFinite(since) || now - since <= bound) return null;
  return {
    key: 'backup_age',
    rule: 'backup_age',
    severity: 'critical',
    summary: latest
      ? `the last good backup is ${Math.round((now - latest.createdAt) / 1000)} s old (bound ${config.CLASH_BACKUP_MAX_AGE_SECONDS} s)`
      : `no backup taken in the ${Math.round((now - since) / 1000)} s the backups worker has run`,
    details: { lastBackupKey: latest?.key ?? '', maxAgeSeconds: config.CLASH_BACKUP_MAX_AGE_SECONDS },
  };
}
