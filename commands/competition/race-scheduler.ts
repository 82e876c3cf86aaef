/**
 * The race scheduler, one round at the worker's time: opens the arena once, keeps exactly one
 * race accumulating, admits approved queue heads into free slots, and moves each race along
 * when its time comes — launch at `launchAt` with a fresh race prop account per Arena clone
 * (or postpone with fewer than `minEntrants`), go live at once, close after the live window.
 * Opening, settling, paying out and archiving follow from the events (the process manager).
 */
import { ARENA_STREAM_ID } from './arena-decider.ts';
import { accumulatingRace } from './arena-state.ts';
import { type Competition, raceAccountId, WORKER_ACTOR } from './handlers.ts';
import { raceStreamId } from './race-decider.ts';
import type { RaceEntrant } from './race-events.ts';
import type { Race, RaceState } from './race-state.ts';

export function openArenaOnce(c: Competition): void {
  if (c.deps.store.streamVersion(ARENA_STREAM_ID) === 0) c.arenaCommand({ type: 'OpenArena', rules: c.rules.arena ?? {} }, WORKER_ACTOR);
}

export function admitFromQueue(c: Competition): void {
  const arena = c.arena.load(ARENA_STREAM_ID).state;
  if (!arena.rules || arena.slots.length >= arena.rules.slots || arena.queue.length === 0) return;
  const approvedCloneIds = c.approvedQueue();
  if (approvedCloneIds.length > 0) c.arenaCommand({ type: 'AdmitFromQueue', approvedCloneIds }, WORKER_ACTOR);
}

export function scheduleRace(c: Competition): void {
  const arena = c.arena.load(ARENA_STREAM_ID).state;
  if (arena.rules && !accumulatingRace(arena)) c.arenaCommand({ type: 'ScheduleRace', raceId: c.deps.ids.next() }, WORKER_ACTOR);
}

/** A fresh race account for each Arena clone (reused if an earlier round opened it), as race entrants. */
function entrants(c: Competition, raceId: string): RaceEntrant[] {
  return c.deps.queries.slots().flatMap(({ cloneId }) => {
    const userId = c.deps.facts.ownerOf(cloneId);
    const creator = userId === undefined ? undefined : c.deps.facts.walletOf(userId);
    const strategyVersionId = c.deps.facts.activeVersionOf(cloneId);
    if (!creator || !strategyVersionId) return [];
    const propAccountId = raceAccountId(raceId, cloneId);
    if (c.prop.state(propAccountId).status === 'new') {
      c.prop.open({ accountId: propAccountId, cloneId, strategyVersionId, purpose: 'race' }, WORKER_ACTOR);
    }
    return [{ cloneId, creator, propAccountId, startingEquityMicroUsd: c.prop.state(propAccountId).startingEquity }];
  });
}

function launchOrPostpone(c: Competition, race: Race, now: number): RaceState {
  if (race.stage !== 'accumulating' || now < race.launchAt) return race;
  const { raceId } = race;
  const arenaClones = c.deps.queries.slots().length;
  if (arenaClones < race.rules.minEntrants) return c.race({ type: 'PostponeLaunch', raceId, arenaClones }, WORKER_ACTOR).state;
  return c.race({ type: 'LaunchRace', raceId, entrants: entrants(c, raceId) }, WORKER_ACTOR).state;
}

export function moveRaces(c: Competition, now: number): void {
  for (const { raceId } of c.deps.queries.racesAt('accumulating', 'launched', 'live')) {
    let race = c.races.load(raceStreamId(raceId)).state;
    if (race) race = launchOrPostpone(c, race, now);
    if (race?.stage === 'launched') race = c.race({ type: 'StartRace', raceId }, WORKER_ACTOR).state;
    if (race?.stage === 'live' && race.closesAt !== null && now >= race.closesAt) c.race({ type: 'CloseRace', raceId }, WORKER_ACTOR);
  }
}
