/**
 * The decider of one backtest job (`backtest-<id>`, issue 14). A request is judged once, when it
 * is made: the estimate and the verdict of every limit are computed here from the frozen limits
 * and the runs already accepted today, and the job is accepted or refused naming the first limit
 * it breaks. An accepted job is run by whichever worker holds its lease: a lease is taken when
 * the job is queued or the holder's lease has expired (a crashed worker's job is taken over,
 * `attempt` counts the takeovers), progress renews it, and only the holder finishes or fails it.
 */
import type { Decider } from '../../core/decider.ts';
import { DomainError } from '../../core/errors.ts';
import type { TierName } from '../entitlements/tiers.ts';
import { brokenLimit, estimate } from './estimate.ts';
import type { ArtifactRef, BacktestEvent, BacktestUsageEvent, LiveWindowVerdict } from './events.ts';
import type { BacktestLimits, EstimateModel } from './limits.ts';
import type { BacktestMetrics } from './metrics.ts';
import type { RunShape } from './request.ts';

export type BacktestCommand =
  | {
      type: 'RequestBacktest';
      backtestId: string;
      cloneId: string;
      userId: string;
      run: RunShape;
      tier: TierName;
      limits: BacktestLimits;
      model: EstimateModel;
      /** Runs this user had accepted on this clone this UTC day before this one (read in the same transaction). */
      acceptedToday: number;
      usageDay: string;
      propAccountId: string;
      at: number;
    }
  | { type: 'LeaseBacktest'; workerId: string; leaseMs: number; at: number }
  | { type: 'RecordProgress'; workerId: string; stepsDone: number; simulatedAt: number; leaseMs: number; at: number }
  | {
      type: 'FinishBacktest';
      workerId: string;
      metrics: BacktestMetrics;
      artifacts: readonly ArtifactRef[];
      liveWindow?: LiveWindowVerdict | undefined;
      at: number;
    }
  | { type: 'FailBacktest'; workerId: string; code: string; message: string; at: number }
  | { type: 'ExpireArtifacts'; objects: number; at: number };

export type BacktestStatus = 'none' | 'queued' | 'refused' | 'running' | 'finished' | 'failed';

export interface BacktestState {
  readonly backtestId: string | null;
  readonly status: BacktestStatus;
  readonly stepsTotal: number;
  readonly stepsDone: number;
  readonly lease: { readonly workerId: string; readonly until: number; readonly attempt: number } | null;
  /** Artifacts of the finished run that expire and are not expired yet. */
  readonly expiring: readonly ArtifactRef[];
}

/** The finished run's artifacts due to expire at `at` (ms): what `ExpireArtifacts` deletes and records. */
export const dueArtifacts = (state: BacktestState, at: number): ArtifactRef[] =>
  state.expiring.filter((a) => a.expiresAt !== null && a.expiresAt <= at);

const notRunnable = (state: BacktestState) =>
  new DomainError('backtest_not_runnable', 'conflict', `backtest ${state.backtestId ?? '(unknown)'} is ${state.status}`, {
    status: state.status,
  });

/** The lease holder at `at`, or a typed refusal: only the worker whose lease is live may write. */
function holder(state: BacktestState, workerId: string, at: number): NonNullable<BacktestState['lease']> {
  if (state.status !== 'running' || !state.lease) throw notRunnable(state);
  if (state.lease.workerId !== workerId || state.lease.until <= at) {
    throw new DomainError('lease_lost', 'conflict', `worker ${workerId} does not hold the lease of backtest ${state.backtestId}`, {
      holder: state.lease.workerId,
      leaseUntil: state.lease.until,
    });
  }
  return state.lease;
}

