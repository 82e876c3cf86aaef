/**
 * What the settlement rule takes, and its validation: a zod schema for the wire form (amounts as
 * integer decimal strings, equities in micro-USD, the ticket price in wei) and the cross-field
 * checks that the rule itself also enforces on every call.
 */
import { type Address, getAddress, isAddress } from 'viem';
import { z } from 'zod';
import { type FieldIssue, ValidationError } from '../../core/errors.ts';
import { BPS, zAmount, zNonNegativeAmount } from '../../core/money.ts';

export interface SettlementConfig {
  /** Protocol rake, bps of the gross pool. */
  readonly rakeBps: bigint;
  /** Creator pool, bps of the gross pool. */
  readonly creatorBps: bigint;
  /** Weights of positions 1..K in bps; positions beyond K weigh 0. */
  readonly rankWeightsBps: readonly bigint[];
}

export const defaultSettlementConfig: SettlementConfig = Object.freeze({
  rakeBps: 500n,
  creatorBps: 500n,
  rankWeightsBps: Object.freeze([5000n, 3000n, 2000n]),
});

export interface Entrant {
  readonly cloneId: string;
  /** The wallet that receives the clone's creator royalty. */
  readonly creator: Address;
  /** micro-USD, > 0. */
  readonly startingEquity: bigint;
  /** micro-USD. */
  readonly finalEquity: bigint;
}

export interface TicketLine {
  readonly holder: Address;
  readonly cloneId: string;
  /** Whole tickets, ≥ 1. */
  readonly count: bigint;
}

export interface SettlementInput {
  readonly ticketPriceWei: bigint;
  readonly config: SettlementConfig;
  readonly entrants: readonly Entrant[];
  readonly tickets: readonly TicketLine[];
}

/**
 * The rule's own preconditions, each naming its field: distinct clone ids, tickets only on
 * entrants (a ticket on a clone that did not launch is refunded in full before settlement, never
 * here), positive starting equity, whole positive ticket counts, non-negative bps with
 * rake + creator ≤ 10000. Addresses are compared as given: the wire schema checksums them.
 */
export function settlementInputIssues(input: SettlementInput): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const { config } = input;
  if (input.ticketPriceWei < 0n) issues.push({ path: 'ticketPriceWei', message: 'must be ≥ 0' });
  if (config.rakeBps < 0n) issues.push({ path: 'config.rakeBps', message: 'must be ≥ 0' });
  if (config.creatorBps < 0n) issues.push({ path: 'config.creatorBps', message: 'must be ≥ 0' });
  if (config.rakeBps + config.creatorBps > BPS) issues.push({ path: 'config.creatorBps', message: 'rake + creator must be ≤ 10000 bps' });
  config.rankWeightsBps.forEach((w, i) => {
    if (w < 0n) issues.push({ path: `config.rankWeightsBps.${i}`, message: 'must be ≥ 0' });
  });
  const seen = new Set<string>();
  input.entrants.forEach((e, i) => {
    if (seen.has(e.cloneId)) issues.push({ path: `entrants.${i}.cloneId`, message: `duplicate entrant ${e.cloneId}` });
    seen.add(e.cloneId);
    if (e.startingEquity <= 0n) issues.push({ path: `entrants.${i}.startingEquity`, message: 'must be > 0' });
  });
  input.tickets.forEach((t, i) => {
    if (!seen.has(t.cloneId)) issues.push({ path: `tickets.${i}.cloneId`, message: `${t.cloneId} is not an entrant` });
    if (t.count < 1n) issues.push({ path: `tickets.${i}.count`, message: 'must be ≥ 1' });
  });
  return issues;
}

/** Orders addresses by their numeric value (case-insensitive hex). */
export function compareAddresses(a: Address, b: Address): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
}

const zAddress = z
  .string()
  .refine((s) => isAddress(s, { strict: false }), 'must be a 0x-prefixed 20-byte address')
  .transform((s) => getAddress(s));
const zBps = z
  .number()
  .int()
  .min(0)
  .max(10_000)
  .transform((n) => BigInt(n));
const zCount = z
  .number()
  .int()
  .min(1)
  .max(Number.MAX_SAFE_INTEGER)
  .transform((n) => BigInt(n));

/** The `clash settle` input file: one race's settlement input with its id. */
export const zSettlementFile = z
  .object({
    raceId: z.string().min(1),
    ticketPriceWei: zNonNegativeAmount,
    config: z
      .object({ rakeBps: zBps, creatorBps: zBps, rankWeightsBps: z.array(zBps).min(1).max(100) })
      .strict()
      .optional()
      .transform((c) => c ?? defaultSettlementConfig),
    entrants: z.array(
      z.object({ cloneId: z.string().min(1), creator: zAddress, startingEquity: zNonNegativeAmount, finalEquity: zAmount }).strict(),
    ),
    tickets: z.array(z.object({ holder: zAddress, cloneId: z.string().min(1), count: zCount }).strict()),
  })
  .strict()
  .superRefine((input, ctx) => {
    for (const issue of settlementInputIssues(input)) ctx.addIssue({ code: 'custom', path: issue.path.split('.'), message: issue.message });
  });

export type SettlementFile = SettlementInput & { readonly raceId: string };

/** Parses a settlement file; a bad field throws a ValidationError naming it (`entrants.1.finalEquity`). */
export function parseSettlementFile(json: unknown): SettlementFile {
  const result = zSettlementFile.safeParse(json);
  if (result.success) return result.data;
  throw new ValidationError(
    'settlement input',
    result.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })),
  );
}
