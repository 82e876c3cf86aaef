import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { credit, debit, isBalanced, journalEntry } from '../../core/journal.ts';
import { defineScale, divide, formatDecimal, MICRO_USD, mulDiv, parseDecimal, type RoundingMode, rescale, WEI } from '../../core/money.ts';
import { fcRuns, fcSeed } from '../support/store.ts';

const modes: RoundingMode[] = ['floor', 'ceil', 'trunc', 'half_up', 'half_even'];
const params = { seed: fcSeed, numRuns: fcRuns * 5 };

test('parse and format worked examples', () => {
  assert.is(parseDecimal('1903.95', MICRO_USD), 1_903_950_000n);
  assert.is(parseDecimal('-0.000001', MICRO_USD), -1n);
  assert.is(parseDecimal('0.01', WEI), 10_000_000_000_000_000n);
  assert.is(formatDecimal(1_903_950_000n, MICRO_USD), '1903.950000');
  assert.is(formatDecimal(-1n, MICRO_USD), '-0.000001');
  assert.is(formatDecimal(5n, defineScale('units', 0)), '5');
  assert.throws(() => parseDecimal('1.0000001', MICRO_USD), /more than 6 decimals/);
  assert.throws(() => parseDecimal('1e5', MICRO_USD), /not a decimal/);
  assert.is(parseDecimal('1.0000005', MICRO_USD, 'half_even'), 1_000_000n);
  assert.is(parseDecimal('1.0000015', MICRO_USD, 'half_even'), 1_000_002n);
});

test('divide: each rounding mode on the signs and the ties', () => {
  // 7/2 = 3.5, -7/2 = -3.5, 5/2 = 2.5, 7/3 = 2.33
  const cases: [bigint, bigint, Record<RoundingMode, bigint>][] = [
    [7n, 2n, { floor: 3n, ceil: 4n, trunc: 3n, half_up: 4n, half_even: 4n }],
    [-7n, 2n, { floor: -4n, ceil: -3n, trunc: -3n, half_up: -4n, half_even: -4n }],
    [5n, 2n, { floor: 2n, ceil: 3n, trunc: 2n, half_up: 3n, half_even: 2n }],
    [7n, -3n, { floor: -3n, ceil: -2n, trunc: -2n, half_up: -2n, half_even: -2n }],
    [6n, 3n, { floor: 2n, ceil: 2n, trunc: 2n, half_up: 2n, half_even: 2n }],
  ];
  for (const [n, d, want] of cases) for (const m of modes) assert.is(divide(n, d, m), want[m], `${n}/${d} ${m}`);
  assert.throws(() => divide(1n, 0n, 'floor'), /division by zero/);
});

test('property: parse(format(x)) = x for every scale', () => {
  fc.assert(
    fc.property(fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }), fc.integer({ min: 0, max: 18 }), (x, decimals) => {
      const scale = defineScale('s', decimals);
      return parseDecimal(formatDecimal(x, scale), scale) === x;
    }),
    params,
  );
});

test('property: divide brackets the exact quotient and the modes agree with their definitions', () => {
  fc.assert(
    fc.property(
      fc.bigInt({ min: -(10n ** 24n), max: 10n ** 24n }),
      fc.bigInt({ min: -(10n ** 12n), max: 10n ** 12n }).filter((d) => d !== 0n),
      (n, d) => {
        const f = divide(n, d, 'floor');
        const c = divide(n, d, 'ceil');
        // floor: f·d ≤ n < (f+1)·d  (for d > 0; mirrored for d < 0)
        const exact = n % d === 0n;
        if (exact) return f === c && f * d === n;
        if (c !== f + 1n) return false;
        const lo = d > 0n ? f * d <= n && n < (f + 1n) * d : f * d >= n && n > (f + 1n) * d;
        const t = divide(n, d, 'trunc');
        const truncOk = t === n / d;
        // nearest modes pick the closer of f and c: |n - q·d| is minimal
        const dist = (q: bigint) => {
          const r = n - q * d;
          return r < 0n ? -r : r;
        };
        const he = divide(n, d, 'half_even');
        const hu = divide(n, d, 'half_up');
        const nearestOk = [he, hu].every((q) => (q === f || q === c) && dist(q) <= dist(q === f ? c : f));
        const tie = dist(f) === dist(c);
        const tieOk = !tie || (he % 2n === 0n && hu === (n * d > 0n ? c : f));
        return lo && truncOk && nearestOk && tieOk;
      },
    ),
    params,
  );
});

test('property: mulDiv and rescale lose at most one unit, in the stated direction', () => {
  fc.assert(
    fc.property(fc.bigInt({ min: 0n, max: 10n ** 30n }), fc.integer({ min: 0, max: 18 }), fc.integer({ min: 0, max: 18 }), (x, a, b) => {
      const from = defineScale('a', a);
      const to = defineScale('b', b);
      const down = rescale(x, from, to, 'floor');
      const up = rescale(x, from, to, 'ceil');
      const back = rescale(down, to, from, 'floor');
      return back <= x && up - down <= 1n && mulDiv(x, 3n, 3n, 'floor') === x;
    }),
    params,
  );
});

test('journal: balanced per asset, refused when off', () => {
  const entry = journalEntry([debit('cash', 'USD', 100n), credit('equity', 'USD', 100n), debit('x', 'ETH', 0n)]);
  assert.is(entry.lines.length, 2);
  assert.ok(isBalanced(entry.lines));
  assert.throws(() => journalEntry([debit('cash', 'USD', 100n), credit('equity', 'USD', 99n)]), /off by 1 USD/);
  // balanced in total but not per asset
  assert.throws(() => journalEntry([debit('a', 'USD', 5n), credit('b', 'ETH', 5n)]), /off by/);
});

test('property: any set of transfers is balanced', () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.tuple(
          fc.constantFrom('a', 'b', 'c'),
          fc.constantFrom('a', 'b', 'c'),
          fc.constantFrom('USD', 'ETH'),
          fc.bigInt({ min: 0n, max: 10n ** 20n }),
        ),
      ),
      (moves) => {
        const lines = moves.flatMap(([from, to, asset, amount]) => [debit(to, asset, amount), credit(from, asset, amount)]);
        return isBalanced(journalEntry(lines).lines);
      },
    ),
    params,
  );
});

test.run();