export const backtestDecider: Decider<BacktestCommand, BacktestState, BacktestEvent> = {
  name: 'backtest',
  initialState: () => ({ backtestId: null, status: 'none', stepsTotal: 0, stepsDone: 0, lease: null, expiring: [] }),
  decide(command, state) {
    switch (command.type) {
      case 'RequestBacktest': {
        if (state.status !== 'none') throw new DomainError('backtest_exists', 'conflict', `backtest ${command.backtestId} exists`);
        const { backtestId, at } = command;
        const e = estimate(command.run, command.limits, command.model, command.acceptedToday);
        const requested: BacktestEvent = {
          type: 'BacktestRequested',
          data: {
            backtestId,
            cloneId: command.cloneId,
            userId: command.userId,
            run: command.run,
            tier: command.tier,
            limits: command.limits,
            estimate: e,
            usageDay: command.usageDay,
            requestedAt: at,
          },
        };
        const broken = brokenLimit(e);
        const verdict = e.verdicts.find((v) => v.limit === broken);
        if (verdict) {
          const { limit, allowed, requested: used } = verdict;
          return [requested, { type: 'BacktestRefused', data: { backtestId, limit, allowed, requested: used, refusedAt: at } }];
        }
        return [requested, { type: 'BacktestAccepted', data: { backtestId, propAccountId: command.propAccountId, acceptedAt: at } }];
      }
      case 'LeaseBacktest': {
        const { workerId, at } = command;
        const lease = state.lease;
        if (state.status !== 'queued' && state.status !== 'running') throw notRunnable(state);
        if (lease && lease.until > at) {
          throw new DomainError('backtest_leased', 'conflict', `backtest ${state.backtestId} is leased by ${lease.workerId}`, {
            holder: lease.workerId,
            leaseUntil: lease.until,
          });
        }
        const attempt = (lease?.attempt ?? 0) + 1;
        const backtestId = state.backtestId as string;
        return [{ type: 'BacktestLeased', data: { backtestId, workerId, attempt, leasedAt: at, leaseUntil: at + command.leaseMs } }];
      }
      case 'RecordProgress': {
        holder(state, command.workerId, command.at);
        if (command.stepsDone < state.stepsDone || command.stepsDone > state.stepsTotal) {
          throw new DomainError('progress_invalid', 'unprocessable', `steps done must be within ${state.stepsDone}..${state.stepsTotal}`);
        }
        return [
          {
            type: 'BacktestProgressed',
            data: {
              backtestId: state.backtestId as string,
              workerId: command.workerId,
              stepsDone: command.stepsDone,
              stepsTotal: state.stepsTotal,
              simulatedAt: command.simulatedAt,
              progressedAt: command.at,
              leaseUntil: command.at + command.leaseMs,
            },
          },
        ];
      }
      case 'FinishBacktest': {
        holder(state, command.workerId, command.at);
        const { workerId, metrics, artifacts, liveWindow, at } = command;
        const data = { backtestId: state.backtestId as string, workerId, metrics, artifacts: [...artifacts], finishedAt: at };
        return [{ type: 'BacktestFinished', data: liveWindow ? { ...data, liveWindow } : data }];
      }
      case 'FailBacktest': {
        holder(state, command.workerId, command.at);
        const { workerId, code, message, at } = command;
        return [{ type: 'BacktestFailed', data: { backtestId: state.backtestId as string, workerId, code, message, failedAt: at } }];
      }
      case 'ExpireArtifacts': {
        const due = dueArtifacts(state, command.at);
        if (due.length === 0) {
          throw new DomainError(
            'nothing_to_expire',
            'conflict',
            `backtest ${state.backtestId ?? '(unknown)'} has no artifact due to expire`,
          );
        }
        return [
          {
            type: 'BacktestArtifactsExpired',
            data: {
              backtestId: state.backtestId as string,
              kinds: due.map((a) => a.kind),
              keys: due.map((a) => a.key),
              objects: command.objects,
              expiredAt: command.at,
            },
          },
        ];
      }
    }
  },
  evolve(state, event) {
    switch (event.type) {
      case 'BacktestRequested':
        return { ...state, backtestId: event.data.backtestId, stepsTotal: event.data.estimate.replaySteps };
      case 'BacktestAccepted':
        return { ...state, status: 'queued' };
      case 'BacktestRefused':
        return { ...state, status: 'refused' };
      case 'BacktestLeased':
        // a new attempt replays from the start
        return {
          ...state,
          status: 'running',
          stepsDone: 0,
          lease: { workerId: event.data.workerId, until: event.data.leaseUntil, attempt: event.data.attempt },
        };
      case 'BacktestProgressed':
        return {
          ...state,
          stepsDone: event.data.stepsDone,
          lease: state.lease && { ...state.lease, until: event.data.leaseUntil },
        };
      case 'BacktestFinished':
        return { ...state, status: 'finished', lease: null, expiring: event.data.artifacts.filter((a) => a.expiresAt !== null) };
      case 'BacktestArtifactsExpired':
        return { ...state, expiring: state.expiring.filter((a) => !event.data.keys.includes(a.key)) };
      case 'BacktestFailed':
        return { ...state, status: 'failed', lease: null };
    }
  },
};

export type UsageCommand = {
  type: 'CountRun';
  backtestId: string;
  userId: string;
  cloneId: string;
  usageDay: string;
  /** The frozen daily limit; the count never passes it. */
  dailyRuns: number;
  at: number;
};

export interface UsageState {
  readonly backtestIds: readonly string[];
}

/** The daily quota of one user on one clone on one UTC day: counts accepted runs, once each, never past the limit. */
export const backtestUsageDecider: Decider<UsageCommand, UsageState, BacktestUsageEvent> = {
  name: 'backtest-usage',
  initialState: () => ({ backtestIds: [] }),
  decide(command, state) {
    if (state.backtestIds.includes(command.backtestId)) return [];
    if (state.backtestIds.length >= command.dailyRuns) {
      throw new DomainError('daily_runs', 'unprocessable', `${command.dailyRuns} backtests a day are accepted on this clone`);
    }
    const { backtestId, userId, cloneId, usageDay, at } = command;
    return [{ type: 'BacktestRunCounted', data: { backtestId, userId, cloneId, usageDay, countedAt: at } }];
  },
  evolve: (state, event) => ({ backtestIds: [...state.backtestIds, event.data.backtestId] }),
};
