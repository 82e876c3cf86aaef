/**
 * The workers of a process, each a `WorkerDefinition` run by `startWorker`
 * (`core/operations/worker-loop.ts`), which writes its heartbeat every tick:
 *
 * | worker | what a tick does | interval |
 * |---|---|---|
 * | `projections` | catches async projections up | `CLASH_PROJECTION_POLL_MS` |
 * | `competition` | evaluator, scheduler, hand-offs (parked on failure); exclusive | `CLASH_COMPETITION_TICK_MS` |
 * | `marking` | running audition and race accounts: protective orders, marks, hourly funding (one unit per account); exclusive | `CLASH_MARK_INTERVAL_SECONDS` |
 * | `reconciliation` | vault Deposit logs against the ledger, completing what it can; Withdrawal logs recorded as redemptions; exclusive; needs a chain | `CLASH_RECONCILE_INTERVAL_SECONDS` |
 * | `backups` | a checked backup into the artifact store, then retention; exclusive | `CLASH_BACKUP_INTERVAL_SECONDS` |
 * | `alerts` | evaluates the alert rules and delivers notices; exclusive | `CLASH_ALERT_INTERVAL_SECONDS` |
 * | `checkpoints` | signs a checkpoint of the log's Merkle tree when one is due (`server/ledger.ts`); exclusive; `CLASH_CHECKPOINT_EVERY_EVENTS`, `CLASH_CHECKPOINT_INTERVAL_SECONDS` | `CLASH_CHECKPOINT_POLL_MS` |
 * | `anchors` | anchors every Kth signed checkpoint on chain through the vault (`server/ledger.ts`); exclusive; needs a chain; `CLASH_ANCHOR_EVERY_CHECKPOINTS` | `CLASH_ANCHOR_INTERVAL_SECONDS` |
 * | `ingestion` | market ingestion (`doc/market-data.md`), started at the first tick; each tick flushes its health; exclusive; `CLASH_INGESTION` | 1 s |
 * | `backtests` | expires due backtest artifacts, then leases runnable jobs within the concurrency slots and starts their replays (`doc/backtesting.md`); not exclusive: any number of processes | `BACKTEST_WORKER_INTERVAL_MS` |
 * | `decisions` | the due decision units of running audition and race accounts, each under its own lease (not exclusive: every process works) | `DECISION_TICK_MS` |
 *
 * A new worker adds an entry to `workerCatalog`; units it takes
 * go through `ops.units.run(...)` for the one retry policy and dead letters.
 */
import type { Logger } from 'pino';
import { type AlertSink, webhookSink } from '../adapters/alerts/webhook.ts';
import { depositLogsSince, withdrawalLogsSince } from '../adapters/chain/deposit-logs.ts';
import { WORKER_ACTOR } from '../commands/competition/handlers.ts';
import type { CompetitionEconomy } from '../commands/competition/ports.ts';
import { CompetitionWorker } from '../commands/competition/worker.ts';
import { reconcile } from '../commands/economy/reconcile.ts';
import { RedemptionCommands } from '../commands/economy/redemptions.ts';
import { MarkingWorker } from '../commands/prop-trading/marking.ts';
import type { Clock } from '../core/clock.ts';
import { type RunningWorker, startWorker, type WorkerDefinition } from '../core/operations/worker-loop.ts';

export type { RunningWorker };

import { economyReads, redemptionReads } from '../projections/economy/queries.ts';
import { PropTradingQueries } from '../projections/prop-trading/queries.ts';
import { alertConditions } from './alert-rules.ts';
import { backtestWorkerOf } from './backtests.ts';
import { competitionDeps } from './competition.ts';
import { competitionRules } from './competition-config.ts';
import type { Config } from './config.ts';
import type { Ledger } from './context.ts';
import { decisionWorkerOf } from './decision-worker.ts';
import type { Economy } from './economy.ts';
import { ingestionWorker } from './ingestion.ts';
import { anchorWorker, checkpointSchedule, checkpointWorker } from './ledger.ts';
import type { Operations } from './operations.ts';
import { propTrading } from './prop-trading.ts';
import type { WorkerName } from './worker-names.ts';

