/**
 * The arena decider: one stream (`arena-main`) holds the Promotion Queue, the Arena slots, the
 * race schedule, strikes and careers, so that slot admission, "one clone in one place", "one
 * accumulating race" and strike retirements are decided against one consistent state.
 * Approvals of public profiles (Clone Service) and race results (the race stream) arrive in
 * commands.
 */
import type { Decider } from '../../core/decider.ts';
import { admissions } from './arena-admission.ts';
import { type ArenaEvent, type ArenaRules, defaultArenaRules, zArenaRules } from './arena-events.ts';
import { type ArenaState, accumulatingRace, evolveArena, initialArenaState, placeOf } from './arena-state.ts';
import { strikeEvents } from './arena-strikes.ts';
import { emptyCareer, type RaceResultLine } from './career.ts';
import { frozenRules, refuse } from './refusal.ts';

export const ARENA_CATEGORY = 'arena';
/** The one arena stream. */
export const ARENA_STREAM_ID = `${ARENA_CATEGORY}-main`;

export type ArenaCommand =
  | { type: 'OpenArena'; rules?: Partial<ArenaRules>; at: number }
  | { type: 'QueueClone'; cloneId: string; auditionId: string; passedAt: number; at: number }
  /** `approvedCloneIds`: the queued clones whose public profile is approved now. */
  | { type: 'AdmitFromQueue'; approvedCloneIds: readonly string[]; at: number }
  | { type: 'RemoveClone'; cloneId: string; operator: string; reason: string; approvedCloneIds: readonly string[]; at: number }
  | { type: 'RetireClone'; cloneId: string; operator: string; reason: string; approvedCloneIds: readonly string[]; at: number }
  | { type: 'ScheduleRace'; raceId: string; at: number }
  | { type: 'RecordRaceLaunch'; raceId: string; at: number }
  | {
      type: 'RecordRaceResult';
      raceId: string;
      ticketsSold: number;
      entrants: readonly RaceResultLine[];
      approvedCloneIds: readonly string[];
      at: number;
    };

/** Events so far and the state they fold to, for commands that emit several in sequence. */
class Outcome {
  readonly events: ArenaEvent[] = [];
  constructor(public state: ArenaState) {}
  add(events: readonly ArenaEvent[]): this {
    for (const e of events) {
      this.events.push(e);
      this.state = evolveArena(this.state, e);
    }
    return this;
  }
}

function openRules(state: ArenaState): ArenaRules {
  return state.rules ?? refuse('arena_not_open', 'unprocessable', 'the arena is not open');
}

function decide(command: ArenaCommand, state: ArenaState): ArenaEvent[] {
  if (command.type === 'OpenArena') {
    if (state.rules) refuse('arena_already_open', 'conflict', 'the arena is already open');
    const rules = frozenRules(zArenaRules, defaultArenaRules, command.rules, 'arena_rules_invalid');
    return [{ type: 'ArenaOpened', data: { rules, openedAt: command.at } }];
  }
  const rules = openRules(state);
  switch (command.type) {
    case 'QueueClone':
      return queue(state, command);
    case 'AdmitFromQueue':
      return admissions(state, command.approvedCloneIds, command.at);
    case 'RemoveClone':
    case 'RetireClone':
      return takeOut(state, command);
    case 'ScheduleRace':
      return schedule(state, command.raceId, command.at);
    case 'RecordRaceLaunch':
      return recordLaunch(state, command.raceId, command.at);
    case 'RecordRaceResult':
      return recordResult(state, rules, command);
  }
}

function queue(state: ArenaState, c: Extract<ArenaCommand, { type: 'QueueClone' }>): ArenaEvent[] {
  const place = placeOf(state, c.cloneId);
  if (place === 'queue' || place === 'arena') {
    const held = [...state.queue, ...state.slots].find((e) => e.cloneId === c.cloneId);
    if (held?.auditionId === c.auditionId) return [];
    refuse(
      place === 'queue' ? 'clone_already_queued' : 'clone_already_in_arena',
      'conflict',
      `clone ${c.cloneId} is already in the ${place}`,
    );
  }
  if (place === 'retired') refuse('clone_retired', 'unprocessable', `clone ${c.cloneId} is retired`);
  return [{ type: 'CloneQueued', data: { cloneId: c.cloneId, auditionId: c.auditionId, passedAt: c.passedAt, queuedAt: c.at } }];
}

