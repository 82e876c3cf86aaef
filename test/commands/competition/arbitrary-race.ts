/** fast-check generators of settlement inputs, tuned so dead heats and unbacked clones are common. */
import fc from 'fast-check';
import { type Address, getAddress } from 'viem';
import type { Entrant, SettlementConfig, SettlementInput, TicketLine } from '../../../commands/competition/settlement-input.ts';

export const holderPool: readonly Address[] = ['a1', 'b2', 'c3', 'd4', 'e5'].map((h) => getAddress(`0x${h.repeat(20)}`));

/** Few distinct returns (−30%..+30% in 10% steps over three starting equities), so ties are frequent. */
const arbitraryResult = fc
  .tuple(fc.constantFrom(1_000n, 2_000n, 5_000n), fc.integer({ min: -3, max: 3 }))
  .map(([start, steps]) => ({ startingEquity: start, finalEquity: start + (start * BigInt(steps)) / 10n }));

export const arbitraryConfig: fc.Arbitrary<SettlementConfig> = fc.record({
  rakeBps: fc.bigInt({ min: 0n, max: 3_000n }),
  creatorBps: fc.bigInt({ min: 0n, max: 3_000n }),
  rankWeightsBps: fc.array(fc.bigInt({ min: 0n, max: 6_000n }), { minLength: 1, maxLength: 5 }),
});

export function arbitraryEntrants(min = 1, max = 7): fc.Arbitrary<Entrant[]> {
  return fc
    .array(arbitraryResult, { minLength: min, maxLength: max })
    .map((results) =>
      results.map((r, i) => ({ cloneId: `clone-${i}`, creator: getAddress(`0x${String(i + 1).padStart(40, '0')}`), ...r })),
    );
}

export function arbitraryTickets(cloneIds: readonly string[], maxLines = 12): fc.Arbitrary<TicketLine[]> {
  if (cloneIds.length === 0) return fc.constant([]);
  return fc.array(
    fc.record({
      holder: fc.constantFrom(...holderPool),
      cloneId: fc.constantFrom(...cloneIds),
      count: fc.bigInt({ min: 1n, max: 25n }),
    }),
    { maxLength: maxLines },
  );
}

export const arbitraryPrice = fc.oneof(fc.bigInt({ min: 0n, max: 1_000n }), fc.bigInt({ min: 0n, max: 10n ** 19n }));

export const arbitrarySettlementInput: fc.Arbitrary<SettlementInput> = fc
  .tuple(arbitraryEntrants(), arbitraryConfig, arbitraryPrice)
  .chain(([entrants, config, ticketPriceWei]) =>
    arbitraryTickets(entrants.map((e) => e.cloneId)).map((tickets) => ({ ticketPriceWei, config, entrants, tickets })),
  );
