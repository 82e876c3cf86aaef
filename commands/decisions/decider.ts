/**
 * The decision-run decider of one prop account (`decisions-<propAccountId>`). A run moves
 * scheduled → started → replied → accepted | refused → completed, or to failed from any open
 * step; a run's events are appended together by one command (see `DecisionCommand`), so a
 * replayed or duplicated run appends nothing twice. A due unit runs once: scheduling an asset at or before its last due time is
 * `run_not_due` (409), an open run id again `run_exists` (409). Streams written before the
 * commands were folded (one event per append) fold the same. State is bounded: the open runs
 * and the last due time per asset.
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

type Start = Omit<Data<'DecisionRunStarted'>, 'runId'>;
type Reply = Omit<Data<'DecisionReplyRecorded'>, 'runId'>;

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
  | ({ type: 'RecordRun'; at: number; unit: RunUnit; start: Start; reply: Reply; verdict: Verdict } & Pick<
      Data<'DecisionRunCompleted'>,
      'order'
    >)
  | ({ type: 'FailRun'; at: number; unit?: RunUnit; start?: Start } & Omit<Data<'DecisionRunFailed'>, 'failedAt'>);

export type RunStep = 'scheduled' | 'started' | 'replied' | 'accepted' | 'refused';

export interface DecisionState {
  /** Runs not yet completed or failed, by run id. */
  readonly open: Readonly<Record<string, RunStep>>;
  /** The last scheduled due time (ms) per asset. */
  readonly lastDueAt: Readonly<Record<string, number>>;
  readonly completed: number;
  readonly failed: number;
}

/**
 * Whether `unit` may be scheduled on `state`. Errors: `run_exists` (409) when its run id is
 * open; `run_not_due` (409) when its asset already ran for this due time or a later one.
 */
export function checkDue(state: DecisionState, unit: Pick<RunUnit, 'runId' | 'asset' | 'dueAt'>): void {
  if (state.open[unit.runId] !== undefined) throw new DomainError('run_exists', 'conflict', `run ${unit.runId} is already open`);
  const last = state.lastDueAt[unit.asset];
  if (last !== undefined && unit.dueAt <= last) {
    throw new DomainError('run_not_due', 'conflict', `${unit.asset} already ran for ${last}`, { lastDueAt: last, dueAt: unit.dueAt });
  }
}

const without = (open: Readonly<Record<string, RunStep>>, runId: string) =>
  Object.fromEntries(Object.entries(open).filter(([id]) => id !== runId));

export const decisionDecider: Decider<DecisionCommand, DecisionState, DecisionEvent> = {
  name: 'decisions',
  initialState: () => ({ open: {}, lastDueAt: {}, completed: 0, failed: 0 }),
  decide(command, state) {
    switch (command.type) {
      case 'RecordRun': {
        const { unit, start, reply, verdict, order, at } = command;
        const { runId } = unit;
        checkDue(state, unit);
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
        const { type, at, unit, start, ...data } = command;
        const failed: DecisionEvent = { type: 'DecisionRunFailed', data: { ...data, failedAt: at } };
        if (state.open[data.runId] !== undefined) return [failed];
        if (!unit || unit.runId !== data.runId) {
          throw new DomainError('run_out_of_order', 'conflict', `${type} needs run ${data.runId} open, or its unit`);
        }
        checkDue(state, unit);
        return [
          { type: 'DecisionRunScheduled', data: unit },
          ...(start ? [{ type: 'DecisionRunStarted' as const, data: { runId: data.runId, ...start } }] : []),
          failed,
        ];
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
