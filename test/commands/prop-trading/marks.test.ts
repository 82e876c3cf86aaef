/**
 * Marks (doc/prop-trading.md, "Marks"): a mark is recorded only when the valuation changed since
 * the last event that recorded one, and `AccountMarked` v2 does not repeat what the position is or
 * the trading day; v1 rows are upcast by dropping those fields.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { propAccountDecider } from '../../../commands/prop-trading/decider.ts';
import { type PropAccountEvent, propTradingEvents } from '../../../commands/prop-trading/events.ts';
import { EventRegistry, storedEventData } from '../../../core/event-registry.ts';
import { fold } from '../../support/decider-spec.ts';
import { action, openCommand, px, quotes, rate, T0, usd } from '../../support/prop-trading.ts';

const decide = (given: readonly PropAccountEvent[], command: Parameters<typeof propAccountDecider.decide>[0]) =>
  propAccountDecider.decide(command, fold(propAccountDecider, given)) as PropAccountEvent[];
const types = (events: readonly PropAccountEvent[]) => events.map((e) => e.type);
const opened = decide([], openCommand({ slippagePpm: 0, maxPositionNotionalMicroUsd: usd('1000000') }, usd('20000')));
const mark = (price: string, at = T0 + 60_000) => ({ type: 'MarkToMarket' as const, quotes: quotes({ BTC: px(price) }, at), at });

test('an idle account, or one marked again at the same prices, appends nothing', () => {
  assert.equal(decide(opened, mark('100000')), [], 'no positions: nothing to value anew');
  const long = [...opened, ...decide(opened, action({ quotes: quotes({ BTC: px('100000') }) }))];
  assert.equal(decide(long, mark('100000')), [], 'the fill recorded this valuation already');
  const moved = decide(long, mark('101000'));
  assert.equal(types(moved), ['AccountMarked']);
  assert.equal(decide([...long, ...moved], mark('101000', T0 + 120_000)), [], 'the same price again');
  assert.equal(types(decide([...long, ...moved], mark('100000', T0 + 120_000))), ['AccountMarked'], 'back down is a change');
});

test('a new day still starts on a mark at unchanged prices; a liquidation is still decided', () => {
  const long = [...opened, ...decide(opened, action({ leverage: 20, quotes: quotes({ BTC: px('100000') }) }))];
  assert.equal(types(decide(long, mark('100000', T0 + 86_400_000))), ['TradingDayStarted']);
  // funding takes equity below maintenance without a price move: the next mark, at the same marks, liquidates
  const hour = T0 - (T0 % 3_600_000) + 3_600_000;
  const funded = decide(long, {
    type: 'ApplyFunding',
    hour,
    rates: { BTC: rate('0.2') },
    quotes: quotes({ BTC: px('100000') }, hour),
    at: hour,
  });
  assert.equal(types(funded), ['FundingApplied']);
  assert.equal(types(decide([...long, ...funded], mark('100000', hour + 1))), ['AccountLiquidated']);
});

test('AccountMarked v2 leaves out what repeats; a v1 row reads as v2 (upcast)', () => {
  const long = [...opened, ...decide(opened, action({ quotes: quotes({ BTC: px('100000') }) }))];
  const [marked] = decide(long, mark('101000'));
  assert.ok(marked?.type === 'AccountMarked');
  assert.equal(Object.keys(marked.data).sort(), ['accountId', 'at', 'valuation']);
  assert.equal(Object.keys(marked.data.valuation.positions[0] ?? {}).sort(), [
    'asset',
    'liquidationPrice',
    'maintenanceMarginMicroUsd',
    'marginMicroUsd',
    'markPrice',
    'notionalMicroUsd',
    'unrealizedPnlMicroUsd',
  ]);
  const registry = new EventRegistry(propTradingEvents);
  const v2 = registry.encode('AccountMarked', marked.data);
  // the v2 data as a JSON object (it is stored compact, core/stored-data.ts)
  const v2Object = storedEventData(registry.definition('AccountMarked'), 2, v2.json) as { valuation: { positions: object[] } };
  const position = {
    ...(v2Object.valuation.positions[0] as object),
    size: '100000000',
    entryPrice: '10000000000000',
    leverage: 10,
    assetMaxLeverage: 50,
  };
  const v1 = JSON.stringify({
    ...v2Object,
    utcDay: 20458,
    startOfDayEquityMicroUsd: '20000000000',
    valuation: { ...v2Object.valuation, positions: [position] },
  });
  assert.equal(registry.decode('AccountMarked', 1, v1), registry.decode('AccountMarked', 2, v2.json));
  assert.ok(v2.json.length < v1.length, `v2 ${v2.json.length} bytes < v1 ${v1.length} bytes`);
});

test.run();
