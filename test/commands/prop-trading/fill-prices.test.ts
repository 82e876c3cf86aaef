/**
 * Fill prices Hyperliquid could print (doc/prop-trading.md, "Fill prices"): at most 5
 * significant figures unless an integer, at most 6 − szDecimals decimals, rounded against the
 * trader (buys up, sells down) from the slipped price and by less than one tick.
 */
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PRICE } from '../../../adapters/market/units.ts';
import { propAccountDecider } from '../../../commands/prop-trading/decider.ts';
import type { PropAccountEvent } from '../../../commands/prop-trading/events.ts';
import { executionPrice, hyperliquidPrice, priceTick } from '../../../commands/prop-trading/figures.ts';
import { formatDecimal } from '../../../core/money.ts';
import { fold } from '../../support/decider-spec.ts';
import { action, BTC, openCommand, px, quotes, usd } from '../../support/prop-trading.ts';
import { fcRuns, fcSeed } from '../../support/store.ts';

/** True when a PRICE (1e-8) has ≤ 5 significant figures or is an integer, and ≤ 6 − szDecimals decimals. */
function printable(price: bigint, szDecimals: number): boolean {
  const [whole = '', fraction = ''] = formatDecimal(price, PRICE).split('.');
  const decimals = fraction.replace(/0+$/, '');
  const significant = `${whole}${decimals}`.replace(/^0+/, '');
  return decimals.length <= Math.max(0, 6 - szDecimals) && (decimals.length === 0 || significant.length <= 5);
}

test('the prices the review found: 65032.5 on BTC and 0.09014505 are not printable; their fills are', () => {
  assert.not.ok(printable(px('65032.5'), 5));
  assert.not.ok(printable(px('0.09014505'), 0));
  assert.is(hyperliquidPrice(px('65032.5'), 'buy', 5), px('65033'));
  assert.is(hyperliquidPrice(px('65032.5'), 'sell', 5), px('65032'));
  assert.is(hyperliquidPrice(px('0.09014505'), 'buy', 0), px('0.090146'));
  assert.is(hyperliquidPrice(px('0.09014505'), 'sell', 0), px('0.090145'));
  assert.is(hyperliquidPrice(px('0.09014505'), 'sell', 2), px('0.0901'));
  assert.is(hyperliquidPrice(px('99999.5'), 'buy', 1), px('100000'), 'a carry gives a shorter form');
  assert.is(hyperliquidPrice(px('123456.7'), 'sell', 1), px('123456'), 'integers are always allowed');
});

let fills = 0;

test('property: every fill price is printable, on the trader’s worse side of the slipped price, within one tick', () => {
  fc.assert(
    fc.property(
      fc.bigInt({ min: 1n, max: 10n ** 14n }),
      fc.integer({ min: 0, max: 6 }),
      fc.integer({ min: 0, max: 20_000 }),
      fc.constantFrom('long' as const, 'short' as const),
      (quote, szDecimals, slippagePpm, side) => {
        const info = { ...BTC, szDecimals, maxLeverage: 1000 };
        const state = fold(propAccountDecider, [] as PropAccountEvent[]);
        const opened = propAccountDecider.decide(
          openCommand(
            { slippagePpm, maxLeverage: 1000, minOrderNotionalMicroUsd: 0n, maxPositionNotionalMicroUsd: 10n ** 30n },
            usd('1000000000000'),
          ),
          state,
        );
        const events = propAccountDecider.decide(
          action({
            assetInfo: info,
            side,
            size: null,
            notionalMicroUsd: usd('1000'),
            leverage: 1000,
            quotes: quotes({ BTC: quote }),
          }),
          fold(propAccountDecider, opened),
        );
        const fill = events.find((e) => e.type === 'OrderFilled');
        if (fill?.type !== 'OrderFilled') return true; // refused (e.g. size rounds to zero): no fill price to check
        fills += 1;
        const price = fill.data.price;
        const direction = side === 'long' ? 'buy' : 'sell';
        const slipped = (quote * (1_000_000n + (side === 'long' ? 1n : -1n) * BigInt(slippagePpm))) / 1_000_000n; // floor
        assert.ok(printable(price, szDecimals), `${price} with szDecimals ${szDecimals}`);
        assert.is(price, executionPrice(quote, direction, slippagePpm, szDecimals));
        const tick = priceTick(price, szDecimals);
        if (direction === 'buy') assert.ok(price >= slipped && price - slipped <= tick, `buy ${price} from ${slipped}`);
        else
          assert.ok(
            (price <= slipped || price === tick) && slipped - price < priceTick(slipped, szDecimals),
            `sell ${price} from ${slipped}`,
          );
        return true;
      },
    ),
    { seed: fcSeed, numRuns: fcRuns * 5 },
  );
  assert.ok(fills > fcRuns * 2, `most runs fill (${fills} of ${fcRuns * 5})`);
});

test.run();
