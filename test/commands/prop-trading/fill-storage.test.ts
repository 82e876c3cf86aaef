/**
 * `OrderFilled` v2 on disk (doc/prop-trading.md, "Fills on disk"): the valuation after a fill
 * keeps only cash, drawdown and the other held positions; reading restores the whole valuation
 * the decider emitted, and a v1 row (the whole valuation stored) reads as the same event.
 */
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { PropAccountCommand } from '../../../commands/prop-trading/commands.ts';
import { propAccountDecider } from '../../../commands/prop-trading/decider.ts';
import { type PropAccountEvent, propTradingEvents } from '../../../commands/prop-trading/events.ts';
import { EventRegistry } from '../../../core/event-registry.ts';
import { fold } from '../../support/decider-spec.ts';
import { action, BTC, ETH, openCommand, px, quotes, T0, usd } from '../../support/prop-trading.ts';
import { fcRuns, fcSeed } from '../../support/store.ts';

const registry = new EventRegistry(propTradingEvents);
/** The stored form of version 1: the in-memory data with every amount as a decimal string. */
const v1Json = (data: unknown) => JSON.stringify(data, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));

const step = fc.record({
  asset: fc.constantFrom('BTC', 'ETH'),
  action: fc.constantFrom('open' as const, 'increase' as const, 'reduce' as const, 'close' as const),
  side: fc.constantFrom('long' as const, 'short' as const),
  lots: fc.integer({ min: 1, max: 50_000 }),
  leverage: fc.integer({ min: 1, max: 20 }),
  movePpm: fc.integer({ min: -50_000, max: 50_000 }),
});

type Step = typeof step extends fc.Arbitrary<infer S> ? S : never;

/** Every fill a random run of actions on two assets produces, with the prices moving between them. */
function fills(steps: readonly Step[]): PropAccountEvent[] {
  const prices: Record<string, bigint> = { BTC: px('100000'), ETH: px('2500') };
  let events = propAccountDecider.decide(
    openCommand({ maxPositionNotionalMicroUsd: usd('10000000') }, usd('1000000')),
    fold(propAccountDecider, []),
  );
  const filled: PropAccountEvent[] = [];
  for (const [i, s] of steps.entries()) {
    prices[s.asset] = ((prices[s.asset] as bigint) * BigInt(1_000_000 + s.movePpm)) / 1_000_000n;
    const at = T0 + (i + 1) * 1000;
    const command: PropAccountCommand = action({
      orderId: `o${i}`,
      decisionRunId: `r${i}`,
      asset: s.asset,
      assetInfo: s.asset === 'BTC' ? BTC : ETH,
      action: s.action,
      side: s.side,
      size: BigInt(s.lots) * 1000n,
      leverage: s.leverage,
      quotes: quotes(prices, at),
      at,
    });
    const decided = propAccountDecider.decide(command, fold(propAccountDecider, events));
    events = [...events, ...decided];
    filled.push(...decided.filter((e) => e.type === 'OrderFilled'));
  }
  return filled;
}

test('a fill reads back as the decider emitted it, from v2 and from v1, and v2 is smaller', () => {
  let seen = 0;
  fc.assert(
    fc.property(fc.array(step, { minLength: 1, maxLength: 30 }), (steps) => {
      for (const e of fills(steps)) {
        seen += 1;
        const v2 = registry.encode('OrderFilled', e.data);
        const v1 = v1Json(e.data);
        assert.equal(registry.decode('OrderFilled', 2, v2.json), e.data, 'v2 restores the valuation');
        assert.equal(registry.decode('OrderFilled', 1, v1), e.data, 'a v1 row is upcast to the same fill');
        assert.ok(v2.json.length < v1.length, `v2 ${v2.json.length} bytes < v1 ${v1.length} bytes`);
      }
    }),
    { seed: fcSeed, numRuns: fcRuns },
  );
  assert.ok(seen > fcRuns, `the runs filled orders (${seen})`);
});

test('only a valuation its positions give can be stored compact', () => {
  const [only] = fills([{ asset: 'BTC', action: 'open', side: 'long', lots: 1000, leverage: 5, movePpm: 0 }]);
  assert.ok(only?.type === 'OrderFilled');
  const wrong = { ...only.data, valuation: { ...only.data.valuation, equityMicroUsd: only.data.valuation.equityMicroUsd + 1n } };
  assert.throws(() => registry.encode('OrderFilled', wrong), /not the one its positions give/);
});

test.run();
