/**
 * The decision worker (issue 13 "The decision worker"): every tick it finds the due units of the
 * running accounts (`schedule.ts`), records the ones paused or not entitled as skipped
 * (`guards.ts`), and runs the others (`DecisionRuns.run`), each under its own lease in the ledger
 * (`core/operations/leases.ts`, unit `decision:<runId>`) and through the one retry policy and dead
 * letters of `core/operations/work-units.ts` (worker `decisions`). Engine calls run with bounded
 * concurrency (`p-queue`).
 *
 * Any number of processes may run it against one database: a unit runs where its lease was
 * taken; the others skip it. A lease outlives the longest run (`leaseMs`); when its holder dies,
 * the lease expires and the next tick elsewhere takes the unit over, failing the abandoned run
 * (`run_abandoned`) and running it again under the same run id — Prop Trading keys the order by
 * it, so nothing trades twice. A unit that throws (engine down, context missing) is parked with
 * backoff and retried by a later tick while it is its asset's latest unit; after the last
 * attempt it is a dead letter (`clash decisions dead-letters …`). A unit a newer slot superseded
 * is not run again.
 */
import PQueue from 'p-queue';
import type { EngineName } from '../../adapters/models/engine.ts';
import { DomainError, NotFoundError } from '../../core/errors.ts';
import type { Leases } from '../../core/operations/leases.ts';
import type { RunOutcome as UnitOutcome, UnitRef, WorkUnits } from '../../core/operations/work-units.ts';
import type { DecisionControls } from './controls.ts';
import { skipOf } from './guards.ts';
import type { DecisionRuns } from './handlers.ts';
import type { RunningAccount, RunningAccounts } from './ports.ts';
import { dueUnits, type ScheduledUnit } from './schedule.ts';

/** The worker's name: heartbeats, `clash worker decisions`, its parked units. */
export const DECISIONS_WORKER = 'decisions';

export interface DecisionWorkerDeps {
  readonly runs: DecisionRuns;
  readonly accounts: RunningAccounts;
  readonly controls: DecisionControls;
  readonly units: WorkUnits;
  readonly leases: Leases;
  /** The engine this deployment runs (`DECISION_MODEL_PROVIDER`): its source family may be paused. */
  readonly engine: EngineName;
  /** This process, as lease holder (`host:pid`). */
  readonly holder: string;
  /** A unit's lease, ms: longer than its longest run (the engine's timeout × attempts). */
  readonly leaseMs: number;
  /** Units running at once (engine calls in flight). */
  readonly concurrency: number;
  /** Replaces every branch's `decisionCadenceSec` (tests, development), or null. */
  readonly cadenceOverrideSec: number | null;
  /** Told after every unit it ran: its duration in ms (the clock's) and whether it failed (the metrics hook). */
  readonly onRun?: (ms: number, failed: boolean) => void;
}

/** What happened to one due unit in a tick. */
export type UnitResult =
  | { readonly status: 'skipped'; readonly reason: string }
  | { readonly status: 'leased' }
  | { readonly status: UnitOutcome };

/** A tick's counts: units found due, run to their end, skipped, left to another worker's lease, parked (retrying or dead). */
export interface DecisionTickReport {
  readonly due: number;
  readonly done: number;
  readonly skipped: number;
  readonly leased: number;
  readonly parked: number;
}

const isSpent = (error: unknown) => error instanceof DomainError && (error.code === 'run_not_due' || error.code === 'run_exists');

/** The work-unit reference of a due unit: `<propAccountId> <asset> <dueAt>` (ids and symbols have no spaces). */
const unitRefOf = (unit: ScheduledUnit): UnitRef => ({
  id: `${unit.propAccountId} ${unit.asset} ${unit.dueAt}`,
  orderingKey: null,
  position: null,
  description: `decision run ${unit.runId}: clone ${unit.cloneId}, ${unit.asset} due ${new Date(unit.dueAt).toISOString()}`,
});

export class DecisionWorker {
  private readonly queue;

  constructor(private readonly deps: DecisionWorkerDeps) {
    this.queue = new PQueue({ concurrency: deps.concurrency });
  }

  /** One tick at `now` (ms): every due unit of every running account, as the module comment says. */
  async tick(now: number): Promise<DecisionTickReport> {
    const accounts = this.deps.accounts.running(now);
    this.forgetSuperseded(accounts);
    const results = await this.runAll(accounts, now, (account) => this.due(account, now));
    return report(results, this.deps.units.parked(DECISIONS_WORKER).length);
  }

