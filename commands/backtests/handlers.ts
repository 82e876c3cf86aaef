/**
 * Backtest commands. The handler adds the time, the new ids, the clone's effective tier (through
 * `tierOf`, which the server wires to the entitlements read model; a clone without an active
 * entitlement is held to the baseline tier) and the limits of the policy, then lets the deciders
 * rule. A request and the count of its daily quota are one transaction: two concurrent requests
 * never both take the last run of the day.
 */
import type { Clock, IdSource } from '../../core/clock.ts';
import { CommandHandler } from '../../core/decider.ts';
import { DomainError } from '../../core/errors.ts';
import type { EventStore } from '../../core/event-store.ts';
import { baselineTier, type TierName } from '../entitlements/tiers.ts';
import { type BacktestCommand, type BacktestState, backtestDecider, backtestUsageDecider } from './decider.ts';
import { type Estimate, estimate } from './estimate.ts';
import type { ArtifactRef, LiveWindowVerdict } from './events.ts';
import type { BacktestLimits, BacktestPolicy, LimitName } from './limits.ts';
import type { BacktestMetrics } from './metrics.ts';
import type { RunShape } from './request.ts';

export const BACKTEST_CATEGORY = 'backtest';
export const BACKTEST_USAGE_CATEGORY = 'backtest-usage';
export const backtestStream = (backtestId: string) => `${BACKTEST_CATEGORY}-${backtestId}`;
/** The quota stream of one user on one clone on one UTC day (`YYYY-MM-DD`). */
export const usageStream = (userId: string, cloneId: string, usageDay: string) =>
  `${BACKTEST_USAGE_CATEGORY}-${userId}-${cloneId}-${usageDay}`;
/** The prop account (purpose `backtest`) a job trades on. */
export const backtestPropAccountId = (backtestId: string) => `backtest-${backtestId}`;
/** The limit a refused request breaks: its allowance and what the run asked for. */
export interface Refusal {
  readonly limit: LimitName;
  readonly allowed: number;
  readonly requested: number;
}
const refusalOf = ({ limit, allowed, requested }: Refusal): Refusal => ({ limit, allowed, requested });
/** The UTC calendar day of a Unix-ms instant. */
const usageDayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export interface BacktestDeps {
  readonly store: EventStore;
  readonly clock: Clock;
  readonly ids: IdSource;
  readonly policy: BacktestPolicy;
  /** The clone's active entitlement tier, or null. */
  readonly tierOf: (cloneId: string) => TierName | null;
}

/** What a preflight answers: the tier and limits that apply now, and the estimate with every verdict. */
export interface Preflight {
  readonly tier: TierName;
  readonly limits: BacktestLimits;
  readonly estimate: Estimate;
}

export class BacktestCommands {
  private readonly jobs;
  private readonly usage;

  constructor(private readonly deps: BacktestDeps) {
    this.jobs = new CommandHandler(deps.store, backtestDecider);
    this.usage = new CommandHandler(deps.store, backtestUsageDecider);
  }

  /** The estimate and the verdict of every limit for this run, were it requested now. Appends nothing. */
  preflight(cloneId: string, userId: string, run: RunShape): Preflight {
    const tier = this.tierOf(cloneId);
    const limits = this.deps.policy.limits[tier];
    const accepted = this.acceptedToday(userId, cloneId, usageDayOf(this.deps.clock.now()));
    return { tier, limits, estimate: estimate(run, limits, this.deps.policy.estimate, accepted) };
  }

