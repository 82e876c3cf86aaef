/**
 * The decision-run decider of one prop account (`decisions-<propAccountId>`). A run moves
 * scheduled → started → replied → accepted | refused → completed, or to failed from any open
 * step; each command is accepted only at its step (`run_out_of_order`, 409), so a replayed or
 * duplicated step appends nothing twice. A due unit runs once: scheduling an asset at or before
 * its last due time is `run_not_due` (409), an open run id again `run_exists` (409).
 * State is bounded: the open runs and the last due time per asset.
 */
import type { Decider } from '../../core/decider.ts';
import { DomainError } from '../../core/errors.ts';
import type { DecisionEvent, DecisionEventData } from './events.ts';

type Data<T extends DecisionEvent['type']> = DecisionEventData<T>;

export type DecisionCommand =
  | ({ type: 'ScheduleRun'; at: number } & Omit<Data<'DecisionRunScheduled'>, 'scheduledAt'>)
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
  /** The last scheduled due time (ms) per asset. */
  readonly lastDueAt: Readonly<Record<string, number>>;
  readonly completed: number;
  readonly failed: number;
}

/** The event each step command appends, and the name of its time field. */
const stepEvents = {
  StartRun: ['DecisionRunStarted', 'startedAt'],
  RecordReply: ['DecisionReplyRecorded', 'recordedAt'],
  AcceptAction: ['DecisionActionAccepted', 'acceptedAt'],
  RefuseAction: ['DecisionActionRefused', 'refusedAt'],
} as const;

/** The step each command needs. */
const needs: Record<Exclude<DecisionCommand['type'], 'ScheduleRun' | 'FailRun'>, readonly RunStep[]> = {
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

const without = (open: Readonly<Record<string, RunStep>>, runId: string) =>
  Object.fromEntries(Object.entries(open).filter(([id]) => id !== runId));

export const decisionDecider: Decider<DecisionCommand, DecisionState, DecisionEvent> = {
  name: 'decisions',
  initialState: () => ({ open: {}, lastDueAt: {}, completed: 0, failed: 0 }),
  decide(command, state) {
    switch (command.type) {
      case 'ScheduleRun': {
        const { type, at, ...data } = command;
        if (state.open[data.runId] !== undefined) throw new DomainError('run_exists', 'conflict', `run ${data.runId} is already open`);
        const last = state.lastDueAt[data.asset];
        if (last !== undefined && data.dueAt <= last) {
          throw new DomainError('run_not_due', 'conflict', `${data.asset} already ran for ${last}`, { lastDueAt: last, dueAt: data.dueAt });
        }
        return [{ type: 'DecisionRunScheduled', data: { ...data, scheduledAt: at } }];
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
    switch (event.type) {
      case 'DecisionRunScheduled':
        return { ...step('scheduled'), lastDueAt: { ...state.lastDueAt, [event.data.asset]: event.data.dueAt } };
      case 'DecisionRunStarted':
        return step('started');
      case 'DecisionReplyRecorded':
        return step('replied');
      case 'DecisionActionAccepted':
        return step('accepted');
      case 'DecisionActionRefused':
        return step('refused');
      case 'DecisionRunCompleted':
        return { ...state, open: without(state.open, runId), completed: state.completed + 1 };
      case 'DecisionRunFailed':
        return { ...state, open: without(state.open, runId), failed: state.failed + 1 };
    }
  },
  snapshot: { version: 1, every: 200 },
};
