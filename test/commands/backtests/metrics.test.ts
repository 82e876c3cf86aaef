/**
 * Metrics against reference values (doc/backtesting.md, "Metrics"): a hand-checked equity series
 * 100 → 110 → 99 → 121 → 121 USD at 5-minute samples and four trades; the references are worked
 * out here by hand or with plain arithmetic written independently of the module.
 */
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { type ClosedTrade, computeMetrics, type EquityPoint, maxDrawdown } from '../../../commands/backtests/metrics.ts';
import { fcRuns, fcSeed } from '../../support/store.ts';
import { curveOnly, T0 } from './fixtures.ts';

const STEP = 300_000;
const usd = (n: number) => BigInt(Math.round(n * 1_000_000));
const curve = (values: number[], exposed: boolean[] = values.map(() => true)): EquityPoint[] =>
  values.map((v, i) => ({ at: T0 + i * STEP, equityMicroUsd: usd(v), exposureMicroUsd: exposed[i] ? usd(50) : 0n }));
const trade = (pnl: number): ClosedTrade => ({
  asset: 'BTC',
  openedAt: T0,
  closedAt: T0 + STEP,
  pnlMicroUsd: usd(pnl),
  feesMicroUsd: usd(0.5),
  fundingMicroUsd: 0n,
});
const close = (actual: number | null, expected: number, what: string) => {
  assert.ok(actual !== null && Math.abs(actual - expected) <= 1e-9 * Math.max(1, Math.abs(expected)), `${what}: ${actual} ≠ ${expected}`);
};

const m = computeMetrics({
  equity: curve([100, 110, 99, 121, 121], [false, true, true, true, false]),
  trades: [trade(15), trade(-5), trade(10), trade(-2)],
  tradedNotionalMicroUsd: usd(880),
  feesMicroUsd: usd(2),
  fundingMicroUsd: usd(-0.25),
  samplingIntervalMs: STEP,
  benchmark: [
    { asset: 'BTC', firstPrice: 100_000n, lastPrice: 130_000n },
    { asset: 'ETH', firstPrice: 2_000n, lastPrice: 1_800n },
  ],
});

test('return, drawdown, trade statistics, costs, exposure, turnover and benchmark by hand', () => {
  assert.is(m.pnlMicroUsd, '21000000');
  close(m.totalReturn, 0.21, 'total return');
  close(m.maxDrawdown, 0.1, 'max drawdown (110 → 99)');
  assert.is(m.trades, 4);
  close(m.winRate, 0.5, 'win rate');
  close(m.profitFactor, 25 / 7, 'profit factor');
  assert.is(m.expectancyMicroUsd, '4500000'); // (15 − 5 + 10 − 2) / 4 USD
  assert.is(m.feesMicroUsd, '2000000');
  assert.is(m.fundingMicroUsd, '-250000');
  close(m.exposure, 3 / 5, 'exposure: three of five samples hold a position');
  close(m.turnover, 880 / ((100 + 110 + 99 + 121 + 121) / 5), 'turnover');
  close(m.benchmarkReturn, (0.3 + -0.1) / 2, 'equal-weight buy and hold');
  close(m.periodsPerYear, 105_120, '365 days of 288 five-minute samples');
});

test('Sharpe, Sortino and Calmar against an independent computation', () => {
  const r = [110 / 100 - 1, 99 / 110 - 1, 121 / 99 - 1, 121 / 121 - 1];
  const n = r.length;
  let sum = 0;
  for (const x of r) sum += x;
  const avg = sum / n;
  let sq = 0;
  let down = 0;
  for (const x of r) {
    sq += (x - avg) * (x - avg);
    if (x < 0) down += x * x;
  }
  const ann = Math.sqrt((365 * 24 * 60) / 5);
  close(m.sharpe, (avg / Math.sqrt(sq / (n - 1))) * ann, 'sharpe');
  close(m.sortino, (avg / Math.sqrt(down / n)) * ann, 'sortino');
  // annualising a 21 % gain over twenty minutes overflows: no Calmar rather than Infinity
  assert.is(m.calmar, null);
});

test('Calmar on daily samples: the compound annual return over the max drawdown', () => {
  const DAY = 86_400_000;
  const daily = computeMetrics(
    curveOnly(
      curve([100, 110, 99, 121, 121]).map((p, i) => ({ ...p, at: T0 + i * DAY })),
      DAY,
    ),
  );
  close(daily.periodsPerYear, 365, 'periods per year');
  close(daily.calmar, (1.21 ** (365 / 4) - 1) / 0.1, 'calmar');
});

test('figures without meaning are null, not invented', () => {
  const flat = computeMetrics(curveOnly(curve([100])));
  assert.equal(
    [flat.sharpe, flat.sortino, flat.calmar, flat.winRate, flat.profitFactor, flat.expectancyMicroUsd, flat.benchmarkReturn],
    [null, null, null, null, null, null, null],
  );
  assert.throws(() => computeMetrics(curveOnly([])), RangeError);
});

test('property: drawdown lies in [0, 1], is 0 on a rising curve, and the metrics are byte-identical when recomputed', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 1, max: 1_000_000 }), { minLength: 1, maxLength: 60 }), (values) => {
      const equity = curve(values);
      const dd = maxDrawdown(equity);
      assert.ok(dd >= 0 && dd < 1);
      const rising = curve([...values].sort((a, b) => a - b));
      assert.is(maxDrawdown(rising), 0);
      const input = curveOnly(equity);
      assert.is(JSON.stringify(computeMetrics(input)), JSON.stringify(computeMetrics(input)));
    }),
    { seed: fcSeed, numRuns: fcRuns },
  );
});

test.run();