/** What the workers are built from. */
export interface WorkerContext {
  readonly ledger: Ledger;
  readonly config: Config;
  readonly log: Logger;
  readonly ops: Operations;
  readonly economy: Economy | null;
  readonly competitionEconomy: CompetitionEconomy;
  /** Whether the composition has the competition module (the example domain in tests has not). */
  readonly competing: boolean;
  /** Delivers alert notices (default: the webhook of `CLASH_ALERT_WEBHOOK_URL`, or none). */
  readonly alertSink?: AlertSink;
}

/** A worker's definition in this context, or the reason it cannot run here (off, or a dependency missing). */
type Build = (ctx: WorkerContext) => WorkerDefinition | string;

const projections: Build = ({ ledger, config }) => ({
  name: 'projections',
  intervalMs: config.CLASH_PROJECTION_POLL_MS,
  tick: () => {
    ledger.projections.catchUpAll();
    return { signals: { maxLag: Math.max(0, ...ledger.projections.lags().map((p) => p.lag)) } };
  },
});

/**
 * The competition worker ticks once at start (so the Arena opens and due work is done at
 * start-up, not one interval later), then every interval. Each event a tick appends as the
 * worker (an audition passed, a race launched, a refund owed…) is logged at info as a state
 * change; each tick's work at debug.
 */
const competition: Build = ({ ledger, config, competitionEconomy, ops, competing, log }) => {
  if (!competing) return 'the composition has no competition module';
  if (config.CLASH_COMPETITION_TICK_MS === 0) return 'CLASH_COMPETITION_TICK_MS is 0';
  const worker = new CompetitionWorker(
    { ...competitionDeps(ledger, competitionEconomy), rules: competitionRules(config) },
    { units: ops.units },
  );
  return {
    name: 'competition',
    intervalMs: config.CLASH_COMPETITION_TICK_MS,
    exclusive: true,
    tickAtStart: true,
    tick: async (now) => {
      const before = ledger.store.headPosition();
      const report = await worker.tick(now);
      let changes = 0;
      for (const e of ledger.store.readAll({ after: before })) {
        if (e.metadata.actor !== WORKER_ACTOR) continue;
        changes += 1;
        log.info({ event: e.type, streamId: e.streamId, position: e.position }, 'competition state change');
      }
      log.debug({ ...report, changes }, 'competition tick');
      return { unitsInFlight: report.parked, signals: { handOffs: report.handOffs, evaluated: report.evaluated, changes } };
    },
  };
};

/**
 * The marking worker: every interval, each running audition and race account has its protective
 * orders checked against final 1m candles, is marked at market memory's prices and pays the
 * latest hour's funding once (`commands/prop-trading/marking.ts`); one unit per account.
 */
const marking: Build = ({ ledger, config, ops, competing }) => {
  if (!competing) return 'the composition has no competition module (no audition or race accounts)';
  if (config.CLASH_MARK_INTERVAL_SECONDS === 0) return 'CLASH_MARK_INTERVAL_SECONDS is 0';
  const worker = new MarkingWorker(propTrading(ledger), new PropTradingQueries(ledger.store.db), ops.units);
  return {
    name: 'marking',
    intervalMs: config.CLASH_MARK_INTERVAL_SECONDS * 1000,
    exclusive: true,
    tick: async (now) => {
      const round = await worker.tick(now);
      const { accounts, marked, triggered, liquidated, funded, parked } = round;
      return { unitsInFlight: round.waiting.length + parked, signals: { accounts, marked, triggered, liquidated, funded, parked } };
    },
  };
};

