/** A race stream folded: its stage, rules, launch time, purchases (and which are refunded), entrants. */
import type { RaceEntrant, RaceEvent, RaceRules, TicketPurchase } from './race-events.ts';

/** The stages in order; a race only moves forward. */
export const raceStages = ['accumulating', 'launched', 'live', 'settling', 'settled', 'archived'] as const;
export type RaceStage = (typeof raceStages)[number];

export interface HeldPurchase extends TicketPurchase {
  /** True once a refund is owed for it (its clone did not launch). */
  readonly refunded: boolean;
}

export interface Race {
  readonly raceId: string;
  readonly sequence: number;
  readonly rules: RaceRules;
  readonly stage: RaceStage;
  readonly launchAt: number;
  readonly purchases: readonly HeldPurchase[];
  readonly entrants: readonly RaceEntrant[];
  readonly closesAt: number | null;
}

export type RaceState = Race | null;

/** Tickets in the race's pool: every purchase not refunded. */
export function heldTickets(race: Race): number {
  return race.purchases.reduce((n, p) => (p.refunded ? n : n + p.tickets), 0);
}

function changed(state: RaceState, change: Partial<Race>): RaceState {
  return state && { ...state, ...change };
}

export function evolveRace(state: RaceState, event: RaceEvent): RaceState {
  switch (event.type) {
    case 'RaceOpened': {
      const { raceId, sequence, rules, launchAt } = event.data;
      return { raceId, sequence, rules, stage: 'accumulating', launchAt, purchases: [], entrants: [], closesAt: null };
    }
    case 'TicketsBought': {
      const { paymentId, holder, cloneId, tickets, amountWei } = event.data;
      return changed(state, {
        purchases: [...(state?.purchases ?? []), { paymentId, holder, cloneId, tickets, amountWei, refunded: false }],
      });
    }
    case 'RaceLaunchPostponed':
      return changed(state, { launchAt: event.data.launchAt });
    case 'RaceLaunched':
      return changed(state, { stage: 'launched', entrants: event.data.entrants });
    case 'TicketRefundOwed': {
      const { paymentId } = event.data;
      return changed(state, { purchases: (state?.purchases ?? []).map((p) => (p.paymentId === paymentId ? { ...p, refunded: true } : p)) });
    }
    case 'RaceWentLive':
      return changed(state, { stage: 'live', closesAt: event.data.closesAt });
    case 'RaceClosed':
      return changed(state, { stage: 'settling' });
    case 'RaceSettled':
      return changed(state, { stage: 'settled' });
    case 'RaceArchived':
      return changed(state, { stage: 'archived' });
  }
}
