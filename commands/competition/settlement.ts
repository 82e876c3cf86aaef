/**
 * The settlement rule of a race (doc/competition.md, "Settlement rule"): a pure function from
 * the ticket pool and the race results to the pool split, holder payouts, creator royalties and
 * breakage, all in integer wei. Every division rounds down (toward the protocol) and whatever
 * the rounding leaves over is breakage, so R + Σ royalties + Σ payouts + B = G exactly.
 */
import type { Address } from 'viem';
import { ValidationError } from '../../core/errors.ts';
import { BPS, divide, mulDiv } from '../../core/money.ts';
import { commonWeights, type Placing, rank } from './ranking.ts';
import { compareAddresses, type SettlementInput, settlementInputIssues } from './settlement-input.ts';

export interface Payout {
  readonly holder: Address;
  readonly cloneId: string;
  readonly amountWei: bigint;
}

export interface Royalty {
  readonly creator: Address;
  readonly cloneId: string;
  readonly amountWei: bigint;
}

export interface Settlement {
  /** G = Σ tickets × price. */
  readonly grossPoolWei: bigint;
  /** R = ⌊G · rakeBps / 10000⌋. */
  readonly rakeWei: bigint;
  /** C = ⌊G · creatorBps / 10000⌋. */
  readonly creatorPoolWei: bigint;
  /** D = G − R − C. */
  readonly distributionPoolWei: bigint;
  /** True when no placed clone was backed: every ticket gets ⌊D / total tickets⌋. */
  readonly refund: boolean;
  /** Every entrant, best first; a dead heat by clone id. */
  readonly ranking: readonly Placing[];
  /** One line per (holder, clone) with a non-zero amount; in ranking order, then by holder address. */
  readonly payouts: readonly Payout[];
  /** One line per placed clone with a non-zero royalty, in ranking order. */
  readonly royalties: readonly Royalty[];
  /** B = G − R − Σ royalties − Σ payouts, credited to the protocol. */
  readonly breakageWei: bigint;
}

/** Ticket counts per clone and per (clone, holder); a holder's several lines on one clone add up. */
function countTickets(input: SettlementInput): { perClone: Map<string, bigint>; perHolder: Map<string, Map<Address, bigint>> } {
  const perClone = new Map<string, bigint>();
  const perHolder = new Map<string, Map<Address, bigint>>();
  for (const { holder, cloneId, count } of input.tickets) {
    perClone.set(cloneId, (perClone.get(cloneId) ?? 0n) + count);
    const holders = perHolder.get(cloneId) ?? new Map<Address, bigint>();
    holders.set(holder, (holders.get(holder) ?? 0n) + count);
    perHolder.set(cloneId, holders);
  }
  return { perClone, perHolder };
}

function sum(values: Iterable<bigint>): bigint {
  let total = 0n;
  for (const v of values) total += v;
  return total;
}

/** Applies the settlement rule. Throws a ValidationError naming the field when the input breaks a precondition. */
export function settle(input: SettlementInput): Settlement {
  const issues = settlementInputIssues(input);
  if (issues.length > 0) throw new ValidationError('settlement input', issues);
  const { config } = input;

  const tickets = countTickets(input);
  const totalTickets = sum(tickets.perClone.values());
  const grossPoolWei = totalTickets * input.ticketPriceWei;
  const rakeWei = mulDiv(grossPoolWei, config.rakeBps, BPS, 'floor');
  const creatorPoolWei = mulDiv(grossPoolWei, config.creatorBps, BPS, 'floor');
  const distributionPoolWei = grossPoolWei - rakeWei - creatorPoolWei;

  const ranking = rank(input.entrants, config.rankWeightsBps);
  const clones = commonWeights(ranking).map(({ cloneId, weight }) => ({ cloneId, weight, tickets: tickets.perClone.get(cloneId) ?? 0n }));
  const placed = clones.filter((c) => c.weight > 0n);
  const eligible = placed.filter((c) => c.tickets > 0n);
  const refund = eligible.length === 0;

  /** Wei per ticket on each clone that pays its holders. */
  const perTicket = new Map<string, bigint>();
  if (refund) {
    const each = totalTickets === 0n ? 0n : divide(distributionPoolWei, totalTickets, 'floor');
    for (const cloneId of tickets.perClone.keys()) perTicket.set(cloneId, each);
  } else {
    const eligibleWeight = sum(eligible.map((c) => c.weight));
    for (const c of eligible) {
      const share = mulDiv(distributionPoolWei, c.weight, eligibleWeight, 'floor');
      perTicket.set(c.cloneId, divide(share, c.tickets, 'floor'));
    }
  }

  const payouts: Payout[] = [];
  for (const { cloneId } of clones) {
    const each = perTicket.get(cloneId) ?? 0n;
    if (each === 0n) continue;
    const holders = [...(tickets.perHolder.get(cloneId) ?? [])].sort(([a], [b]) => compareAddresses(a, b));
    for (const [holder, count] of holders) payouts.push({ holder, cloneId, amountWei: count * each });
  }

  const creators = new Map(input.entrants.map((e) => [e.cloneId, e.creator]));
  const placedWeight = sum(placed.map((c) => c.weight));
  const royalties: Royalty[] = [];
  for (const { cloneId, weight } of placed) {
    const amountWei = mulDiv(creatorPoolWei, weight, placedWeight, 'floor');
    const creator = creators.get(cloneId);
    if (amountWei > 0n && creator) royalties.push({ creator, cloneId, amountWei });
  }

  const breakageWei = grossPoolWei - rakeWei - sum(royalties.map((r) => r.amountWei)) - sum(payouts.map((p) => p.amountWei));
  return { grossPoolWei, rakeWei, creatorPoolWei, distributionPoolWei, refund, ranking, payouts, royalties, breakageWei };
}
