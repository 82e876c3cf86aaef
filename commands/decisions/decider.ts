/**
 * The decision-run decider of one prop account (`decisions-<propAccountId>`). A run moves
 * scheduled → started → replied → accepted | refused → completed, or to failed from any open
 * step; a run's events are appended together by one command (see `DecisionCommand`), so a
 * replayed or duplicated run appends nothing twice. A due unit runs once: scheduling an asset at or before its last due time is
 * `run_not_due` (409), an open run id again `run_exists` (409). Streams written before the
 * commands were folded (one event per append) fold the same.
 *
 * Retries (the worker, `worker.ts`): a command with `retry` may schedule the asset's last due
 * unit again under the same run id while it has not completed (it failed), so a failed unit is
 * retried rather than refused as not due; Prop Trading keys the order by the run id, so a rerun
 * never trades twice. `SkipRun` records a due unit the worker did not run (paused, not entitled)
 * and uses up its due time. State is bounded: the open runs, and per asset the last due time and
 * the run id still retryable.
 */
import type { Decider } from '../../core/decider.ts';
import { DomainError } from '../../core/errors.ts';
import type { DecisionEvent, DecisionEventData } from './events.ts';

type Data<T extends DecisionEvent['type']> = DecisionEventData<T>;

/** The unit a run is for, as `DecisionRunScheduled` records it (`scheduledAt`: when the run began, ms). */
export type RunUnit = Data<'DecisionRunScheduled'>;

/** What validation decided: the action to send, or the refusal at its stage. */
export type Verdict =
  | { readonly status: 'accepted'; readonly action: Data<'DecisionActionAccepted'>['action'] }
  | ({ readonly status: 'refused' } & Omit<Data<'DecisionActionRefused'>, 'runId' | 'refusedAt'>);

/** What `DecisionRunStarted` records of a run, and `DecisionReplyRecorded`, but the run id (the unit's). */
export type Start = Omit<Data<'DecisionRunStarted'>, 'runId'>;
export type Reply = Omit<Data<'DecisionReplyRecorded'>, 'runId'>;

/**
 * A run is one append (issue 13 throughput; doc/ai-trading.md "Run event layout"):
 * - `RecordRun` once the engine answered and the action was judged (and its order sent, in the
 *   same transaction): `DecisionRunScheduled`, `DecisionRunStarted`, `DecisionReplyRecorded`,
 *   `DecisionActionAccepted` or `DecisionActionRefused`, `DecisionRunCompleted`;
 * - `FailRun` when it could not finish: `DecisionRunScheduled` (+ `DecisionRunStarted` when the
 *   context was stored) + `DecisionRunFailed`; or only `DecisionRunFailed` for a run left open
 *   by a stream written one step per append.
 * Each event keeps its own time (`scheduledAt`, `startedAt`, `recordedAt`; verdict and completion at `at`).
 */
export type DecisionCommand =
  | ({ type: 'RecordRun'; at: number; unit: RunUnit; retry?: boolean; start: Start; reply: Reply; verdict: Verdict } & Pick<
      Data<'DecisionRunCompleted'>,
      'order'
    >)
  | ({ type: 'FailRun'; at: number; unit?: RunUnit; retry?: boolean; start?: Start } & Omit<Data<'DecisionRunFailed'>, 'failedAt'>)
  | ({ type: 'SkipRun'; at: number } & Omit<Data<'DecisionRunSkipped'>, 'skippedAt'>);

export type RunStep = 'scheduled' | 'started' | 'replied' | 'accepted' | 'refused';

export interface DecisionState {
  /** Runs not yet completed or failed, by run id. */
  readonly open: Readonly<Record<string, RunStep>>;
  /** The last scheduled or skipped due time (ms) per asset. */
  readonly lastDueAt: Readonly<Record<string, number>>;
  /** Per asset, the run id of its last due unit while it has not completed (open or failed): the one `retry` may schedule again. */
  readonly retryable: Readonly<Record<string, string>>;
  readonly completed: number;
  readonly failed: number;
  readonly skipped: number;
}

/**
 * Whether `unit` may be scheduled on `state`. Errors: `run_exists` (409) when its run id is
 * open; `run_not_due` (409) when its asset already ran for this due time or a later one — unless
 * `retry` and the unit is the asset's last one, failed (`retryable`).
 */
