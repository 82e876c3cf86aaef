/**
 * A clone's career across races: races run, placings by position, best and cumulative return,
 * tickets attracted and royalties earned. Folded on the arena stream from each race's result
 * and written whole into the Hall of Fame entry when the clone retires.
 */
import { z } from 'zod';
import { zAmount, zNonNegativeAmount } from '../../core/money.ts';
import { zCount, zId } from './fields.ts';
import { compareReturns } from './ranking.ts';

/** One entrant's line in a settled race, as the arena records it. */
export const zRaceResultLine = z
  .object({
    cloneId: zId,
    /** 1-based; a dead heat shares its first position. */
    position: z.number().int().min(1),
    /** Tickets on this clone that stayed in the race (refunds excluded). */
    tickets: zCount,
    startingEquityMicroUsd: zNonNegativeAmount,
    finalEquityMicroUsd: zAmount,
    royaltyWei: zNonNegativeAmount,
  })
  .strict();
export type RaceResultLine = z.output<typeof zRaceResultLine>;

const zRaceReturn = z.object({ raceId: zId, startingEquityMicroUsd: zNonNegativeAmount, finalEquityMicroUsd: zAmount }).strict();

export const zCareer = z
  .object({
    races: zCount,
    /** How many times the clone finished at each position, by position ascending. */
    placements: z.array(z.object({ position: z.number().int().min(1), count: zCount }).strict()),
    /** The race with the best return (compared exactly); the earliest on a tie. */
    bestReturn: zRaceReturn.nullable(),
    /** Cumulative return = total PnL / total starting equity over the clone's race accounts. */
    totalPnlMicroUsd: zAmount,
    totalStartingEquityMicroUsd: zNonNegativeAmount,
    ticketsAttracted: zCount,
    royaltiesWei: zNonNegativeAmount,
  })
  .strict();
export type Career = z.output<typeof zCareer>;

export const emptyCareer: Career = Object.freeze({
  races: 0,
  placements: [],
  bestReturn: null,
  totalPnlMicroUsd: 0n,
  totalStartingEquityMicroUsd: 0n,
  ticketsAttracted: 0,
  royaltiesWei: 0n,
});

function placed(placements: Career['placements'], position: number): Career['placements'] {
  const found = placements.some((p) => p.position === position);
  const next = found
    ? placements.map((p) => (p.position === position ? { position, count: p.count + 1 } : p))
    : [...placements, { position, count: 1 }];
  return next.sort((a, b) => a.position - b.position);
}

function better(best: Career['bestReturn'], raceId: string, line: RaceResultLine): Career['bestReturn'] {
  const candidate = { raceId, startingEquityMicroUsd: line.startingEquityMicroUsd, finalEquityMicroUsd: line.finalEquityMicroUsd };
  if (!best) return candidate;
  const asResult = (r: NonNullable<Career['bestReturn']>) => ({
    cloneId: r.raceId,
    startingEquity: r.startingEquityMicroUsd,
    finalEquity: r.finalEquityMicroUsd,
  });
  return compareReturns(asResult(candidate), asResult(best)) < 0 ? candidate : best;
}

export function withRace(career: Career, raceId: string, line: RaceResultLine): Career {
  return {
    races: career.races + 1,
    placements: placed(career.placements, line.position),
    bestReturn: better(career.bestReturn, raceId, line),
    totalPnlMicroUsd: career.totalPnlMicroUsd + line.finalEquityMicroUsd - line.startingEquityMicroUsd,
    totalStartingEquityMicroUsd: career.totalStartingEquityMicroUsd + line.startingEquityMicroUsd,
    ticketsAttracted: career.ticketsAttracted + line.tickets,
    royaltiesWei: career.royaltiesWei + line.royaltyWei,
  };
}