function takeOut(state: ArenaState, c: Extract<ArenaCommand, { type: 'RemoveClone' | 'RetireClone' }>): ArenaEvent[] {
  const place = placeOf(state, c.cloneId);
  if (place === 'retired') refuse('clone_already_retired', 'conflict', `clone ${c.cloneId} is retired`);
  if (place === null) refuse('clone_not_in_competition', 'not_found', `clone ${c.cloneId} is neither queued nor in the Arena`);
  const slot = state.slots.find((s) => s.cloneId === c.cloneId)?.slot ?? null;
  const common = { cloneId: c.cloneId, from: place, slot };
  const out: ArenaEvent =
    c.type === 'RemoveClone'
      ? { type: 'CloneRemoved', data: { ...common, removedBy: c.operator, reason: c.reason, removedAt: c.at } }
      : {
          type: 'CloneRetired',
          data: {
            ...common,
            cause: 'admin',
            raceId: null,
            retiredBy: c.operator,
            reason: c.reason,
            career: state.careers.get(c.cloneId) ?? emptyCareer,
            retiredAt: c.at,
          },
        };
  const outcome = new Outcome(state).add([out]);
  return outcome.add(admissions(outcome.state, c.approvedCloneIds, c.at)).events;
}

function schedule(state: ArenaState, raceId: string, at: number): ArenaEvent[] {
  const current = accumulatingRace(state);
  if (current?.raceId === raceId) return [];
  if (current) refuse('race_already_accumulating', 'conflict', `race ${current.raceId} is accumulating`, { raceId: current.raceId });
  if (state.races.some((r) => r.raceId === raceId)) refuse('race_already_scheduled', 'conflict', `race ${raceId} was scheduled before`);
  return [{ type: 'RaceScheduled', data: { raceId, sequence: state.races.length + 1, scheduledAt: at } }];
}

function scheduled(state: ArenaState, raceId: string) {
  return state.races.find((r) => r.raceId === raceId) ?? refuse('race_not_scheduled', 'not_found', `race ${raceId} was not scheduled`);
}

function recordLaunch(state: ArenaState, raceId: string, at: number): ArenaEvent[] {
  const race = scheduled(state, raceId);
  if (race.launched) return [];
  return [{ type: 'RaceLaunchRecorded', data: { raceId, sequence: race.sequence, launchedAt: at } }];
}

function recordResult(state: ArenaState, rules: ArenaRules, c: Extract<ArenaCommand, { type: 'RecordRaceResult' }>): ArenaEvent[] {
  const race = scheduled(state, c.raceId);
  if (race.resultRecorded) return [];
  if (!race.launched) refuse('race_not_launched', 'unprocessable', `race ${c.raceId} has not launched`);
  const previous = state.races.find((r) => r.sequence === race.sequence - 1);
  if (previous && !previous.resultRecorded) {
    refuse('race_result_out_of_order', 'unprocessable', `race ${previous.raceId} must be recorded first`, { raceId: previous.raceId });
  }
  const ids = new Set(c.entrants.map((e) => e.cloneId));
  const tickets = c.entrants.reduce((n, e) => n + e.tickets, 0);
  if (ids.size !== c.entrants.length || tickets !== c.ticketsSold) {
    refuse('race_result_invalid', 'invalid', 'entrants must be distinct and their tickets must add up to the tickets sold');
  }
  const recorded: ArenaEvent = {
    type: 'RaceResultRecorded',
    data: { raceId: c.raceId, sequence: race.sequence, ticketsSold: c.ticketsSold, entrants: [...c.entrants], recordedAt: c.at },
  };
  const outcome = new Outcome(state).add([recorded]);
  outcome.add(strikeEvents(outcome.state, rules, c, c.at));
  return outcome.add(admissions(outcome.state, c.approvedCloneIds, c.at)).events;
}

export const arenaDecider: Decider<ArenaCommand, ArenaState, ArenaEvent> = {
  name: 'arena',
  snapshot: { version: 1, every: 200 },
  initialState: () => initialArenaState,
  decide,
  evolve: evolveArena,
};