const reconciliation: Build = ({ ledger, config, economy }) => {
  if (config.CLASH_RECONCILE_INTERVAL_SECONDS === 0) return 'CLASH_RECONCILE_INTERVAL_SECONDS is 0';
  if (!economy) return 'no chain is configured';
  const reads = economyReads(ledger.store.db);
  const redemptions = new RedemptionCommands({ store: ledger.store, clock: ledger.clock, reads: redemptionReads(ledger.store.db) });
  return {
    name: 'reconciliation',
    intervalMs: config.CLASH_RECONCILE_INTERVAL_SECONDS * 1000,
    exclusive: true,
    tick: async (now) => {
      const findings = await reconcile(
        { payments: economy.payments, reads },
        {
          deposits: await depositLogsSince(economy.client, economy.vault.address, config.CHAIN_START_BLOCK),
          pendingBefore: now - config.ECONOMY_PENDING_BOUND_SECONDS * 1000,
          complete: true,
          actor: 'worker:reconciliation',
        },
      );
      const unresolved = findings.filter((f) => f.outcome !== 'verified').length;
      const withdrawals = await withdrawalLogsSince(economy.client, economy.vault.address, config.CHAIN_START_BLOCK);
      const redeemed = redemptions.recordAll(withdrawals, 'worker:reconciliation');
      return { unitsInFlight: unresolved, signals: { findings: findings.length, unresolved, redeemed } };
    },
  };
};

const backups: Build = ({ config, ops, log }) => {
  if (config.CLASH_BACKUP_INTERVAL_SECONDS === 0) return 'CLASH_BACKUP_INTERVAL_SECONDS is 0';
  return {
    name: 'backups',
    intervalMs: config.CLASH_BACKUP_INTERVAL_SECONDS * 1000,
    exclusive: true,
    tick: async (now) => {
      const record = await ops.backups.take(now);
      const pruned = await ops.backups.prune(config.CLASH_BACKUP_RETAIN);
      log.info({ backup: record, pruned: pruned.length }, 'backup taken');
      return { signals: { head: record.head, bytes: record.bytes, ms: record.ms } };
    },
  };
};

const alerts: Build = ({ ledger, config, ops, log, alertSink }) => {
  const sink = alertSink ?? (config.CLASH_ALERT_WEBHOOK_URL ? webhookSink(config.CLASH_ALERT_WEBHOOK_URL) : undefined);
  return {
    name: 'alerts',
    intervalMs: config.CLASH_ALERT_INTERVAL_SECONDS * 1000,
    exclusive: true,
    tick: async (now) => {
      const pending = ops.alerts.evaluate(alertConditions(ledger, ops, config, now), now);
      let undelivered = 0;
      for (const notice of pending) {
        log.warn({ alert: notice }, `alert ${notice.status}: ${notice.summary}`);
        if (!sink) {
          ops.alerts.delivered(notice);
          continue;
        }
        try {
          await sink(notice);
          ops.alerts.delivered(notice);
        } catch (err) {
          undelivered += 1;
          log.error({ err, alert: notice.key }, 'alert delivery failed; sent again at the next evaluation');
        }
      }
      if (undelivered > 0) throw new Error(`${undelivered} alert notice(s) could not be delivered`);
      return { unitsInFlight: pending.length - undelivered, signals: { firing: ops.alerts.firing().length } };
    },
  };
};

/** Needs the ledger module's events in the composition (the checkpoint stream's decider appends them). */
const checkpoints: Build = ({ ledger, config, log }) => {
  if (config.CLASH_CHECKPOINT_INTERVAL_SECONDS === 0) return 'CLASH_CHECKPOINT_INTERVAL_SECONDS is 0';
  if (!ledger.store.registry.has('LedgerCheckpointSigned')) return 'the composition has no ledger module';
  return checkpointWorker(ledger, checkpointSchedule(config), config.CLASH_CHECKPOINT_POLL_MS, log);
};

