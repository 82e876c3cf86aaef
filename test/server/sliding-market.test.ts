/**
 * The replay's sliding windows (`server/sliding-market.ts`): Given any rows and any sequence of
 * reads whose T never moves back (windows of a few fixed lengths, as packets read them, with
 * some reads moving backwards or starting earlier mixed in), When they go through the sliding
 * market, Then every answer equals the underlying reader's answer to the same read.
 */
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { CandleRow, IndicatorPoint, MarketAsOf } from '../../commands/ai-trading/ports.ts';
import { slidingMarket } from '../../server/sliding-market.ts';
import { fcRuns, fcSeed } from '../support/store.ts';

const MINUTE = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();

/** A reader over `opens` (1m candles opened at these minutes): rows opened ≥ from and closed ≤ at. */
function reader(opens: readonly number[]): MarketAsOf & { registry: () => undefined } {
  const candle = (t: number): CandleRow => ({ openTime: iso(t), open: '1', high: '1', low: '1', close: String(t), volume: '0' });
  const point = (t: number): IndicatorPoint => ({
    openTime: iso(t),
    rsi14: t % 97,
    sma20: null,
    ema20: null,
    bbUpper: null,
    bbLower: null,
    macd: null,
    macdSignal: null,
    macdHistogram: null,
  });
  const within = (from: number, at: number) => opens.filter((t) => t >= from && t + MINUTE <= at);
  const none = () => [];
  return {
    registry: () => undefined,
    candles: (_s, _g, from, at) => within(from, at).map(candle),
    indicators: (_s, from, at) => within(from, at).map(point),
    funding: none,
    context: () => null,
    llama: none,
    polymarket: none,
    facts: () => ({ lastCandleCloseTime: null, dayVolumeMicroUsd: null, openInterestMicroUsd: null, dayRangePpm: null }),
  };
}

test('property: sliding reads answer exactly what the reader answers', () => {
  const minutes = fc.uniqueArray(fc.nat({ max: 600 }), { maxLength: 300 }).map((m) => m.sort((a, b) => a - b).map((x) => x * MINUTE));
  const read = fc.record({
    dt: fc.integer({ min: -3, max: 20 }),
    length: fc.constantFrom(60, 240, 1),
    kind: fc.constantFrom('candles', 'indicators'),
  });
  fc.assert(
    fc.property(minutes, fc.array(read, { maxLength: 60 }), (opens, reads) => {
      const base = reader(opens);
      const sliding = slidingMarket(base);
      let at = 30 * MINUTE;
      for (const r of reads) {
        at += r.dt * MINUTE;
        const from = at - r.length * MINUTE;
        if (r.kind === 'candles') assert.equal(sliding.candles('BTC', MINUTE, from, at), base.candles('BTC', MINUTE, from, at));
        else assert.equal(sliding.indicators('BTC', from, at), base.indicators('BTC', from, at));
      }
    }),
    { seed: fcSeed, numRuns: fcRuns },
  );
});

test.run();
