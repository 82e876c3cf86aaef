/**
 * Invariants of the one headroom function live runs and backtests share
 * (`commands/prop-trading/headroom.ts`; fast-check, `FC_SEED`/`FC_RUNS`, the seed printed on
 * failure). Given any account figures and rules, When an open's room is read from the gates'
 * list, Then it is never negative, never above free margin × leverage, never above the
 * position cap less what the asset already holds, and zero once the daily-loss or drawdown gate
 * is used up — and the list itself never shows a negative gate.
 */
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { share } from '../../../commands/prop-trading/figures.ts';
import { actionHeadroomMicroUsd, gatesHeadroom } from '../../../commands/prop-trading/headroom.ts';
import { fcRuns, fcSeed } from '../../support/store.ts';

const usd = (max: number) => fc.bigInt({ min: 0n, max: BigInt(max) * 1_000_000n });

const figures = fc.record({
  dailyLossPpm: fc.integer({ min: 0, max: 1_000_000 }),
  maxDrawdownPpm: fc.integer({ min: 0, max: 1_000_000 }),
  cap: usd(1_000_000),
  starting: usd(1_000_000),
  startOfDay: usd(1_000_000),
  equity: fc.bigInt({ min: -1_000_000_000_000n, max: 2_000_000_000_000n }),
  marginUsed: usd(1_000_000),
  held: usd(2_000_000),
  holds: fc.boolean(),
  leverage: fc.integer({ min: 1, max: 50 }),
});

test('the room of an open never exceeds free margin × leverage nor the cap less the held notional, and is 0 past a loss gate', () => {
  fc.assert(
    fc.property(figures, (f) => {
      const drawdown = f.starting > f.equity ? f.starting - f.equity : 0n;
      const list = gatesHeadroom({
        rules: { dailyLossPpm: f.dailyLossPpm, maxDrawdownPpm: f.maxDrawdownPpm, maxPositionNotionalMicroUsd: f.cap },
        startingEquityMicroUsd: f.starting,
        startOfDayEquityMicroUsd: f.startOfDay,
        equityMicroUsd: f.equity,
        drawdownMicroUsd: drawdown,
        marginUsedMicroUsd: f.marginUsed,
        held: f.holds ? [{ asset: 'BTC', notionalMicroUsd: f.held }] : [],
      });
      for (const [gate, value] of Object.entries(list)) assert.ok(BigInt(value) >= 0n, `${gate} = ${value}`);
      const room = actionHeadroomMicroUsd(list, 'BTC', f.leverage);
      const freeMargin = f.equity > f.marginUsed ? f.equity - f.marginUsed : 0n;
      const byCap = f.cap - (f.holds ? f.held : 0n);
      assert.ok(room >= 0n, `room ${room}`);
      assert.ok(room <= freeMargin * BigInt(f.leverage), `room ${room} > free margin ${freeMargin} × ${f.leverage}`);
      assert.ok(room <= (byCap > 0n ? byCap : 0n), `room ${room} > cap room ${byCap}`);
      const dayLoss = f.startOfDay > f.equity ? f.startOfDay - f.equity : 0n;
      const lossGateUsed = dayLoss >= share(f.startOfDay, f.dailyLossPpm) || drawdown >= share(f.starting, f.maxDrawdownPpm);
      if (lossGateUsed) assert.is(room, 0n, 'no room once a loss gate is used up');
    }),
    { seed: fcSeed, numRuns: fcRuns },
  );
});

test('given a flat account of 10,000 USD at 5x, when its room is read, then it is the cap (free margin × 5 is larger)', () => {
  const list = gatesHeadroom({
    rules: { dailyLossPpm: 50_000, maxDrawdownPpm: 100_000, maxPositionNotionalMicroUsd: 25_000_000_000n },
    startingEquityMicroUsd: 10_000_000_000n,
    startOfDayEquityMicroUsd: 10_000_000_000n,
    equityMicroUsd: 10_000_000_000n,
    drawdownMicroUsd: 0n,
    marginUsedMicroUsd: 0n,
    held: [],
  });
  assert.equal(list, {
    dailyLoss: '500000000',
    drawdown: '1000000000',
    freeMargin: '10000000000',
    positionNotional: '25000000000',
  });
  assert.is(actionHeadroomMicroUsd(list, 'ETH', 5), 25_000_000_000n);
  assert.is(actionHeadroomMicroUsd(list, 'ETH', 2), 20_000_000_000n);
});

test.run();
