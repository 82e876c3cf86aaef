/**
 * The decision-run decider of one prop account (`decisions-<propAccountId>`). A run moves
 * scheduled → started → replied → accepted | refused → completed, or to failed from any open
 * step; each command is accepted only at its step (`run_out_of_order`, 409), so a replayed or
 * duplicated step appends nothing twice. A due unit runs once: scheduling an asset at or before
 * its last due time is `run_not_due` (409), an open run id again `run_exists` (409).
 *
 * Retries and takeovers (the worker, `worker.ts`): `ScheduleRun` with `retry` schedules the
 * asset's last due unit again under the same run id when it has not completed — after a
 * failure, or while it is still open because the worker running it died (its lease expired):
 * the abandoned run is failed first (`run_abandoned`), then scheduled again. The run id is the
 * order's idempotency key in Prop Trading, so a rerun never trades twice. `SkipRun` records a due
 * unit the worker did not run (paused, not entitled) and uses up its due time.
 * State is bounded: the open runs, and per asset the last due time and the run id still retryable.
 */
import type { Decider } from '../../core/decider.ts';
import { DomainError } from '../../core/errors.ts';
import type { DecisionEvent, DecisionEventData } from './events.ts';

type Data<T extends DecisionEvent['type']> = DecisionEventData<T>;

export type DecisionCommand =
  | ({ type: 'ScheduleRun'; at: number; retry?: boolean } & Omit<Data<'DecisionRunScheduled'>, 'scheduledAt'>)
  | ({ type: 'SkipRun'; at: number } & Omit<Data<'DecisionRunSkipped'>, 'skippedAt'>)
  | ({ type: 'StartRun'; at: number } & Omit<Data<'DecisionRunStarted'>, 'startedAt'>)
  | ({ type: 'RecordReply'; at: number } & Omit<Data<'DecisionReplyRecorded'>, 'recordedAt'>)
  | ({ type: 'AcceptAction'; at: number } & Omit<Data<'DecisionActionAccepted'>, 'acceptedAt'>)
  | ({ type: 'RefuseAction'; at: number } & Omit<Data<'DecisionActionRefused'>, 'refusedAt'>)
  | ({ type: 'CompleteRun'; at: number } & Omit<Data<'DecisionRunCompleted'>, 'completedAt'>)
  | ({ type: 'FailRun'; at: number } & Omit<Data<'DecisionRunFailed'>, 'failedAt'>);

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

/** The event each step command appends, and the name of its time field. */
const stepEvents = {
  StartRun: ['DecisionRunStarted', 'startedAt'],
  RecordReply: ['DecisionReplyRecorded', 'recordedAt'],
  AcceptAction: ['DecisionActionAccepted', 'acceptedAt'],
  RefuseAction: ['DecisionActionRefused', 'refusedAt'],
} as const;

/** The step each command needs. */
const needs: Record<Exclude<DecisionCommand['type'], 'ScheduleRun' | 'SkipRun' | 'FailRun'>, readonly RunStep[]> = {
  StartRun: ['scheduled'],
  RecordReply: ['started'],
  AcceptAction: ['replied'],
  RefuseAction: ['replied'],
  CompleteRun: ['accepted', 'refused'],
};

function checkStep(state: DecisionState, runId: string, allowed: readonly RunStep[], command: string): void {
  const step = state.open[runId];
  if (step === undefined || !allowed.includes(step)) {
    throw new DomainError(
      'run_out_of_order',
      'conflict',
      `${command} needs run ${runId} at ${allowed.join(' or ')}, it is ${step ?? 'not open'}`,
    );
  }
}

const without = <T>(map: Readonly<Record<string, T>>, keep: (key: string, value: T) => boolean) =>
  Object.fromEntries(Object.entries(map).filter(([k, v]) => keep(k, v)));

/** Refuses a due time at or before the asset's last one (`run_not_due`). */
function checkDue(state: DecisionState, asset: string, dueAt: number): void {
  const last = state.lastDueAt[asset];
  if (last !== undefined && dueAt <= last) {
    throw new DomainError('run_not_due', 'conflict', `${asset} already ran for ${last}`, { lastDueAt: last, dueAt });
  }
}

/** Whether `runId` is the asset's last due unit at `dueAt`, not completed: a retry or takeover may schedule it again. */
const isRetryable = (state: DecisionState, asset: string, runId: string, dueAt: number) =>
  state.retryable[asset] === runId && state.lastDueAt[asset] === dueAt;

export const decisionDecider: Decider<DecisionCommand, DecisionState, DecisionEvent> = {
  name: 'decisions',
  initialState: () => ({ open: {}, lastDueAt: {}, retryable: {}, completed: 0, failed: 0, skipped: 0 }),
  decide(command, state) {
    switch (command.type) {
      case 'ScheduleRun': {
        const { type, at, retry, ...data } = command;
        const scheduled: DecisionEvent = { type: 'DecisionRunScheduled', data: { ...data, scheduledAt: at } };
        if (retry === true && isRetryable(state, data.asset, data.runId, data.dueAt)) {
          if (state.open[data.runId] === undefined) return [scheduled];
          const message = 'its worker stopped before the run ended; scheduled again by the worker that took its lease over';
          return [{ type: 'DecisionRunFailed', data: { runId: data.runId, code: 'run_abandoned', message, failedAt: at } }, scheduled];
        }
        if (state.open[data.runId] !== undefined) throw new DomainError('run_exists', 'conflict', `run ${data.runId} is already open`);
        checkDue(state, data.asset, data.dueAt);
        return [scheduled];
      }
      case 'SkipRun': {
        const { type, at, ...data } = command;
        checkDue(state, data.asset, data.dueAt);
        return [{ type: 'DecisionRunSkipped', data: { ...data, skippedAt: at } }];
      }
      case 'FailRun': {
        const { type, at, ...data } = command;
        checkStep(state, data.runId, ['scheduled', 'started', 'replied', 'accepted', 'refused'], type);
        return [{ type: 'DecisionRunFailed', data: { ...data, failedAt: at } }];
      }
      case 'StartRun':
      case 'RecordReply':
      case 'AcceptAction':
      case 'RefuseAction': {
        const { type, at, ...data } = command;
        checkStep(state, data.runId, needs[type], type);
        const [eventType, timeField] = stepEvents[type];
        // the command carries exactly the event's fields but its time; the store validates the event's schema on append
        return [{ type: eventType, data: { ...data, [timeField]: at } } as DecisionEvent];
      }
      case 'CompleteRun': {
        const { type, at, ...data } = command;
        checkStep(state, data.runId, needs[type], type);
        if (data.order !== null && state.open[data.runId] !== 'accepted') {
          throw new DomainError('run_out_of_order', 'conflict', `run ${data.runId} was refused: it sends no order`);
        }
        return [{ type: 'DecisionRunCompleted', data: { ...data, completedAt: at } }];
      }
    }
  },
  evolve(state, event) {
    const { runId } = event.data;
    const step = (s: RunStep) => ({ ...state, open: { ...state.open, [runId]: s } });
    const closed = without(state.open, (id) => id !== runId);
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
        return { ...state, open: closed, retryable: without(state.retryable, (_, id) => id !== runId), completed: state.completed + 1 };
      case 'DecisionRunFailed':
        return { ...state, open: closed, failed: state.failed + 1 };
    }
  },
  snapshot: { version: 2, every: 200 },
};
