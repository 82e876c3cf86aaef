/**
 * The race decider (`race-<id>`): accumulating → launched → live → settling → settled →
 * archived. Tickets only while accumulating, only on an Arena clone, each from one verified
 * payment (a repeat of the same payment is a no-op). A launch needs `minEntrants` clones, or it
 * is postponed by whole periods with the tickets kept; tickets on clones that did not launch
 * are owed refunds. Settlement applies `settle()`. Worker transitions repeated after they
 * happened are no-ops, so a retrying worker is harmless.
 */
import type { Address } from 'viem';
import type { Decider } from '../../core/decider.ts';
import { divide } from '../../core/money.ts';
import type { CheckpointRef } from '../ledger/events.ts';
import { defaultRaceRules, type RaceEntrant, type RaceEvent, type RaceRules, zRaceRules } from './race-events.ts';
import { settlementOf } from './race-settlement.ts';
import { evolveRace, type Race, type RaceStage, type RaceState, raceStages } from './race-state.ts';
import { frozenRules, refuse } from './refusal.ts';

export const RACE_CATEGORY = 'race';
export const raceStreamId = (raceId: string) => `${RACE_CATEGORY}-${raceId}`;

export type RaceCommand =
  /** Sent by the process manager on the arena's `RaceScheduled`, with the arena's sequence. */
  | { type: 'OpenRace'; raceId: string; sequence: number; launchAt: number; rules?: Partial<RaceRules>; at: number }
  | {
      type: 'BuyTickets';
      raceId: string;
      /** A verified Economy payment for exactly this purchase. */
      paymentId: string;
      holder: Address;
      cloneId: string;
      tickets: number;
      amountWei: bigint;
      /** The clone holds an Arena slot now (arena read model). */
      cloneInArena: boolean;
      at: number;
    }
  | { type: 'PostponeLaunch'; raceId: string; arenaClones: number; at: number }
  /** Every Arena clone with its fresh race prop account (opened through Prop Trading). */
  | { type: 'LaunchRace'; raceId: string; entrants: readonly RaceEntrant[]; at: number }
  | { type: 'StartRace'; raceId: string; at: number }
  | { type: 'CloseRace'; raceId: string; at: number }
  /**
   * Each entrant's race account equity at the close, micro-USD (Prop Trading), and the signed
   * ledger checkpoint covering every event up to now (the race's and its accounts').
   */
  | {
      type: 'SettleRace';
      raceId: string;
      finalEquities: readonly { cloneId: string; finalEquityMicroUsd: bigint }[];
      checkpoint: CheckpointRef;
      at: number;
    }
  | { type: 'ArchiveRace'; raceId: string; at: number };

function existing(state: RaceState, raceId: string): Race {
  return state ?? refuse('race_not_found', 'not_found', `race ${raceId} not found`, { raceId });
}

/** 'now' when the race is at `stage`, 'done' when it has moved past it; otherwise refuses with `code`. */
function at(race: Race, stage: RaceStage, code: string): 'now' | 'done' {
  const current = raceStages.indexOf(race.stage);
  const wanted = raceStages.indexOf(stage);
  if (current === wanted) return 'now';
  if (current > wanted) return 'done';
  return refuse(code, 'unprocessable', `race ${race.raceId} is ${race.stage}`, { stage: race.stage });
}

function accumulating(race: Race): void {
  if (race.stage !== 'accumulating') refuse('race_not_accumulating', 'unprocessable', `race ${race.raceId} is ${race.stage}`);
}

function decide(command: RaceCommand, state: RaceState): RaceEvent[] {
  if (command.type === 'OpenRace') {
    if (state) refuse('race_exists', 'conflict', `race ${command.raceId} exists`);
    const rules = frozenRules(zRaceRules, defaultRaceRules, command.rules, 'race_rules_invalid');
    const { raceId, sequence, launchAt } = command;
    return [{ type: 'RaceOpened', data: { raceId, sequence, rules, launchAt, openedAt: command.at } }];
  }
  const race = existing(state, command.raceId);
  switch (command.type) {
    case 'BuyTickets':
      return buy(race, command);
    case 'PostponeLaunch':
      return postpone(race, command);
    case 'LaunchRace':
      return launch(race, command);
    case 'StartRace':
      if (at(race, 'launched', 'race_not_launched') === 'done') return [];
      return [{ type: 'RaceWentLive', data: { raceId: race.raceId, liveAt: command.at, closesAt: command.at + race.rules.liveWindowMs } }];
    case 'CloseRace':
      if (at(race, 'live', 'race_not_live') === 'done') return [];
      if (command.at < (race.closesAt ?? 0)) refuse('race_not_due_to_close', 'unprocessable', `race closes at ${race.closesAt}`);
      return [
        {
          type: 'RaceClosed',
          data: { raceId: race.raceId, propAccountIds: race.entrants.map((e) => e.propAccountId), closedAt: command.at },
        },
      ];
    case 'SettleRace':
      return settleRace(race, command);
    case 'ArchiveRace':
      if (at(race, 'settled', 'race_not_settled') === 'done') return [];
      return [{ type: 'RaceArchived', data: { raceId: race.raceId, archivedAt: command.at } }];
  }
}

