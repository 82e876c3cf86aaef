/**
 * The settlement audit by replay: a race's settlement recomputed from raw events only — the
 * race stream folded for its rules, entrants and held tickets, each entrant's prop-account
 * stream folded through the prop-account decider for its final equity (fills, fees, funding,
 * closes) — through the same settlement rule, then compared line by line with the recorded
 * `RaceSettled` and with the settlement read models. No read model is an input.
 *
 * First, every one of those events is proven, by an inclusion proof, to be in the signed ledger
 * checkpoint the settlement recorded (doc/ledger-integrity.md, "Auditing a race"), and only the
 * events that checkpoint covers are used: an audit from a copy of the log thereby proves it
 * audited the same log that paid.
 */

import { toWire } from '../../core/canonical-json.ts';
import type { EventStore, RecordedEvent } from '../../core/event-store.ts';
import { propAccountDecider, propAccountStream } from '../prop-trading/decider.ts';
import type { PropAccountEvent } from '../prop-trading/events.ts';
import { payoutClaims } from './payout-tree.ts';
import type { SettlementProofs, SettlementRecords } from './ports.ts';
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
  /**
   * How many events were proven included in the recorded checkpoint; null when the settlement
   * records none (settled before checkpoints existed), so nothing could be proven.
   */
  readonly proven: number | null;
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

/** The events of a finalized prop account up to `toPosition`, and its final equity folded from them. */
function finalEquity(
  store: EventStore,
  propAccountId: string,
  toPosition: number | undefined,
): { equity: bigint; positions: number[] } | string {
  const events = store.readStream(propAccountStream(propAccountId), {
    ...(toPosition ? { toPosition } : {}),
  }) as RecordedEvent<PropAccountEvent>[];
  const state = events.reduce(propAccountDecider.evolve, propAccountDecider.initialState());
  if (state.status !== 'finalized') return `prop account ${propAccountId} is ${state.status}, not finalized`;
  return { equity: state.cash, positions: events.map((e) => e.position) };
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

/**
 * Audits the settlement of `raceId`: inclusion of its inputs in the recorded checkpoint
 * (`proofs`), then the recomputation. Differences name the first failing check.
 */
export function auditRaceSettlement(
  store: EventStore,
  queries: SettlementRecords,
  raceId: string,
  proofs: SettlementProofs,
): SettlementAudit {
  const failed = (difference: string): SettlementAudit => ({ raceId, differences: [difference], recomputed: null, proven: null });
  const events = store.readStream(raceStreamId(raceId)) as RecordedEvent<RaceEvent>[];
  if (events.length === 0) return failed(`race ${raceId}: no such race`);
  const settledAt = events.findIndex((e) => e.type === 'RaceSettled');
  const recorded = events[settledAt];
  if (settledAt < 0 || recorded?.type !== 'RaceSettled') return failed(`race ${raceId}: not settled`);
  const { checkpoint } = recorded.data;
  const inputs = events.slice(0, settledAt);
  const race = inputs.reduce<RaceState>(evolveRace, null);
  if (!race) return failed(`race ${raceId}: no RaceOpened`);
  const finals = new Map<string, bigint>();
  const positions = inputs.map((e) => e.position);
  for (const e of race.entrants) {
    const final = finalEquity(store, e.propAccountId, checkpoint?.treeSize);
    if (typeof final === 'string') return failed(`entrant ${e.cloneId}: ${final}`);
    finals.set(e.cloneId, final.equity);
    positions.push(...final.positions);
  }
  const unproven = checkpoint ? proofs.prove(positions, checkpoint) : [];
  if (unproven.length > 0) {
    return {
      raceId,
      differences: unproven.map((u) => `inclusion in checkpoint ${checkpoint?.treeSize}: ${u}`),
      recomputed: null,
      proven: null,
    };
  }
  const recomputed = settlementOf(race, finals, recorded.data.settledAt, checkpoint);
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
    proven: checkpoint ? positions.length : null,
  };
}
