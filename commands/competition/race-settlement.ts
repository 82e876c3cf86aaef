/**
 * From a race at the close to its recorded settlement, through the settlement rule (`settle()`)
 * and the payout Merkle tree; and from a recorded settlement to the result the arena records
 * (positions, tickets, equities, royalties per entrant).
 */
import type { CheckpointRef } from '../ledger/events.ts';
import type { RaceResultLine } from './career.ts';
import { payoutTree } from './payout-tree.ts';
import type { RaceSettledData } from './race-events.ts';
import type { Race } from './race-state.ts';
import { formatWeight } from './ranking.ts';
import { settle } from './settlement.ts';

/**
 * The settlement of a closed race; `finalEquities` has one entry per entrant (micro-USD);
 * `checkpoint` is the signed ledger checkpoint covering the events it was computed from.
 */
export function settlementOf(
  race: Race,
  finalEquities: ReadonlyMap<string, bigint>,
  settledAt: number,
  checkpoint: CheckpointRef | null,
): RaceSettledData {
  const { rules } = race;
  const held = race.purchases.filter((p) => !p.refunded);
  const settlement = settle({
    ticketPriceWei: rules.ticketPriceWei,
    config: { rakeBps: BigInt(rules.rakeBps), creatorBps: BigInt(rules.creatorBps), rankWeightsBps: rules.rankWeightsBps.map(BigInt) },
    entrants: race.entrants.map((e) => ({
      cloneId: e.cloneId,
      creator: e.creator,
      startingEquity: e.startingEquityMicroUsd,
      finalEquity: finalEquities.get(e.cloneId) ?? 0n,
    })),
    tickets: held.map((p) => ({ holder: p.holder, cloneId: p.cloneId, count: BigInt(p.tickets) })),
  });
  const entrants = new Map(race.entrants.map((e) => [e.cloneId, e]));
  const ticketsOn = (cloneId: string) => held.reduce((n, p) => (p.cloneId === cloneId ? n + p.tickets : n), 0);
  return {
    raceId: race.raceId,
    sequence: race.sequence,
    ticketPriceWei: rules.ticketPriceWei,
    ticketsSold: held.reduce((n, p) => n + p.tickets, 0),
    grossPoolWei: settlement.grossPoolWei,
    rakeWei: settlement.rakeWei,
    creatorPoolWei: settlement.creatorPoolWei,
    distributionPoolWei: settlement.distributionPoolWei,
    refund: settlement.refund,
    ranking: settlement.ranking.map((p) => ({
      cloneId: p.cloneId,
      position: p.position,
      weightBps: formatWeight(p.weight),
      startingEquityMicroUsd: entrants.get(p.cloneId)?.startingEquityMicroUsd ?? 0n,
      finalEquityMicroUsd: finalEquities.get(p.cloneId) ?? 0n,
      tickets: ticketsOn(p.cloneId),
    })),
    payouts: settlement.payouts.map(({ holder, cloneId, amountWei }) => ({ holder, cloneId, amountWei })),
    royalties: settlement.royalties.map(({ creator, cloneId, amountWei }) => ({ creator, cloneId, amountWei })),
    breakageWei: settlement.breakageWei,
    merkleRoot: payoutTree(race.raceId, settlement.payouts).root,
    settledAt,
    checkpoint,
  };
}

/** What the arena records of a settled race (the process manager's `RecordRaceResult`). */
export function raceResultOf(settled: RaceSettledData): { raceId: string; ticketsSold: number; entrants: RaceResultLine[] } {
  const royalty = new Map(settled.royalties.map((r) => [r.cloneId, r.amountWei]));
  return {
    raceId: settled.raceId,
    ticketsSold: settled.ticketsSold,
    entrants: settled.ranking.map((line) => ({
      cloneId: line.cloneId,
      position: line.position,
      tickets: line.tickets,
      startingEquityMicroUsd: line.startingEquityMicroUsd,
      finalEquityMicroUsd: line.finalEquityMicroUsd,
      royaltyWei: royalty.get(line.cloneId) ?? 0n,
    })),
  };
}
