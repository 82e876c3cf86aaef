import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { type Settlement, settle } from '../../../commands/competition/settlement.ts';
import type { SettlementInput } from '../../../commands/competition/settlement-input.ts';
import { fcRuns, fcSeed } from '../../support/store.ts';
import { arbitraryEntrants, arbitraryPrice, arbitrarySettlementInput, arbitraryTickets, holderPool } from './arbitrary-race.ts';

const params = { seed: fcSeed, numRuns: fcRuns * 5 };

const total = (amounts: readonly { amountWei: bigint }[]) => amounts.reduce((s, a) => s + a.amountWei, 0n);

function ticketsOn(input: SettlementInput, cloneId: string): bigint {
  return input.tickets.filter((t) => t.cloneId === cloneId).reduce((s, t) => s + t.count, 0n);
}

const placedOf = (s: Settlement) => s.ranking.filter((p) => p.weight.numerator > 0n);

test('property: conservation to the wei, no negative amounts, payouts ≤ D, royalties ≤ C', () => {
  fc.assert(
    fc.property(arbitrarySettlementInput, (input) => {
      const s = settle(input);
      const payouts = total(s.payouts);
      const royalties = total(s.royalties);
      assert.is(s.rakeWei + royalties + payouts + s.breakageWei, s.grossPoolWei);
      assert.is(s.rakeWei + s.creatorPoolWei + s.distributionPoolWei, s.grossPoolWei);
      for (const amount of [s.grossPoolWei, s.rakeWei, s.creatorPoolWei, s.distributionPoolWei, s.breakageWei]) assert.ok(amount >= 0n);
      for (const line of [...s.payouts, ...s.royalties]) assert.ok(line.amountWei > 0n);
      assert.ok(payouts <= s.distributionPoolWei);
      assert.ok(royalties <= s.creatorPoolWei);
    }),
    params,
  );
});

/**
 * The rule as the issue words it, computed a second, naive way: positions by counting better
 * returns, weights as unreduced fractions, shares over the product of the denominators.
 * (bigint `/` truncates, which is the rule's floor: every operand here is non-negative.)
 */
function oracle(input: SettlementInput) {
  const ret = (e: (typeof input.entrants)[number]) => ({ num: e.finalEquity - e.startingEquity, den: e.startingEquity });
  const better = (a: { num: bigint; den: bigint }, b: { num: bigint; den: bigint }) => a.num * b.den > b.num * a.den;
  const same = (a: { num: bigint; den: bigint }, b: { num: bigint; den: bigint }) => a.num * b.den === b.num * a.den;
  const weight = new Map<string, { num: bigint; den: bigint }>();
  for (const e of input.entrants) {
    const position = 1 + input.entrants.filter((o) => better(ret(o), ret(e))).length;
    const heat = input.entrants.filter((o) => same(ret(o), ret(e))).length;
    let sum = 0n;
    for (let q = position; q < position + heat; q++) sum += input.config.rankWeightsBps[q - 1] ?? 0n;
    weight.set(e.cloneId, { num: sum, den: BigInt(heat) });
  }
  const G = input.tickets.reduce((s, t) => s + t.count, 0n) * input.ticketPriceWei;
  const R = (G * input.config.rakeBps) / 10_000n;
  const C = (G * input.config.creatorBps) / 10_000n;
  const D = G - R - C;
  const placed = input.entrants.filter((e) => (weight.get(e.cloneId)?.num ?? 0n) > 0n).map((e) => e.cloneId);
  const eligible = placed.filter((id) => ticketsOn(input, id) > 0n);
  // share of x among ids: (num_x/den_x) / Σ(num_i/den_i) = num_x·Πden/den_x / Σ num_i·Πden/den_i
  const fractionOf = (x: string, ids: readonly string[], pool: bigint) => {
    const product = ids.reduce((p, id) => p * (weight.get(id)?.den ?? 1n), 1n);
    const scaled = (id: string) => ((weight.get(id)?.num ?? 0n) * product) / (weight.get(id)?.den ?? 1n);
    return (pool * scaled(x)) / ids.reduce((s, id) => s + scaled(id), 0n);
  };
  const paidOnClone = new Map(eligible.map((id) => [id, (fractionOf(id, eligible, D) / ticketsOn(input, id)) * ticketsOn(input, id)]));
  const royalty = new Map(placed.map((id) => [id, fractionOf(id, placed, C)]));
  return { G, R, C, D, weight, paidOnClone, royalty };
}

