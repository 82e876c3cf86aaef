/**
 * Pausing and resuming decision runs (issue 13 "Admin controls"), one stream
 * `decision-controls-main`. Pausing what is paused, or resuming what runs, is refused
 * (`already_paused` / `not_paused`, 409) so every event is a change; a clone that does not
 * exist cannot be paused (`clone_not_found`, 404: a typo would otherwise pause nothing while the
 * operator believes it paused). At most `MAX_PAUSES` pauses at once (`too_many_pauses`, 409):
 * the state stays bounded.
 */
import type { Clock } from '../../core/clock.ts';
import { CommandHandler, type Decider } from '../../core/decider.ts';
import { DomainError } from '../../core/errors.ts';
import type { EventStore } from '../../core/event-store.ts';
import type { ControlTarget, DecisionControlEvent } from './control-events.ts';

export const CONTROLS_CATEGORY = 'decision-controls';
/** The one stream of the controls (`decision-controls-main`). */
export const CONTROLS_STREAM = `${CONTROLS_CATEGORY}-main`;
export const MAX_PAUSES = 10_000;

/** A pause in force: why, by whom, since when (ms). */
export interface Pause {
  readonly reason: string;
  readonly by: string;
  readonly pausedAt: number;
}

/** Pauses in force, keyed `clone:<id>` or `source:<engine>`. */
export interface ControlState {
  readonly paused: Readonly<Record<string, Pause>>;
}

export type ControlCommand =
  | ({ type: 'Pause'; reason: string; by: string; at: number } & ControlTarget)
  | ({ type: 'Resume'; reason: string; by: string; at: number } & ControlTarget);

export const controlKey = (t: { scope: string; target: string }) => `${t.scope}:${t.target}`;

export const controlsDecider: Decider<ControlCommand, ControlState, DecisionControlEvent> = {
  name: 'decision-controls',
  initialState: () => ({ paused: {} }),
  decide(command, state) {
    const { scope, target, reason, by, at } = command;
    const paused = state.paused[controlKey(command)] !== undefined;
    if (command.type === 'Pause') {
      if (paused) throw new DomainError('already_paused', 'conflict', `${scope} ${target} is already paused`);
      if (Object.keys(state.paused).length >= MAX_PAUSES)
        throw new DomainError('too_many_pauses', 'conflict', `${MAX_PAUSES} pauses are in force`);
      return [{ type: 'DecisionsPaused', data: { scope, target, reason, by, pausedAt: at } }];
    }
    if (!paused) throw new DomainError('not_paused', 'conflict', `${scope} ${target} is not paused`);
    return [{ type: 'DecisionsResumed', data: { scope, target, reason, by, resumedAt: at } }];
  },
  evolve(state, event) {
    const key = controlKey(event.data);
    if (event.type === 'DecisionsPaused') {
      const { reason, by, pausedAt } = event.data;
      return { paused: { ...state.paused, [key]: { reason, by, pausedAt } } };
    }
    return { paused: Object.fromEntries(Object.entries(state.paused).filter(([k]) => k !== key)) };
  },
};

/** Pause and resume commands, and the pauses in force as the worker reads them. */
export class DecisionControls {
  private readonly handler;

  /** `cloneExists`: whether a clone of that id was ever created (the clones read model, wired by the server). */
  constructor(
    private readonly deps: { readonly store: EventStore; readonly clock: Clock; readonly cloneExists: (cloneId: string) => boolean },
  ) {
    this.handler = new CommandHandler(deps.store, controlsDecider);
  }

  /** Pauses `target`. Errors: `clone_not_found` (404), `already_paused`, `too_many_pauses` (409). */
  pause(target: ControlTarget, reason: string, by: string): ControlState {
    if (target.scope === 'clone' && !this.deps.cloneExists(target.target))
      throw new DomainError('clone_not_found', 'not_found', `clone ${target.target} not found`);
    return this.decide({ type: 'Pause', ...target, reason, by, at: this.deps.clock.now() }, by);
  }

  /** Resumes `target`. Errors: `not_paused` (409). */
  resume(target: ControlTarget, reason: string, by: string): ControlState {
    return this.decide({ type: 'Resume', ...target, reason, by, at: this.deps.clock.now() }, by);
  }

  /** The pauses in force now (the stream folded; cached between calls, new events read each time). */
  state(): ControlState {
    return this.handler.load(CONTROLS_STREAM).state;
  }

  private decide(command: ControlCommand, actor: string): ControlState {
    return this.handler.handle({ streamId: CONTROLS_STREAM, command, metadata: { actor } }).state;
  }
}
