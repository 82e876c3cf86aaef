/**
 * What a payment buys, and how a quote names it on chain: `purpose` is the kind of purchase and
 * `ref` the keccak-256 of the purchase's canonical JSON, so a signed quote provably names one
 * purchase and nothing else.
 */
import { type Hex, keccak256, stringToHex } from 'viem';
import { z } from 'zod';
import { QUOTE_PURPOSE } from '../../adapters/chain/typed-data.ts';
import { canonicalJson } from '../../core/canonical-json.ts';

const zId = z.string().min(1).max(64);

export const zPurchase = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('audition_fee'), cloneId: zId }).strict(),
  z
    .object({
      kind: z.literal('race_tickets'),
      raceId: zId,
      cloneId: zId,
      tickets: z.number().int().positive().max(10_000),
    })
    .strict(),
]);
export type Purchase = z.output<typeof zPurchase>;

export function purposeOf(purchase: Purchase): number {
  return purchase.kind === 'audition_fee' ? QUOTE_PURPOSE.auditionFee : QUOTE_PURPOSE.raceTickets;
}

export function purchaseRef(purchase: Purchase): Hex {
  return keccak256(stringToHex(canonicalJson(purchase)));
}