test('property: the rule agrees with a naive recomputation of the issue’s text', () => {
  fc.assert(
    fc.property(arbitrarySettlementInput, (input) => {
      const s = settle(input);
      const o = oracle(input);
      assert.equal([s.grossPoolWei, s.rakeWei, s.creatorPoolWei, s.distributionPoolWei], [o.G, o.R, o.C, o.D]);
      for (const p of s.ranking) {
        const w = o.weight.get(p.cloneId);
        assert.ok(w && p.weight.numerator * w.den === w.num * p.weight.denominator, `weight of ${p.cloneId}`);
      }
      if (!s.refund) {
        for (const [cloneId, amount] of o.paidOnClone) assert.is(total(s.payouts.filter((p) => p.cloneId === cloneId)), amount, cloneId);
        assert.is(
          total(s.payouts),
          [...o.paidOnClone.values()].reduce((a, b) => a + b, 0n),
        );
      }
      for (const [cloneId, amount] of o.royalty)
        assert.is(s.royalties.find((r) => r.cloneId === cloneId)?.amountWei ?? 0n, amount, cloneId);
    }),
    params,
  );
});

test('property: breakage is bounded by the floors that made it', () => {
  fc.assert(
    fc.property(arbitrarySettlementInput, (input) => {
      const s = settle(input);
      const placed = placedOf(s);
      const totalTickets = input.tickets.reduce((sum, t) => sum + t.count, 0n);
      // creator pool: each placed clone's floor loses < 1 wei; with nothing placed all of C is breakage
      const creatorBound = placed.length === 0 ? s.creatorPoolWei : BigInt(placed.length - 1);
      // distribution pool: refund loses D mod T ≤ T − 1; else each eligible share floor loses < 1 wei
      // and each per-ticket floor loses S_c mod t_c ≤ t_c − 1
      const eligible = placed.filter((p) => ticketsOn(input, p.cloneId) > 0n);
      const distributionBound = s.refund
        ? totalTickets === 0n
          ? 0n
          : totalTickets - 1n
        : BigInt(eligible.length - 1) + eligible.reduce((sum, p) => sum + ticketsOn(input, p.cloneId) - 1n, 0n);
      assert.ok(s.breakageWei <= creatorBound + distributionBound, `breakage ${s.breakageWei} > ${creatorBound} + ${distributionBound}`);
      // the simple form stated in doc/competition.md
      if (placed.length > 0) assert.ok(s.breakageWei < BigInt(placed.length + eligible.length) + totalTickets);
    }),
    params,
  );
});

test('property: refund exactly when no placed clone is backed, and then every ticket gets ⌊D / T⌋', () => {
  fc.assert(
    fc.property(arbitrarySettlementInput, (input) => {
      const s = settle(input);
      const backedPlaced = placedOf(s).some((p) => ticketsOn(input, p.cloneId) > 0n);
      assert.is(s.refund, !backedPlaced);
      if (!s.refund) return;
      const totalTickets = input.tickets.reduce((sum, t) => sum + t.count, 0n);
      const each = totalTickets === 0n ? 0n : s.distributionPoolWei / totalTickets;
      for (const p of s.payouts) {
        const count = input.tickets.filter((t) => t.cloneId === p.cloneId && t.holder === p.holder).reduce((sum, t) => sum + t.count, 0n);
        assert.is(p.amountWei, count * each);
      }
      assert.is(total(s.payouts), each * totalTickets);
    }),
    params,
  );
});

test('property: the refund path is taken when only clones beyond the weighted positions are backed', () => {
  const race = arbitraryEntrants(2, 6)
    .map((entrants) =>
      // distinct returns: clone-i ends at start + i, so clone-(n−1) wins outright
      entrants.map((e, i) => ({ ...e, startingEquity: 1_000n, finalEquity: 1_000n + BigInt(i) })),
    )
    .chain((entrants) =>
      fc.record({
        entrants: fc.constant(entrants),
        tickets: arbitraryTickets(entrants.slice(0, -1).map((e) => e.cloneId)),
        ticketPriceWei: arbitraryPrice,
      }),
    );
  fc.assert(
    fc.property(race, ({ entrants, tickets, ticketPriceWei }) => {
      const s = settle({ entrants, tickets, ticketPriceWei, config: { rakeBps: 500n, creatorBps: 500n, rankWeightsBps: [10_000n] } });
      assert.ok(s.refund);
      // the winner's creator still earns the whole creator pool
      assert.equal(
        s.royalties.map((r) => r.cloneId),
        s.creatorPoolWei > 0n ? [entrants.at(-1)?.cloneId] : [],
      );
    }),
    params,
  );
});

