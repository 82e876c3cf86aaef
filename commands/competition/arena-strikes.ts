/**
 * Demand-based retirement: after a settled race with tickets sold, each entrant still in the
 * Arena that was backed by fewer than `strikeBackingBps` of the race's tickets gets a strike;
 * `strikesToRetire` strikes in a row retire it to the Hall of Fame. A well-backed race clears
 * the run. A race with no tickets sold changes no strike.
 */
import { BPS } from '../../core/money.ts';
import type { ArenaEvent, ArenaRules } from './arena-events.ts';
import { type ArenaState, evolveArena, placeOf } from './arena-state.ts';
import { emptyCareer, type RaceResultLine } from './career.ts';

/** tickets / ticketsSold < backingBps / 10000, exactly. */
export function weaklyBacked(tickets: number, ticketsSold: number, rules: ArenaRules): boolean {
  return BigInt(tickets) * BPS < BigInt(ticketsSold) * BigInt(rules.strikeBackingBps);
}

/** The strike, clear and retirement events of one recorded race result (`after` has the result folded in). */
export function strikeEvents(
  after: ArenaState,
  rules: ArenaRules,
  race: { raceId: string; ticketsSold: number; entrants: readonly RaceResultLine[] },
  at: number,
): ArenaEvent[] {
  if (race.ticketsSold === 0) return [];
  const events: ArenaEvent[] = [];
  let state = after;
  for (const line of race.entrants) {
    const { cloneId } = line;
    if (placeOf(state, cloneId) !== 'arena') continue;
    const before = state.strikes.get(cloneId) ?? 0;
    const next: ArenaEvent[] = [];
    if (weaklyBacked(line.tickets, race.ticketsSold, rules)) {
      const strikes = before + 1;
      next.push({
        type: 'StrikeGiven',
        data: { cloneId, raceId: race.raceId, strikes, tickets: line.tickets, ticketsSold: race.ticketsSold, at },
      });
      if (strikes >= rules.strikesToRetire) {
        const slot = state.slots.find((s) => s.cloneId === cloneId)?.slot ?? null;
        const career = state.careers.get(cloneId) ?? emptyCareer;
        next.push({
          type: 'CloneRetired',
          data: {
            cloneId,
            cause: 'strikes',
            from: 'arena',
            slot,
            raceId: race.raceId,
            retiredBy: null,
            reason: null,
            career,
            retiredAt: at,
          },
        });
      }
    } else if (before > 0) {
      next.push({ type: 'StrikesCleared', data: { cloneId, raceId: race.raceId, at } });
    }
    for (const e of next) state = evolveArena(state, e);
    events.push(...next);
  }
  return events;
}
