import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { formatWeight } from '../../../commands/competition/ranking.ts';
import { settle } from '../../../commands/competition/settlement.ts';
import { parseSettlementFile } from '../../../commands/competition/settlement-input.ts';
import { holders, workedExample } from './worked-example.ts';

const E16 = 10n ** 16n; // 0.01 ETH

test('worked example: pool split, dead heat, unbacked placed clone, breakage', () => {
  const s = settle(parseSettlementFile(workedExample));
  // tickets: alpha 2 + 4 + 1 = 7, bravo 3, charlie 0, delta 2 → T = 12
  // G = 12 × 0.01 ETH = 120_000_000_000_000_000
  assert.is(s.grossPoolWei, 12n * E16);
  // R = ⌊G · 500 / 10000⌋ = 6_000_000_000_000_000, C the same, D = G − R − C = 108_000_000_000_000_000
  assert.is(s.rakeWei, 6_000_000_000_000_000n);
  assert.is(s.creatorPoolWei, 6_000_000_000_000_000n);
  assert.is(s.distributionPoolWei, 108_000_000_000_000_000n);
  assert.is(s.refund, false);
  // returns: alpha +10%, bravo +5% (500/10000), charlie +5% (1000/20000: 500·20000 = 1000·10000), delta −10%
  // bravo and charlie dead-heat over positions 2..3: (3000 + 2000) / 2 = 2500 bps each
  assert.equal(
    s.ranking.map((p) => [p.cloneId, p.position, formatWeight(p.weight)]),
    [
      ['alpha', 1, '5000'],
      ['bravo', 2, '2500'],
      ['charlie', 2, '2500'],
      ['delta', 4, '0'],
    ],
  );
  // eligible = alpha (5000), bravo (2500); charlie is placed but unbacked, so Σ_eligible w = 7500
  // S_alpha = ⌊D · 5000 / 7500⌋ = 72_000_000_000_000_000 → per ticket ⌊S / 7⌋ = 10_285_714_285_714_285 (7 × that = S − 5)
  // S_bravo = ⌊D · 2500 / 7500⌋ = 36_000_000_000_000_000 → per ticket ⌊S / 3⌋ = 12_000_000_000_000_000
  assert.equal(
    s.payouts.map((p) => [p.holder, p.cloneId, p.amountWei]),
    [
      [holders.a1, 'alpha', 3n * 10_285_714_285_714_285n], // 30_857_142_857_142_855
      [holders.a2, 'alpha', 4n * 10_285_714_285_714_285n], // 41_142_857_142_857_140
      [holders.a2, 'bravo', 3n * 12_000_000_000_000_000n], // 36_000_000_000_000_000
    ],
  );
  // royalties over Σ_placed w = 5000 + 2500 + 2500 = 10000: C · 5000/10000, C · 2500/10000 twice
  assert.equal(
    s.royalties.map((r) => [r.cloneId, r.amountWei]),
    [
      ['alpha', 3_000_000_000_000_000n],
      ['bravo', 1_500_000_000_000_000n],
      ['charlie', 1_500_000_000_000_000n],
    ],
  );
  assert.is(s.royalties[2]?.creator, '0x00000000000000000000000000000000000000C3');
  // B = G − R − Σ royalties − Σ payouts = 120e15 − 6e15 − 6e15 − (72e15 − 5 + 36e15) = 5 wei (alpha's per-ticket floor)
  assert.is(s.breakageWei, 5n);
});

test('refund path: only an unplaced clone was backed; tiny pool shows every floor', () => {
  const s = settle(
    parseSettlementFile({
      ...workedExample,
      ticketPriceWei: '7',
      tickets: [
        { holder: holders.a1, cloneId: 'delta', count: 1 },
        { holder: holders.a2, cloneId: 'delta', count: 2 },
      ],
    }),
  );
  // G = 3 × 7 = 21; R = ⌊21 · 500 / 10000⌋ = ⌊1.05⌋ = 1; C = 1; D = 19
  assert.equal([s.grossPoolWei, s.rakeWei, s.creatorPoolWei, s.distributionPoolWei], [21n, 1n, 1n, 19n]);
  assert.is(s.refund, true);
  // every ticket gets ⌊19 / 3⌋ = 6
  assert.equal(
    s.payouts.map((p) => [p.holder, p.amountWei]),
    [
      [holders.a1, 6n],
      [holders.a2, 12n],
    ],
  );
  // royalties ⌊1 · 5000/10000⌋ = ⌊1 · 2500/10000⌋ = 0: none paid; B = 21 − 1 − 0 − 18 = 2
  assert.equal(s.royalties, []);
  assert.is(s.breakageWei, 2n);
});