function buy(race: Race, c: Extract<RaceCommand, { type: 'BuyTickets' }>): RaceEvent[] {
  const { paymentId, holder, cloneId, tickets, amountWei } = c;
  const earlier = race.purchases.find((p) => p.paymentId === paymentId);
  if (earlier) {
    const same = earlier.holder === holder && earlier.cloneId === cloneId && earlier.tickets === tickets && earlier.amountWei === amountWei;
    if (same) return [];
    refuse('payment_already_used', 'conflict', `payment ${paymentId} already bought other tickets`, { paymentId });
  }
  accumulating(race);
  if (!Number.isSafeInteger(tickets) || tickets < 1) refuse('ticket_count_invalid', 'invalid', 'tickets must be a whole number ≥ 1');
  if (!c.cloneInArena) refuse('clone_not_in_arena', 'unprocessable', `clone ${cloneId} holds no Arena slot`);
  const price = BigInt(tickets) * race.rules.ticketPriceWei;
  if (amountWei !== price) {
    refuse('ticket_payment_mismatch', 'unprocessable', `${tickets} tickets cost ${price} wei, the payment is ${amountWei} wei`, {
      expectedWei: price.toString(),
      paidWei: amountWei.toString(),
    });
  }
  return [{ type: 'TicketsBought', data: { raceId: race.raceId, paymentId, holder, cloneId, tickets, amountWei, boughtAt: c.at } }];
}

function launchDue(race: Race, now: number): void {
  if (now < race.launchAt) refuse('race_launch_not_due', 'unprocessable', `race launches at ${race.launchAt}`, { launchAt: race.launchAt });
}

function postpone(race: Race, c: Extract<RaceCommand, { type: 'PostponeLaunch' }>): RaceEvent[] {
  accumulating(race);
  launchDue(race, c.at);
  if (c.arenaClones >= race.rules.minEntrants) refuse('race_launch_possible', 'unprocessable', 'enough Arena clones to launch');
  // The first launch time of the cadence after now: one period later when the worker is on time.
  const period = race.rules.launchPeriodMs;
  const periods = divide(BigInt(c.at - race.launchAt), BigInt(period), 'floor') + 1n;
  const launchAt = race.launchAt + Number(periods) * period;
  return [
    {
      type: 'RaceLaunchPostponed',
      data: { raceId: race.raceId, arenaClones: c.arenaClones, previousLaunchAt: race.launchAt, launchAt, postponedAt: c.at },
    },
  ];
}

function launch(race: Race, c: Extract<RaceCommand, { type: 'LaunchRace' }>): RaceEvent[] {
  if (at(race, 'accumulating', 'race_not_accumulating') === 'done') return [];
  launchDue(race, c.at);
  if (c.entrants.length < race.rules.minEntrants) {
    refuse('race_too_few_entrants', 'unprocessable', `a race needs ${race.rules.minEntrants} entrants`, { entrants: c.entrants.length });
  }
  const ids = new Set(c.entrants.map((e) => e.cloneId));
  if (ids.size !== c.entrants.length || c.entrants.some((e) => e.startingEquityMicroUsd <= 0n)) {
    refuse('race_entrants_invalid', 'invalid', 'entrants must be distinct clones with a starting equity > 0');
  }
  const refunds: RaceEvent[] = race.purchases
    .filter((p) => !ids.has(p.cloneId))
    .map(({ paymentId, holder, cloneId, tickets, amountWei }) => ({
      type: 'TicketRefundOwed',
      data: { raceId: race.raceId, paymentId, holder, cloneId, tickets, amountWei, reason: 'clone_not_entrant', owedAt: c.at },
    }));
  return [
    {
      type: 'RaceLaunched',
      data: { raceId: race.raceId, sequence: race.sequence, rules: race.rules, entrants: [...c.entrants], launchedAt: c.at },
    },
    ...refunds,
  ];
}

function settleRace(race: Race, c: Extract<RaceCommand, { type: 'SettleRace' }>): RaceEvent[] {
  if (at(race, 'settling', 'race_not_settling') === 'done') return [];
  const finals = new Map(c.finalEquities.map((f) => [f.cloneId, f.finalEquityMicroUsd]));
  const complete =
    finals.size === c.finalEquities.length && finals.size === race.entrants.length && race.entrants.every((e) => finals.has(e.cloneId));
  if (!complete) refuse('race_final_equities_mismatch', 'invalid', 'one final equity per entrant, and only for entrants');
  return [{ type: 'RaceSettled', data: settlementOf(race, finals, c.at, c.checkpoint) }];
}

export const raceDecider: Decider<RaceCommand, RaceState, RaceEvent> = {
  name: 'race',
  initialState: () => null,
  decide,
  evolve: evolveRace,
};