  /**
   * Requests a run: the job is accepted (and counted against today's quota) or refused naming the
   * first limit it breaks; both are recorded. Returns the new id, the job's state and the refusal
   * (null when accepted).
   */
  request(cloneId: string, userId: string, run: RunShape): { backtestId: string; state: BacktestState; refusal: Refusal | null } {
    const backtestId = this.deps.ids.next();
    const at = this.deps.clock.now();
    const usageDay = usageDayOf(at);
    const tier = this.tierOf(cloneId);
    const limits = this.deps.policy.limits[tier];
    return this.deps.store.transaction(() => {
      const acceptedToday = this.acceptedToday(userId, cloneId, usageDay);
      const command: BacktestCommand = {
        type: 'RequestBacktest',
        backtestId,
        cloneId,
        userId,
        run,
        tier,
        limits,
        model: this.deps.policy.estimate,
        acceptedToday,
        usageDay,
        propAccountId: backtestPropAccountId(backtestId),
        at,
      };
      const { state, events } = this.jobs.handle({ streamId: backtestStream(backtestId), command, metadata: { actor: `user:${userId}` } });
      const refusal = events.flatMap((e) => (e.type === 'BacktestRefused' ? [refusalOf(e.data)] : []))[0] ?? null;
      if (state.status === 'queued') {
        this.usage.handle({
          streamId: usageStream(userId, cloneId, usageDay),
          command: { type: 'CountRun', backtestId, userId, cloneId, usageDay, dailyRuns: limits.dailyRuns, at },
          metadata: { actor: `user:${userId}` },
        });
      }
      return { backtestId, state, refusal };
    });
  }

  /**
   * Requests a run that must be accepted, as the HTTP route and `clash backtest run --clone` do:
   * returns the queued job's id, or throws `backtest_refused` (422; details `backtestId`, `limit`,
   * `allowed`, `requested`) naming the limit it breaks — the refusal is recorded all the same.
   */
  requestQueued(cloneId: string, userId: string, run: RunShape): { backtestId: string; status: 'queued' } {
    const { backtestId, refusal } = this.request(cloneId, userId, run);
    if (refusal)
      throw new DomainError('backtest_refused', 'unprocessable', `the run breaks the ${refusal.limit} limit`, { backtestId, ...refusal });
    return { backtestId, status: 'queued' };
  }

  /** Takes the job's lease for `leaseMs` (queued, or its holder's lease expired); throws `backtest_leased` otherwise. */
  lease(backtestId: string, workerId: string, leaseMs: number): BacktestState {
    return this.run(backtestId, { type: 'LeaseBacktest', workerId, leaseMs, at: this.deps.clock.now() }, workerId);
  }

  /** Records progress and renews the lease; throws `lease_lost` unless `workerId` holds a live lease. */
  progress(backtestId: string, workerId: string, stepsDone: number, simulatedAt: number, leaseMs: number): BacktestState {
    const at = this.deps.clock.now();
    return this.run(backtestId, { type: 'RecordProgress', workerId, stepsDone, simulatedAt, leaseMs, at }, workerId);
  }

  /** Records the finished run; `liveWindow`: what a live-window re-run reproduced. Throws `lease_lost` unless `workerId` holds a live lease. */
  finish(
    backtestId: string,
    workerId: string,
    metrics: BacktestMetrics,
    artifacts: readonly ArtifactRef[],
    liveWindow?: LiveWindowVerdict,
  ): BacktestState {
    return this.run(backtestId, { type: 'FinishBacktest', workerId, metrics, artifacts, liveWindow, at: this.deps.clock.now() }, workerId);
  }

  fail(backtestId: string, workerId: string, code: string, message: string): BacktestState {
    return this.run(backtestId, { type: 'FailBacktest', workerId, code, message, at: this.deps.clock.now() }, workerId);
  }

  /** The job's state as its stream folds (status, progress, lease, artifacts still to expire). */
  state(backtestId: string): BacktestState {
    return this.jobs.load(backtestStream(backtestId)).state;
  }

  /** Records that the job's due artifacts were deleted (`objects` stored objects); throws `nothing_to_expire` (409) when none is due. */
  expireArtifacts(backtestId: string, objects: number, actor: string): BacktestState {
    const command: BacktestCommand = { type: 'ExpireArtifacts', objects, at: this.deps.clock.now() };
    return this.jobs.handle({ streamId: backtestStream(backtestId), command, metadata: { actor } }).state;
  }

  private tierOf(cloneId: string): TierName {
    return this.deps.tierOf(cloneId) ?? baselineTier;
  }

  private acceptedToday(userId: string, cloneId: string, usageDay: string): number {
    return this.usage.load(usageStream(userId, cloneId, usageDay)).state.backtestIds.length;
  }

  private run(backtestId: string, command: BacktestCommand, workerId: string): BacktestState {
    return this.jobs.handle({ streamId: backtestStream(backtestId), command, metadata: { actor: `worker:${workerId}` } }).state;
  }
}