const anchors: Build = ({ ledger, config, economy, log }) => {
  if (config.CLASH_ANCHOR_EVERY_CHECKPOINTS === 0) return 'CLASH_ANCHOR_EVERY_CHECKPOINTS is 0';
  if (!economy) return 'no chain is configured';
  return anchorWorker(ledger, economy.anchors, config.CLASH_ANCHOR_EVERY_CHECKPOINTS, config.CLASH_ANCHOR_INTERVAL_SECONDS * 1000, log);
};

const ingestion: Build = ({ ledger, config, log }) => ingestionWorker(ledger, config, log);

/** Not exclusive: every process takes jobs under their leases and slots; its replays run beside the loop and are waited for at stop. */
const backtests: Build = ({ ledger, config, ops, log }) => {
  if (config.BACKTEST_WORKER_INTERVAL_MS === 0) return 'BACKTEST_WORKER_INTERVAL_MS is 0';
  const worker = backtestWorkerOf(ledger, config, { artifacts: ops.artifacts, leases: ops.leases, units: ops.units });
  return {
    name: 'backtests',
    intervalMs: config.BACKTEST_WORKER_INTERVAL_MS,
    tickAtStart: true,
    tick: async (now) => {
      const report = await worker.tick(now);
      if (report.started > 0 || report.expired > 0) log.info(report, 'backtests tick');
      return { unitsInFlight: report.inFlight, signals: { started: report.started, expired: report.expired } };
    },
    close: () => worker.drain(),
  };
};

/**
 * The decision worker (`commands/decisions/worker.ts`): not exclusive — every process takes the
 * due units it can lease, so several processes share the work. Skips and runs are logged at debug.
 */
const decisions: Build = ({ ledger, config, ops, competing, log }) => {
  if (!competing) return 'the composition has no competition module';
  if (config.DECISION_TICK_MS === 0) return 'DECISION_TICK_MS is 0';
  const worker = decisionWorkerOf(ledger, config, ops);
  return {
    name: 'decisions',
    intervalMs: config.DECISION_TICK_MS,
    tickAtStart: true,
    tick: async (now) => {
      const report = await worker.tick(now);
      log.debug(report, 'decisions tick');
      const { due, done, skipped, leased, parked } = report;
      return { unitsInFlight: parked, signals: { due, done, skipped, leased } };
    },
  };
};

/** Every worker by name, in start order: exactly `WORKER_NAMES` (`server/worker-names.ts`). */
export const workerCatalog: Readonly<Record<string, Build>> = {
  projections,
  competition,
  marking,
  reconciliation,
  backups,
  alerts,
  checkpoints,
  anchors,
  ingestion,
  decisions,
  backtests,
} satisfies Record<WorkerName, Build>;

/**
 * Starts the named workers (`all`, `none`, or names from `workerCatalog`). With `all`, a worker
 * that cannot run here (turned off, no chain) is skipped; a worker named explicitly that cannot
 * run, or an unknown name, throws `Error` saying why, before any worker starts.
 */
export function startWorkers(names: readonly string[], ctx: WorkerContext, clock: Clock): RunningWorker[] {
  const wanted = names.includes('all') ? Object.keys(workerCatalog) : names.filter((n) => n !== 'none');
  const unknown = wanted.filter((n) => !(n in workerCatalog));
  if (unknown.length > 0) throw new Error(`unknown worker ${unknown.join(', ')} (known: ${Object.keys(workerCatalog).join(', ')})`);
  const defs: WorkerDefinition[] = [];
  for (const name of wanted) {
    const def = (workerCatalog[name] as Build)(ctx);
    if (typeof def !== 'string') defs.push(def);
    else if (!names.includes('all')) throw new Error(`worker ${name} cannot run: ${def}`);
  }
  const { ops } = ctx;
  const started: RunningWorker[] = [];
  for (const def of defs) {
    started.push(
      startWorker(def, {
        heartbeats: ops.heartbeats,
        leases: ops.leases,
        clock,
        log: ctx.log,
        onTick: (worker, ms, ok) => ops.metrics.tick(worker, ms, ok),
      }),
    );
  }
  return started;
}