export function checkDue(state: DecisionState, unit: Pick<RunUnit, 'runId' | 'asset' | 'dueAt'>, retry = false): void {
  if (state.open[unit.runId] !== undefined) throw new DomainError('run_exists', 'conflict', `run ${unit.runId} is already open`);
  const last = state.lastDueAt[unit.asset];
  if (retry && state.retryable[unit.asset] === unit.runId && last === unit.dueAt) return;
  if (last !== undefined && unit.dueAt <= last) {
    throw new DomainError('run_not_due', 'conflict', `${unit.asset} already ran for ${last}`, { lastDueAt: last, dueAt: unit.dueAt });
  }
}

const without = <T>(map: Readonly<Record<string, T>>, keep: (key: string, value: T) => boolean) =>
  Object.fromEntries(Object.entries(map).filter(([k, v]) => keep(k, v)));

export const decisionDecider: Decider<DecisionCommand, DecisionState, DecisionEvent> = {
  name: 'decisions',
  initialState: () => ({ open: {}, lastDueAt: {}, retryable: {}, completed: 0, failed: 0, skipped: 0 }),
  decide(command, state) {
    switch (command.type) {
      case 'RecordRun': {
        const { unit, retry, start, reply, verdict, order, at } = command;
        const { runId } = unit;
        checkDue(state, unit, retry);
        if (order !== null && verdict.status !== 'accepted') {
          throw new DomainError('run_out_of_order', 'conflict', `run ${runId} was refused: it sends no order`);
        }
        const judged: DecisionEvent =
          verdict.status === 'accepted'
            ? { type: 'DecisionActionAccepted', data: { runId, action: verdict.action, acceptedAt: at } }
            : { type: 'DecisionActionRefused', data: { runId, stage: verdict.stage, refusals: verdict.refusals, refusedAt: at } };
        return [
          { type: 'DecisionRunScheduled', data: unit },
          { type: 'DecisionRunStarted', data: { runId, ...start } },
          { type: 'DecisionReplyRecorded', data: { runId, ...reply } },
          judged,
          { type: 'DecisionRunCompleted', data: { runId, order, completedAt: at } },
        ];
      }
      case 'FailRun': {
        const { type, at, unit, retry, start, ...data } = command;
        const failed: DecisionEvent = { type: 'DecisionRunFailed', data: { ...data, failedAt: at } };
        if (state.open[data.runId] !== undefined) return [failed];
        if (!unit || unit.runId !== data.runId) {
          throw new DomainError('run_out_of_order', 'conflict', `${type} needs run ${data.runId} open, or its unit`);
        }
        checkDue(state, unit, retry);
        return [
          { type: 'DecisionRunScheduled', data: unit },
          ...(start ? [{ type: 'DecisionRunStarted' as const, data: { runId: data.runId, ...start } }] : []),
          failed,
        ];
      }
      case 'SkipRun': {
        const { type, at, ...data } = command;
        checkDue(state, data);
        return [{ type: 'DecisionRunSkipped', data: { ...data, skippedAt: at } }];
      }
    }
  },
  evolve(state, event) {
    const { runId } = event.data;
    const step = (s: RunStep) => ({ ...state, open: { ...state.open, [runId]: s } });
    switch (event.type) {
      case 'DecisionRunScheduled': {
        const { asset, dueAt } = event.data;
        return {
          ...step('scheduled'),
          lastDueAt: { ...state.lastDueAt, [asset]: dueAt },
          retryable: { ...state.retryable, [asset]: runId },
        };
      }
      case 'DecisionRunSkipped': {
        const { asset, dueAt } = event.data;
        return {
          ...state,
          lastDueAt: { ...state.lastDueAt, [asset]: dueAt },
          retryable: without(state.retryable, (a) => a !== asset),
          skipped: state.skipped + 1,
        };
      }
      case 'DecisionRunStarted':
        return step('started');
      case 'DecisionReplyRecorded':
        return step('replied');
      case 'DecisionActionAccepted':
        return step('accepted');
      case 'DecisionActionRefused':
        return step('refused');
      case 'DecisionRunCompleted':
        return {
          ...state,
          open: without(state.open, (id) => id !== runId),
          retryable: without(state.retryable, (_, id) => id !== runId),
          completed: state.completed + 1,
        };
      case 'DecisionRunFailed':
        return { ...state, open: without(state.open, (id) => id !== runId), failed: state.failed + 1 };
    }
  },
  snapshot: { version: 2, every: 200 },
};