  /**
   * One cycle now for the running accounts of `cloneId` (`clash decisions run-once`): their due
   * units, or with `force` a unit due now for every candidate whatever the cadence; `asset` keeps
   * one asset. Pauses and entitlements apply as in a tick. Errors: `NotFoundError` (404) when the
   * clone has no running account.
   */
  async runOnce(cloneId: string, now: number, options: { readonly asset?: string; readonly force?: boolean } = {}) {
    const accounts = this.deps.accounts.running(now).filter((a) => a.cloneId === cloneId);
    if (accounts.length === 0) throw new NotFoundError('running prop account of clone', cloneId);
    const pick = (units: ScheduledUnit[]) => units.filter((u) => options.asset === undefined || u.asset === options.asset);
    return this.runAll(accounts, now, (account) => pick(this.due(account, now, options.force === true)));
  }

  /** Forgets parked retries no tick will offer again: their account stopped running, or a newer slot of their asset was scheduled. Dead letters stay. */
  private forgetSuperseded(accounts: readonly RunningAccount[]): void {
    const running = new Set(accounts.map((a) => a.propAccountId));
    for (const parked of this.deps.units.parked(DECISIONS_WORKER)) {
      if (parked.state !== 'retrying') continue;
      const [propAccountId = '', asset = '', dueAt = ''] = parked.id.split(' ');
      const last = running.has(propAccountId) ? this.deps.runs.state(propAccountId).lastDueAt[asset] : undefined;
      if (last === undefined || last > Number(dueAt)) this.deps.units.discard(parked.seq);
    }
  }

  private due(account: RunningAccount, now: number, force = false): ScheduledUnit[] {
    const { cadenceOverrideSec } = this.deps;
    return dueUnits(account, this.deps.runs.state(account.propAccountId), now, { cadenceOverrideSec, force });
  }

  private async runAll(
    accounts: readonly RunningAccount[],
    now: number,
    unitsOf: (account: RunningAccount) => ScheduledUnit[],
  ): Promise<(UnitResult & { readonly runId: string; readonly asset: string })[]> {
    const controls = this.deps.controls.state();
    const pending: Promise<UnitResult & { runId: string; asset: string }>[] = [];
    for (const account of accounts) {
      const skip = skipOf(account, controls, this.deps.engine);
      for (const unit of unitsOf(account)) {
        const tag = { runId: unit.runId, asset: unit.asset };
        if (skip && !unit.retry) pending.push(Promise.resolve({ ...this.skip(unit, skip), ...tag }));
        else if (!skip) pending.push(this.queue.add(async () => ({ ...(await this.take(unit, now)), ...tag })));
      }
    }
    return Promise.all(pending);
  }

  private skip(unit: ScheduledUnit, skip: NonNullable<ReturnType<typeof skipOf>>): UnitResult {
    try {
      this.deps.runs.skip(unit, skip);
    } catch (error) {
      if (!isSpent(error)) throw error;
    }
    return { status: 'skipped', reason: skip.reason };
  }

  /** Runs `unit` under its lease through the work units; a unit another worker holds is left to it. */
  private async take(unit: ScheduledUnit, now: number): Promise<UnitResult> {
    const { leases, holder, leaseMs, units, runs } = this.deps;
    const lease = `decision:${unit.runId}`;
    if (!leases.acquire(lease, holder, now, leaseMs)) return { status: 'leased' };
    try {
      const started = performance.now();
      let ran = false;
      const status = await units.run(DECISIONS_WORKER, unitRefOf(unit), now, async () => {
        ran = true;
        try {
          await runs.run(unit, { retry: true });
        } catch (error) {
          if (!isSpent(error)) throw error; // already ran elsewhere, or superseded: nothing left to do
        }
      });
      if (ran) this.deps.onRun?.(performance.now() - started, status !== 'done');
      return { status };
    } finally {
      leases.release(lease, holder);
    }
  }
}

function report(results: readonly UnitResult[], parked: number): DecisionTickReport {
  const count = (ok: (r: UnitResult) => boolean) => results.filter(ok).length;
  return {
    due: results.length,
    done: count((r) => r.status === 'done'),
    skipped: count((r) => r.status === 'skipped'),
    leased: count((r) => r.status === 'leased'),
    parked,
  };
}
