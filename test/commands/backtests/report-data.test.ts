/** Report data (doc/backtesting.md, "The report"): the drawdown and benchmark curves, and the schema's bounds. */
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { computeMetrics, type EquityPoint, maxDrawdown } from '../../../commands/backtests/metrics.ts';
import { benchmarkCurve, drawdownCurve, zBacktestReportData } from '../../../commands/backtests/report-data.ts';
import { realRunReportData } from '../../support/backtest-report-data.ts';
import { sharedData } from '../../support/prop-trading.ts';
import { fcRuns, fcSeed } from '../../support/store.ts';
import { T0 } from './fixtures.ts';

const STEP = 300_000;
const usd = (n: number) => BigInt(Math.round(n * 1_000_000));
const curve = (values: readonly bigint[]): EquityPoint[] =>
  values.map((v, i) => ({ at: T0 + i * STEP, equityMicroUsd: v, exposureMicroUsd: 0n }));

test('given 100 → 110 → 99 → 121 USD, then each sample’s drawdown is its fall from the running peak', () => {
  assert.equal(
    drawdownCurve(curve([usd(100), usd(110), usd(99), usd(121)])).map((p) => [p.equityMicroUsd, p.drawdown]),
    [
      ['100000000', 0],
      ['110000000', 0],
      ['99000000', 11 / 110],
      ['121000000', 0],
    ],
  );
});

test('property: the deepest point of the drawdown curve is the metrics’ max drawdown', () => {
  fc.assert(
    fc.property(fc.array(fc.bigInt({ min: 0n, max: 10n ** 15n }), { minLength: 1, maxLength: 200 }), (values) => {
      const equity = curve(values);
      return Math.max(...drawdownCurve(equity).map((p) => p.drawdown)) === maxDrawdown(equity);
    }),
    { seed: fcSeed, numRuns: fcRuns },
  );
});

test('given BTC 100 → 130 and ETH 2,000 → 1,800 on 1,000 USD, then the benchmark holds 500 USD of each', () => {
  const prices = [
    { at: T0, prices: [100n, 2_000n] },
    { at: T0 + STEP, prices: [130n, 1_800n] },
  ];
  assert.equal(benchmarkCurve(usd(1_000), prices), [
    { at: T0, valueMicroUsd: '1000000000' },
    { at: T0 + STEP, valueMicroUsd: '1100000000' }, // 650 + 450
  ]);
  assert.equal(benchmarkCurve(usd(1_000), [{ at: T0, prices: [0n] }]), []);
});

test('property: the benchmark starts at the starting equity and ends at the metrics’ benchmark return, to rounding', () => {
  const price = fc.bigInt({ min: 1n, max: 10n ** 14n });
  fc.assert(
    fc.property(
      fc.bigInt({ min: 1_000_000n, max: 10n ** 13n }),
      fc.array(fc.tuple(price, price), { minLength: 1, maxLength: 10 }),
      (start, assets) => {
        const points = benchmarkCurve(start, [
          { at: T0, prices: assets.map(([first]) => first) },
          { at: T0 + STEP, prices: assets.map(([, last]) => last) },
        ]);
        const m = computeMetrics({
          equity: curve([start]),
          trades: [],
          tradedNotionalMicroUsd: 0n,
          feesMicroUsd: 0n,
          fundingMicroUsd: 0n,
          samplingIntervalMs: STEP,
          benchmark: assets.map(([firstPrice, lastPrice]) => ({ asset: 'X', firstPrice, lastPrice })),
        });
        const first = BigInt(points[0]?.valueMicroUsd ?? '0');
        const last = Number(points[1]?.valueMicroUsd);
        const n = BigInt(assets.length);
        const expected = Number(start) * (1 + (m.benchmarkReturn ?? Number.NaN));
        // one half-even rounding per asset: at most n/2 micro-USD off (and the metrics' float error)
        return (
          (first - start < 0n ? start - first : first - start) * 2n <= n &&
          Math.abs(last - expected) <= assets.length / 2 + Math.abs(expected) * 1e-12
        );
      },
    ),
    { seed: fcSeed, numRuns: fcRuns },
  );
});

test('given a hostile asset name or an oversized id, then the schema refuses it, naming the field', () => {
  const data = sharedData();
  if (!data) return;
  const real = realRunReportData(data, { days: 1 });
  assert.ok(zBacktestReportData.safeParse(real).success);
  const hostile = zBacktestReportData.safeParse({ ...real, assets: ['<script>'] });
  assert.equal(hostile.error?.issues[0]?.path, ['assets', 0]);
  const long = zBacktestReportData.safeParse({ ...real, backtestId: 'x'.repeat(201) });
  assert.equal(long.error?.issues[0]?.path, ['backtestId']);
  const trade = zBacktestReportData.safeParse({ ...real, trades: [{ ...real.trades[0], entryPrice: '1.5' }] });
  assert.equal(trade.error?.issues[0]?.path, ['trades', 0, 'entryPrice']);
});

test.run();