test('property: a holder is paid count × the per-ticket amount of the clone', () => {
  fc.assert(
    fc.property(arbitrarySettlementInput, (input) => {
      const s = settle(input);
      const perTicket = new Map<string, bigint>();
      for (const p of s.payouts) {
        const count = input.tickets.filter((t) => t.cloneId === p.cloneId && t.holder === p.holder).reduce((sum, t) => sum + t.count, 0n);
        assert.is(p.amountWei % count, 0n);
        const each = p.amountWei / count;
        assert.is(perTicket.get(p.cloneId) ?? each, each, `one per-ticket amount on ${p.cloneId}`);
        perTicket.set(p.cloneId, each);
      }
    }),
    params,
  );
});

test('property: splitting a holder’s ticket line into several lines on the same clone changes nothing', () => {
  fc.assert(
    fc.property(arbitrarySettlementInput, (input) => {
      const split = {
        ...input,
        tickets: input.tickets.flatMap((t) =>
          t.count > 1n
            ? [
                { ...t, count: 1n },
                { ...t, count: t.count - 1n },
              ]
            : [t],
        ),
      };
      assert.equal(settle(split), settle(input));
    }),
    params,
  );
});

test('property: the order of entrants and ticket lines does not matter', () => {
  fc.assert(
    fc.property(arbitrarySettlementInput, (input) => {
      const reversed = { ...input, entrants: [...input.entrants].reverse(), tickets: [...input.tickets].reverse() };
      assert.equal(settle(reversed), settle(input));
    }),
    params,
  );
});

/** Two extra clones tied with each other (same return), appended to a generated race. */
const racesWithTwins = arbitrarySettlementInput.chain((input) =>
  fc
    .record({
      steps: fc.integer({ min: -3, max: 3 }),
      twinTickets: arbitraryTickets(['twin-x', 'twin-y']),
      mirrored: fc.boolean(),
    })
    .map(({ steps, twinTickets, mirrored }) => {
      const twin = (cloneId: string, creator: `0x${string}`, start: bigint) => ({
        cloneId,
        creator,
        startingEquity: start,
        finalEquity: start + (start * BigInt(steps)) / 10n,
      });
      // mirrored: y holds exactly x's tickets
      const tickets = mirrored
        ? twinTickets.filter((t) => t.cloneId === 'twin-x').flatMap((t) => [t, { ...t, cloneId: 'twin-y' }])
        : twinTickets;
      return {
        ...input,
        entrants: [
          ...input.entrants,
          twin('twin-x', holderPool[3] as `0x${string}`, 1_000n),
          twin('twin-y', holderPool[4] as `0x${string}`, 5_000n),
        ],
        tickets: [...input.tickets, ...tickets],
        mirrored,
      };
    }),
);

const swap = (id: string) => (id === 'twin-x' ? 'twin-y' : id === 'twin-y' ? 'twin-x' : id);

test('property: dead-heat symmetry — tied twins share a weight; with the same tickets they are paid alike', () => {
  fc.assert(
    fc.property(racesWithTwins, (input) => {
      const s = settle(input);
      const x = s.ranking.find((p) => p.cloneId === 'twin-x');
      const y = s.ranking.find((p) => p.cloneId === 'twin-y');
      assert.equal(x?.weight, y?.weight);
      assert.is(x?.position, y?.position);
      if (input.mirrored) {
        const paid = (cloneId: string) => s.payouts.filter((p) => p.cloneId === cloneId).map((p) => [p.holder, p.amountWei]);
        assert.equal(paid('twin-x'), paid('twin-y'));
      }
      const royalty = (cloneId: string) => s.royalties.find((r) => r.cloneId === cloneId)?.amountWei ?? 0n;
      assert.is(royalty('twin-x'), royalty('twin-y'));
    }),
    params,
  );
});

test('property: swapping the ids of two tied clones swaps their outputs', () => {
  fc.assert(
    fc.property(racesWithTwins, (input) => {
      const swapped: SettlementInput = {
        ...input,
        entrants: input.entrants.map((e) => ({ ...e, cloneId: swap(e.cloneId) })),
        tickets: input.tickets.map((t) => ({ ...t, cloneId: swap(t.cloneId) })),
      };
      const a = settle(input);
      const b = settle(swapped);
      const lines = (s: Settlement, rename: (id: string) => string) =>
        s.payouts.map((p) => `${rename(p.cloneId)} ${p.holder} ${p.amountWei}`).sort();
      assert.equal(
        lines(b, swap),
        lines(a, (id) => id),
      );
      const royaltyLines = (s: Settlement, rename: (id: string) => string) =>
        s.royalties.map((r) => `${rename(r.cloneId)} ${r.creator} ${r.amountWei}`).sort();
      assert.equal(
        royaltyLines(b, swap),
        royaltyLines(a, (id) => id),
      );
      assert.is(b.breakageWei, a.breakageWei);
    }),
    params,
  );
});

test.run();