test('a three-way dead heat for first keeps its weights as exact fractions', () => {
  const flat = (cloneId: string, creator: string) => ({ cloneId, creator, startingEquity: '100', finalEquity: '100' });
  const s = settle(
    parseSettlementFile({
      raceId: 'race-3',
      ticketPriceWei: '1000',
      entrants: [flat('x', holders.a1), flat('y', holders.a2), flat('z', holders.a3)],
      tickets: [
        { holder: holders.a1, cloneId: 'x', count: 1 },
        { holder: holders.a2, cloneId: 'y', count: 2 },
      ],
    }),
  );
  // all three share positions 1..3: 10000 / 3 bps each
  assert.equal(
    s.ranking.map((p) => [p.cloneId, p.position, formatWeight(p.weight)]),
    [
      ['x', 1, '10000/3'],
      ['y', 1, '10000/3'],
      ['z', 1, '10000/3'],
    ],
  );
  // G = 3000, R = C = 150, D = 2700; S_x = S_y = ⌊2700 · 1/2⌋ = 1350; y's tickets get 675 each
  assert.equal(
    s.payouts.map((p) => [p.cloneId, p.amountWei]),
    [
      ['x', 1350n],
      ['y', 1350n],
    ],
  );
  // royalties ⌊150 / 3⌋ = 50 each; B = 3000 − 150 − 150 − 2700 = 0
  assert.equal(
    s.royalties.map((r) => r.amountWei),
    [50n, 50n, 50n],
  );
  assert.is(s.breakageWei, 0n);
});

test('no tickets: every amount is zero, the refund flag is set, nothing is paid', () => {
  const s = settle(parseSettlementFile({ ...workedExample, tickets: [] }));
  assert.equal([s.grossPoolWei, s.rakeWei, s.creatorPoolWei, s.distributionPoolWei, s.breakageWei], [0n, 0n, 0n, 0n, 0n]);
  assert.is(s.refund, true);
  assert.equal([s.payouts, s.royalties], [[], []]);
  assert.is(s.ranking.length, 4);
});

test('input errors name the field', () => {
  const bad = (file: unknown, path: RegExp) => assert.throws(() => parseSettlementFile(file), path);
  const [alpha, bravo] = workedExample.entrants;
  bad({ ...workedExample, entrants: [alpha, { ...bravo, finalEquity: '1.5' }] }, /entrants\.1\.finalEquity/);
  bad({ ...workedExample, entrants: [alpha, { ...alpha }] }, /entrants\.1\.cloneId: duplicate entrant alpha/);
  bad({ ...workedExample, tickets: [{ holder: holders.a1, cloneId: 'echo', count: 1 }] }, /tickets\.0\.cloneId: echo is not an entrant/);
  bad({ ...workedExample, tickets: [{ holder: '0x12', cloneId: 'alpha', count: 1 }] }, /tickets\.0\.holder/);
  bad({ ...workedExample, tickets: [{ holder: holders.a1, cloneId: 'alpha', count: 0 }] }, /tickets\.0\.count/);
  bad({ ...workedExample, entrants: [{ ...alpha, startingEquity: '0' }] }, /entrants\.0\.startingEquity: must be > 0/);
  bad({ ...workedExample, config: { rakeBps: 6000, creatorBps: 5000, rankWeightsBps: [1] } }, /config\.creatorBps/);
  bad({ ...workedExample, raceId: undefined }, /raceId/);
  // the rule checks its own preconditions too, for callers that skip the wire schema
  const parsed = parseSettlementFile(workedExample);
  assert.throws(() => settle({ ...parsed, entrants: [...parsed.entrants, ...parsed.entrants] }), /entrants\.4\.cloneId: duplicate/);
});

test.run();
