/** Chart downsampling (doc/backtesting.md, "The report"): bounded, ordered, extremes kept. */
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { type ChartPoint, downsample } from '../../../replay/backtest-report/downsample.ts';
import { fcRuns, fcSeed } from '../../support/store.ts';

const series = (ys: readonly number[]): ChartPoint[] => ys.map((y, x) => ({ x, y }));

test('given a series within the bound, when downsampled, then every sample is drawn', () => {
  const s = series([3, 1, 2]);
  assert.equal(downsample(s, 4), s);
});

test('given a bound under four points, then it is refused', () => {
  assert.throws(() => downsample(series([1, 2, 3, 4, 5]), 3), /at least 4/);
});

test('given 20 samples and 6 points, then two buckets of 10 keep their lowest and highest beside the ends', () => {
  const ys = [5, 9, 1, 4, 4, 4, 4, 4, 4, 3, 2, 2, 8, 2, 2, 0, 2, 2, 2, 6];
  assert.equal(
    downsample(series(ys), 6).map((p) => p.x),
    [0, 1, 2, 12, 15, 19],
  );
});

test('property: at most maxPoints, a subsequence in order, with the ends and every global extreme', () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: -1_000, max: 1_000 }), { minLength: 1, maxLength: 3_000 }),
      fc.integer({ min: 4, max: 500 }),
      (ys, maxPoints) => {
        const s = series(ys);
        const kept = downsample(s, maxPoints);
        const xs = kept.map((p) => p.x);
        const min = Math.min(...ys);
        const max = Math.max(...ys);
        return (
          kept.length <= Math.max(maxPoints, 0) &&
          (ys.length > maxPoints || kept.length === ys.length) &&
          xs.every((x, i) => i === 0 || x > (xs[i - 1] as number)) &&
          kept.every((p) => ys[p.x] === p.y) &&
          xs[0] === 0 &&
          xs.at(-1) === ys.length - 1 &&
          kept.some((p) => p.y === min) &&
          kept.some((p) => p.y === max)
        );
      },
    ),
    { seed: fcSeed, numRuns: fcRuns },
  );
});

test.run();
