/**
 * The arena stream folded: the Promotion Queue in pass-time order, the occupied Arena slots,
 * retired clones, strikes in a row, careers, and the race schedule. `evolveArena` is the one
 * fold, used by the decider and by the decider's own look-ahead within one command.
 */
import type { ArenaEvent, ArenaRules } from './arena-events.ts';
import { type Career, emptyCareer, withRace } from './career.ts';

export interface QueueEntry {
  readonly cloneId: string;
  readonly auditionId: string;
  readonly passedAt: number;
  readonly queuedAt: number;
}

export interface SlotHolder {
  readonly slot: number;
  readonly cloneId: string;
  readonly auditionId: string;
  readonly admittedAt: number;
}

export interface ScheduledRace {
  readonly raceId: string;
  readonly sequence: number;
  readonly launched: boolean;
  readonly resultRecorded: boolean;
}

export interface ArenaState {
  /** Null until the arena is opened. */
  readonly rules: ArenaRules | null;
  /** FIFO by pass time (ties in arrival order). */
  readonly queue: readonly QueueEntry[];
  /** Occupied slots, by slot number. */
  readonly slots: readonly SlotHolder[];
  /** Retired clone → retirement time. */
  readonly retired: ReadonlyMap<string, number>;
  /** Clone → strikes in a row (absent: none). */
  readonly strikes: ReadonlyMap<string, number>;
  readonly careers: ReadonlyMap<string, Career>;
  /** Every scheduled race, by sequence. */
  readonly races: readonly ScheduledRace[];
}

export const initialArenaState: ArenaState = {
  rules: null,
  queue: [],
  slots: [],
  retired: new Map(),
  strikes: new Map(),
  careers: new Map(),
  races: [],
};

export type ClonePlace = 'queue' | 'arena' | 'retired' | null;

export function placeOf(state: ArenaState, cloneId: string): ClonePlace {
  if (state.slots.some((s) => s.cloneId === cloneId)) return 'arena';
  if (state.queue.some((q) => q.cloneId === cloneId)) return 'queue';
  if (state.retired.has(cloneId)) return 'retired';
  return null;
}

/** The race accepting tickets: scheduled and not yet launched. */
export function accumulatingRace(state: ArenaState): ScheduledRace | undefined {
  return state.races.find((r) => !r.launched);
}

function enqueue(queue: readonly QueueEntry[], entry: QueueEntry): QueueEntry[] {
  const at = queue.findIndex((q) => q.passedAt > entry.passedAt);
  return at < 0 ? [...queue, entry] : [...queue.slice(0, at), entry, ...queue.slice(at)];
}

function without<K, V>(map: ReadonlyMap<K, V>, key: K): Map<K, V> {
  const next = new Map(map);
  next.delete(key);
  return next;
}

function leave(state: ArenaState, cloneId: string): ArenaState {
  return {
    ...state,
    queue: state.queue.filter((q) => q.cloneId !== cloneId),
    slots: state.slots.filter((s) => s.cloneId !== cloneId),
    strikes: without(state.strikes, cloneId),
  };
}

function updateRace(state: ArenaState, raceId: string, change: Partial<ScheduledRace>): ArenaState {
  return { ...state, races: state.races.map((r) => (r.raceId === raceId ? { ...r, ...change } : r)) };
}

export function evolveArena(state: ArenaState, event: ArenaEvent): ArenaState {
  switch (event.type) {
    case 'ArenaOpened':
      return { ...state, rules: event.data.rules };
    case 'CloneQueued': {
      const { cloneId, auditionId, passedAt, queuedAt } = event.data;
      return { ...state, queue: enqueue(state.queue, { cloneId, auditionId, passedAt, queuedAt }) };
    }
    case 'CloneAdmitted': {
      const { cloneId, auditionId, slot, admittedAt } = event.data;
      const slots = [...state.slots, { slot, cloneId, auditionId, admittedAt }].sort((a, b) => a.slot - b.slot);
      return { ...state, queue: state.queue.filter((q) => q.cloneId !== cloneId), slots };
    }
    case 'CloneRemoved':
      return leave(state, event.data.cloneId);
    case 'CloneRetired':
      return { ...leave(state, event.data.cloneId), retired: new Map(state.retired).set(event.data.cloneId, event.data.retiredAt) };
    case 'RaceScheduled':
      return {
        ...state,
        races: [...state.races, { raceId: event.data.raceId, sequence: event.data.sequence, launched: false, resultRecorded: false }],
      };
    case 'RaceLaunchRecorded':
      return updateRace(state, event.data.raceId, { launched: true });
    case 'RaceResultRecorded': {
      const careers = new Map(state.careers);
      for (const line of event.data.entrants)
        careers.set(line.cloneId, withRace(careers.get(line.cloneId) ?? emptyCareer, event.data.raceId, line));
      return { ...updateRace(state, event.data.raceId, { resultRecorded: true }), careers };
    }
    case 'StrikeGiven':
      return { ...state, strikes: new Map(state.strikes).set(event.data.cloneId, event.data.strikes) };
    case 'StrikesCleared':
      return { ...state, strikes: without(state.strikes, event.data.cloneId) };
  }
}
