/**
 * Invariants of protective orders over random positions, exit plans and 1m candle paths
 * (fast-check, `FC_SEED`/`FC_RUNS`; the seed is printed on failure), on the pure decider:
 * - a protective order fills at a price inside the [low, high] of the candle that triggered it;
 * - no protective order fills twice, however often and in whatever batches the minutes are checked;
 * - the account after a trigger is the account after a manual close at that price.
 */
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { CandleBar } from '../../../adapters/market/price-source.ts';
import type { PropAccountCommand } from '../../../commands/prop-trading/commands.ts';
import { propAccountDecider } from '../../../commands/prop-trading/decider.ts';
import type { PropAccountEvent } from '../../../commands/prop-trading/events.ts';
import { fold } from '../../support/decider-spec.ts';
import { action, openCommand, px, quotes, T0, usd } from '../../support/prop-trading.ts';
import { fcRuns, fcSeed } from '../../support/store.ts';

const MIN = 60_000;
const USD = px('1');
const decide = (given: readonly PropAccountEvent[], command: PropAccountCommand) =>
  propAccountDecider.decide(command, fold(propAccountDecider, given)) as PropAccountEvent[];

/** BTC prices in whole USD from 10,000 up: always on a tick (integer prices are always allowed). */
const scenario = fc.record({
  side: fc.constantFrom('long' as const, 'short' as const),
  entry: fc.integer({ min: 20_000, max: 150_000 }),
  lots: fc.integer({ min: 1, max: 20_000 }),
  tpBps: fc.integer({ min: 10, max: 800 }),
  slBps: fc.integer({ min: 10, max: 800 }),
  /** Per minute: the move of the open from the last close, and how far the high and low reach, in bps. */
  minutes: fc.array(
    fc.record({
      gapBps: fc.integer({ min: -300, max: 300 }),
      upBps: fc.nat(400),
      downBps: fc.nat(400),
      closeAt: fc.double({ min: 0, max: 1, noNaN: true }),
    }),
    { minLength: 1, maxLength: 40 },
  ),
  /** How the minutes are handed to checks: batch lengths (repeating the last batch each time). */
  batches: fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 1, maxLength: 10 }),
});
type Scenario = typeof scenario extends fc.Arbitrary<infer S> ? S : never;

const bps = (price: number, b: number) => Math.max(10_000, Math.round(price * (1 + b / 10_000)));

/** The candle path: each minute opens at the last close moved by its gap (bounded below at 10,000 USD). */
function candlesOf(s: Scenario): CandleBar[] {
  let last = s.entry;
  return s.minutes.map((m, i) => {
    const open = bps(last, m.gapBps);
    const high = bps(open, m.upBps);
    const low = Math.min(open, bps(open, -m.downBps));
    const close = Math.round(low + (high - low) * m.closeAt);
    last = close;
    return {
      asset: 'BTC',
      intervalMs: MIN,
      openTime: T0 + (i + 1) * MIN,
      open: BigInt(open) * USD,
      high: BigInt(high) * USD,
      low: BigInt(low) * USD,
      close: BigInt(close) * USD,
    };
  });
}

function given(s: Scenario): PropAccountEvent[] {
  const opened = decide(
    [],
    openCommand({ slippagePpm: 0, maxLeverage: 50, maxPositionNotionalMicroUsd: usd('1000000000') }, usd('10000000')),
  );
  const long = s.side === 'long';
  const tp = bps(s.entry, long ? s.tpBps : -s.tpBps);
  const sl = bps(s.entry, long ? -s.slBps : s.slBps);
  const exitPlan = { takeProfitPrice: BigInt(tp) * USD, stopLossPrice: BigInt(sl) * USD, invalidation: null };
  const size = BigInt(s.lots) * 1000n; // lots of 1e-5 BTC
  const fill = decide(opened, action({ side: s.side, size, leverage: 2, quotes: quotes({ BTC: BigInt(s.entry) * USD }), exitPlan }));
  return [...opened, ...fill];
}

const check = (candles: readonly CandleBar[], at: number, price: bigint): PropAccountCommand => ({
  type: 'CheckProtectiveOrders',
  candles,
  quotes: quotes({ BTC: price }, at),
  at,
});

test('a protective order fills inside its candle, never twice, and leaves the account a manual close at that price would', () => {
  let triggered = 0;
  fc.assert(
    fc.property(scenario, (s) => {
      const start = given(s);
      if (start.at(-1)?.type === 'ActionRejected') return; // the plan rounded onto the quote: refused, nothing rests
      const candles = candlesOf(s);
      const at = T0 + (candles.length + 2) * MIN;
      const lastClose = (candles.at(-1) as CandleBar).close;
      let events = start;
      let from = 0;
      let previous: CandleBar[] = [];
      for (const length of s.batches) {
        // each check sees the previous batch again (re-checking is idempotent) and the next minutes
        const batch = [...previous, ...candles.slice(from, from + length)];
        events = [...events, ...decide(events, check(batch, at, lastClose))];
        previous = candles.slice(from, from + length);
        from += length;
      }
      events = [...events, ...decide(events, check(candles, at, lastClose))];
      const fills = events.flatMap((e) => (e.type === 'OrderFilled' && e.data.trigger ? [e.data] : []));
      assert.ok(fills.length <= 1, `at most one trigger fill for one position, got ${fills.length}`);
      const ids = new Set(fills.map((f) => f.trigger?.protectiveOrderId));
      assert.is(ids.size, fills.length, 'no protective order fills twice');
      for (const f of fills) {
        const candle = candles.find((c) => c.openTime === f.trigger?.observedAt) as CandleBar;
        assert.ok(candle.low <= f.price && f.price <= candle.high, `fill ${f.price} inside [${candle.low}, ${candle.high}]`);
        triggered += 1;
        // the same account closed by hand at the fill price, at the same time
        const manual = decide(
          start,
          action({
            orderId: 'manual',
            action: 'close',
            side: s.side,
            size: null,
            leverage: null,
            quotes: quotes({ BTC: f.price }, at),
            at,
          }),
        );
        const byTrigger = fold(propAccountDecider, events);
        const byHand = fold(propAccountDecider, [...start, ...manual]);
        assert.equal(byTrigger, byHand, 'the account after the trigger is the account after a manual close at its price');
      }
      if (fills.length === 0)
        assert.is(Object.keys(fold(propAccountDecider, events).protective).length, 2, 'nothing reached: both orders rest');
    }),
    { seed: fcSeed, numRuns: fcRuns * 5 },
  );
  assert.ok(triggered > fcRuns, `the runs triggered orders (${triggered})`);
});

test.run();
