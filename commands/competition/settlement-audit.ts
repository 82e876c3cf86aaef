/**
 * The settlement audit by replay: a race's settlement recomputed from raw events only — the
 * race stream folded for its rules, entrants and held tickets, each entrant's prop-account
 * stream folded through the prop-account decider for its final equity (fills, fees, funding,
 * closes) — through the same settlement rule, then compared line by line with the recorded
 * `RaceSettled` and with the settlement read models. No read model is an input.
 */

import { toWire } from '../../core/canonical-json.ts';
import type { EventStore, RecordedEvent } from '../../core/event-store.ts';
import { propAccountDecider, propAccountStream } from '../prop-trading/decider.ts';
import type { PropAccountEvent } from '../prop-trading/events.ts';
import { payoutClaims } from './payout-tree.ts';
import type { SettlementRecords } from './ports.ts';
import { raceStreamId } from './race-decider.ts';
import type { RaceEvent, RaceSettledData } from './race-events.ts';
import { settlementOf } from './race-settlement.ts';
import { evolveRace, type RaceState } from './race-state.ts';

export interface SettlementAudit {
  readonly raceId: string;
  /** Every difference, as `where: recomputed X, recorded Y`; empty when all agree. */
  readonly differences: string[];
  /** The settlement recomputed from the raw events, or null when it could not be. */
  readonly recomputed: RaceSettledData | null;
}

/** Every path at which two plain documents differ, in document order. */
export function differencesOf(recomputed: unknown, recorded: unknown, path: string): string[] {
  if (Array.isArray(recomputed) && Array.isArray(recorded)) {
    const lines = Array.from({ length: Math.max(recomputed.length, recorded.length) }, (_, i) =>
      differencesOf(recomputed[i], recorded[i], `${path}[${i}]`),
    );
    return lines.flat();
  }
  if (recomputed && recorded && typeof recomputed === 'object' && typeof recorded === 'object') {
    const a = recomputed as Record<string, unknown>;
    const b = recorded as Record<string, unknown>;
    return [...new Set([...Object.keys(a), ...Object.keys(b)])].flatMap((k) => differencesOf(a[k], b[k], `${path}.${k}`));
  }
  if (recomputed === recorded) return [];
  const show = (v: unknown) => (v === undefined ? 'nothing' : JSON.stringify(v));
  return [`${path}: recomputed ${show(recomputed)}, recorded ${show(recorded)}`];
}

/** The final equity of a finalized prop account, folded from its own events. */
function finalEquity(store: EventStore, propAccountId: string): bigint | string {
  const events = store.readStream(propAccountStream(propAccountId)) as RecordedEvent<PropAccountEvent>[];
  const state = events.reduce(propAccountDecider.evolve, propAccountDecider.initialState());
  return state.status === 'finalized' ? state.cash : `prop account ${propAccountId} is ${state.status}, not finalized`;
}

/** What the settlement read models should hold for this settlement, in their own order. */
function readModelShape(s: RaceSettledData) {
  const byHolder = <T extends { holder: string; cloneId?: string }>(rows: T[]) =>
    rows.sort((a, b) => (a.holder + (a.cloneId ?? '') < b.holder + (b.cloneId ?? '') ? -1 : 1));
  return toWire({
    settlement: {
      raceId: s.raceId,
      sequence: s.sequence,
      ticketsSold: s.ticketsSold,
      ticketPriceWei: s.ticketPriceWei,
      grossPoolWei: s.grossPoolWei,
      rakeWei: s.rakeWei,
      creatorPoolWei: s.creatorPoolWei,
      distributionPoolWei: s.distributionPoolWei,
      refund: s.refund,
      breakageWei: s.breakageWei,
      merkleRoot: s.merkleRoot,
      settledAt: s.settledAt,
    },
    ranking: [...s.ranking].sort((a, b) => a.position - b.position || (a.cloneId < b.cloneId ? -1 : 1)),
    payouts: byHolder(s.payouts.map((p) => ({ holder: p.holder, cloneId: p.cloneId, amountWei: p.amountWei }))),
    royalties: [...s.royalties].sort((a, b) => (a.cloneId < b.cloneId ? -1 : 1)),
    claims: byHolder(payoutClaims(s.payouts).map((c) => ({ raceId: s.raceId, holder: c.holder, amountWei: c.amountWei }))),
  });
}

export function auditRaceSettlement(store: EventStore, queries: SettlementRecords, raceId: string): SettlementAudit {
  const events = store.readStream(raceStreamId(raceId)) as RecordedEvent<RaceEvent>[];
  if (events.length === 0) return { raceId, differences: [`race ${raceId}: no such race`], recomputed: null };
  const settledAt = events.findIndex((e) => e.type === 'RaceSettled');
  const recorded = events[settledAt];
  if (settledAt < 0 || recorded?.type !== 'RaceSettled') return { raceId, differences: [`race ${raceId}: not settled`], recomputed: null };
  const race = events.slice(0, settledAt).reduce<RaceState>(evolveRace, null);
  if (!race) return { raceId, differences: [`race ${raceId}: no RaceOpened`], recomputed: null };
  const finals = new Map<string, bigint>();
  for (const e of race.entrants) {
    const equity = finalEquity(store, e.propAccountId);
    if (typeof equity === 'string') return { raceId, differences: [`entrant ${e.cloneId}: ${equity}`], recomputed: null };
    finals.set(e.cloneId, equity);
  }
  const recomputed = settlementOf(race, finals, recorded.data.settledAt);
  const models = toWire({
    settlement: queries.settlement(raceId),
    ranking: queries.ranking(raceId),
    payouts: queries.payouts(raceId),
    royalties: queries.royalties(raceId),
    claims: queries.claims(raceId),
  });
  return {
    raceId,
    differences: [
      ...differencesOf(toWire(recomputed), toWire(recorded.data), 'RaceSettled'),
      ...differencesOf(readModelShape(recomputed), models, 'read model'),
    ],
    recomputed,
  };
}
