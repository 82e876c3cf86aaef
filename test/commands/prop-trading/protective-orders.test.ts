/**
 * Protective orders (issue 13, "Exit plans are enforced"), Given/When/Then on the decider: an
 * exit plan placed with its fill, take-profit and stop-loss reached by candles and marks, the
 * stop-loss first when one candle reaches both, a gap through the stop, a replaced plan, and
 * cancellation on a manual close, a liquidation and the account's end.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { CandleBar } from '../../../adapters/market/price-source.ts';
import type { PropAccountCommand } from '../../../commands/prop-trading/commands.ts';
import { propAccountDecider } from '../../../commands/prop-trading/decider.ts';
import type { PropAccountEvent } from '../../../commands/prop-trading/events.ts';
import { fold, specFor } from '../../support/decider-spec.ts';
import { action, openCommand, px, quotes, rate, sz, T0, usd } from '../../support/prop-trading.ts';

const spec = specFor(propAccountDecider);
const decide = (given: readonly PropAccountEvent[], command: PropAccountCommand) =>
  propAccountDecider.decide(command, fold(propAccountDecider, given)) as PropAccountEvent[];
const types = (events: readonly PropAccountEvent[]) => events.map((e) => e.type);
type EventData = { [E in PropAccountEvent as E['type']]: E['data'] };
const all = <T extends keyof EventData>(events: readonly PropAccountEvent[], type: T) =>
  events.filter((e) => e.type === type).map((e) => e.data as EventData[T]);

const MIN = 60_000;
const btcAt = (price: string, time = T0) => quotes({ BTC: px(price) }, time);
const plan = (tp: string | null, sl: string | null) => ({
  takeProfitPrice: tp === null ? null : px(tp),
  stopLossPrice: sl === null ? null : px(sl),
  invalidation: 'loses 99,000',
});
/** A final 1m candle of BTC opened `minutes` after T0. */
const candle = (minutes: number, open: string, high: string, low: string, close: string): CandleBar => ({
  asset: 'BTC',
  intervalMs: MIN,
  openTime: T0 + minutes * MIN,
  open: px(open),
  high: px(high),
  low: px(low),
  close: px(close),
});
const check = (candles: CandleBar[], at = T0 + 10 * MIN, price = '100000'): PropAccountCommand => ({
  type: 'CheckProtectiveOrders',
  candles,
  quotes: btcAt(price, at),
  at,
});

/** 20,000 USD, no slippage; a 1 BTC long at 100,000 (10×) with take-profit 104,000 and stop-loss 98,000. */
const opened = decide([], openCommand({ slippagePpm: 0, maxPositionNotionalMicroUsd: usd('1000000') }, usd('20000')));
const withPlan = [...opened, ...decide(opened, action({ quotes: btcAt('100000'), exitPlan: plan('104000.7', '98000.5') }))];

test('given an open with an exit plan, then its take-profit and stop-loss rest on ticks, rounded as a closing sell', () => {
  assert.equal(types(withPlan.slice(1)), ['OrderFilled', 'ProtectiveOrderPlaced', 'ProtectiveOrderPlaced']);
  const placed = all(withPlan, 'ProtectiveOrderPlaced');
  // BTC (szDecimals 5): at most 1 decimal and 5 significant figures, integers allowed → a 1 USD tick; a sell rounds down
  assert.equal(
    placed.map((p) => [p.protectiveOrderId, p.kind, p.side, p.triggerPrice, p.decisionRunId, p.invalidation]),
    [
      ['o1:tp', 'take_profit', 'long', px('104000'), 'run-1', 'loses 99,000'],
      ['o1:sl', 'stop_loss', 'long', px('98000'), 'run-1', 'loses 99,000'],
    ],
  );
  const short = decide(opened, action({ side: 'short', quotes: btcAt('100000'), exitPlan: plan('96000.2', '102000.2') }));
  // a short's orders close with a buy: rounded up
  assert.equal(
    all(short, 'ProtectiveOrderPlaced').map((p) => p.triggerPrice),
    [px('96001'), px('102001')],
  );
});

test('when an exit plan is already reached by the quote, then the action is rejected invalid_exit_plan and nothing fills', () => {
  const events = decide(opened, action({ quotes: btcAt('100000'), exitPlan: plan('104000', '100000') }));
  assert.equal(types(events), ['ActionRejected']);
  const [rejected] = all(events, 'ActionRejected');
  assert.is(rejected?.reasonCode, 'invalid_exit_plan');
  assert.equal(rejected?.figures, {
    side: 'long',
    quotePrice: String(px('100000')),
    takeProfitPrice: String(px('104000')),
    stopLossPrice: String(px('100000')),
  });
});

test('given the plan, when a final 1m candle reaches the take-profit, then the long closes at 104,000 with the taker fee', () => {
  const events = decide(withPlan, check([candle(2, '103000', '104500', '102900', '104200')]));
  assert.equal(types(events), ['OrderFilled', 'ProtectiveOrderCancelled']);
  const [fill] = all(events, 'OrderFilled');
  assert.is(fill?.orderId, 'o1:tp');
  assert.is(fill?.decisionRunId, 'run-1');
  assert.is(fill?.price, px('104000'));
  assert.is(fill?.size, -sz('1'));
  // realized 4,000; fee 104,000 × 4.5 bps = 46.8; cash 19,955 + 4,000 − 46.8
  assert.is(fill?.realizedPnlMicroUsd, usd('4000'));
  assert.is(fill?.feeMicroUsd, usd('46.8'));
  assert.is(fill?.valuation.cashMicroUsd, usd('23908.2'));
  assert.equal(fill?.trigger, {
    protectiveOrderId: 'o1:tp',
    kind: 'take_profit',
    source: 'candle_1m',
    triggerPrice: px('104000'),
    observedAt: T0 + 2 * MIN,
    gap: false,
  });
  assert.equal(all(events, 'ProtectiveOrderCancelled'), [
    { accountId: 'a1', protectiveOrderId: 'o1:sl', asset: 'BTC', kind: 'stop_loss', reason: 'position_closed', at: T0 + 10 * MIN },
  ]);
  assert.equal(fold(propAccountDecider, [...withPlan, ...events]).protective, {});
});

test('given the plan, when a mark falls through the stop-loss, then the long closes at the stop (98,000), before the mark', () => {
  const at = T0 + 5 * MIN;
  const events = decide(withPlan, { type: 'MarkToMarket', quotes: btcAt('97500', at), at });
  assert.equal(types(events), ['OrderFilled', 'ProtectiveOrderCancelled']);
  const [fill] = all(events, 'OrderFilled');
  assert.is(fill?.price, px('98000'));
  assert.is(fill?.realizedPnlMicroUsd, -usd('2000'));
  assert.equal(fill?.trigger?.source, 'mark');
  assert.equal(fill?.trigger?.kind, 'stop_loss');
  assert.is(fold(propAccountDecider, [...withPlan, ...events]).positions.BTC, undefined);
});

test('when one candle reaches both the take-profit and the stop-loss inside the minute, then the stop-loss fills', () => {
  const events = decide(withPlan, check([candle(3, '100000', '104100', '97900', '101000')]));
  const [fill] = all(events, 'OrderFilled');
  assert.is(fill?.orderId, 'o1:sl');
  assert.is(fill?.price, px('98000'));
  assert.is(all(events, 'ProtectiveOrderCancelled')[0]?.protectiveOrderId, 'o1:tp');
});

test('when a candle opens below the stop (a gap), then the stop fills at the open, inside the candle, not at 98,000', () => {
  const events = decide(withPlan, check([candle(4, '97000', '97600', '96500', '97100')]));
  const [fill] = all(events, 'OrderFilled');
  assert.is(fill?.price, px('97000'));
  assert.is(fill?.trigger?.gap, true);
  assert.is(fill?.trigger?.triggerPrice, px('98000'));
  // realized 1 × (97,000 − 100,000) = −3,000; fee 97,000 × 4.5 bps = 43.65
  assert.is(fill?.realizedPnlMicroUsd, -usd('3000'));
  assert.is(fill?.feeMicroUsd, usd('43.65'));
});

test('when candles are checked out of order, then the earliest reaching candle fills, once', () => {
  const later = candle(6, '104100', '104300', '104050', '104200');
  const earlier = candle(5, '99000', '99500', '97800', '98500');
  const events = decide(withPlan, check([later, earlier]));
  assert.equal(
    all(events, 'OrderFilled').map((f) => [f.orderId, f.price]),
    [['o1:sl', px('98000')]],
  );
});

test('given a triggered minute, when the same minute is checked again, then nothing fills twice', () => {
  const minute = [candle(2, '103000', '104500', '102900', '104200')];
  const first = decide(withPlan, check(minute));
  spec
    .given([...withPlan, ...first])
    .when(check(minute))
    .thenEmits([]);
  // and a minute that reached nothing appends nothing, however often it is checked
  spec
    .given(withPlan)
    .when(check([candle(1, '100000', '100500', '99500', '100100')]))
    .thenEmits([]);
});

test('a candle opened before the order was placed does not trigger it', () => {
  const placedLater = [
    ...opened,
    ...decide(opened, action({ quotes: btcAt('100000', T0), at: T0 + 30_000, exitPlan: plan('104000', '98000') })),
  ];
  spec
    .given(placedLater)
    .when(check([candle(0, '100000', '100000', '97000', '97500')], T0 + 2 * MIN))
    .thenEmits([]);
});

test('given the plan, when an increase brings a new plan, then the old orders are cancelled as replaced and the new ones placed', () => {
  const events = decide(
    withPlan,
    action({ orderId: 'o2', decisionRunId: 'run-2', action: 'increase', quotes: btcAt('101000'), exitPlan: plan('106000', null) }),
  );
  assert.equal(types(events), ['OrderFilled', 'ProtectiveOrderCancelled', 'ProtectiveOrderCancelled', 'ProtectiveOrderPlaced']);
  assert.equal(
    all(events, 'ProtectiveOrderCancelled').map((c) => [c.protectiveOrderId, c.reason]),
    [
      ['o1:sl', 'replaced'],
      ['o1:tp', 'replaced'],
    ],
  );
  const state = fold(propAccountDecider, [...withPlan, ...events]);
  assert.equal(Object.keys(state.protective), ['o2:tp']);
  // the new take-profit closes the whole (increased) position
  const fill = all(decide([...withPlan, ...events], check([candle(8, '105000', '106200', '104900', '106000')])), 'OrderFilled')[0];
  assert.is(fill?.size, -sz('2'));
  assert.is(fill?.decisionRunId, 'run-2');
});

test('an increase without a plan keeps the resting orders', () => {
  const events = decide(withPlan, action({ orderId: 'o2', action: 'increase', quotes: btcAt('101000') }));
  assert.equal(types(events), ['OrderFilled']);
});

test('given the plan, when the position is closed by hand, then both orders are cancelled as position_closed', () => {
  const events = decide(withPlan, action({ orderId: 'o2', action: 'close', size: null, leverage: null, quotes: btcAt('101000') }));
  assert.equal(types(events), ['OrderFilled', 'ProtectiveOrderCancelled', 'ProtectiveOrderCancelled']);
  assert.equal(
    all(events, 'ProtectiveOrderCancelled').map((c) => c.reason),
    ['position_closed', 'position_closed'],
  );
  // a partial reduce keeps them
  const reduced = decide(withPlan, action({ orderId: 'o3', action: 'reduce', size: sz('0.5'), leverage: null, quotes: btcAt('101000') }));
  assert.equal(types(reduced), ['OrderFilled']);
});

test('given a long whose stop is below its liquidation price, when a mark liquidates it, then its orders are cancelled as liquidated', () => {
  const wide = [...opened, ...decide(opened, action({ quotes: btcAt('100000'), exitPlan: plan('104000', '70000') }))];
  const events = decide(wide, { type: 'MarkToMarket', quotes: btcAt('80000', T0 + MIN), at: T0 + MIN });
  assert.equal(types(events), ['AccountMarked', 'AccountLiquidated', 'ProtectiveOrderCancelled', 'ProtectiveOrderCancelled']);
  assert.equal(
    all(events, 'ProtectiveOrderCancelled').map((c) => c.reason),
    ['liquidated', 'liquidated'],
  );
});

test('closing or finalizing the account cancels its resting orders', () => {
  const closed = decide(withPlan, { type: 'CloseAccount', reason: 'admin', quotes: btcAt('100500'), at: T0 });
  assert.equal(types(closed), ['AccountClosed', 'ProtectiveOrderCancelled', 'ProtectiveOrderCancelled']);
  assert.is(all(closed, 'ProtectiveOrderCancelled')[0]?.reason, 'account_closed');
  const finalized = decide(withPlan, { type: 'FinalizeAccount', quotes: btcAt('100500'), at: T0 });
  assert.equal(types(finalized), ['PropAccountFinalized', 'ProtectiveOrderCancelled', 'ProtectiveOrderCancelled']);
  assert.is(all(finalized, 'ProtectiveOrderCancelled')[0]?.reason, 'account_finalized');
});

test('a frozen account keeps its protective orders working', () => {
  const frozen = [...withPlan, ...decide(withPlan, { type: 'FreezeAccount', reason: 'review', at: T0 })];
  assert.equal(types(decide(frozen, check([candle(2, '103000', '104500', '102900', '104200')]))), [
    'OrderFilled',
    'ProtectiveOrderCancelled',
  ]);
});

test('funding: a position opened after the hour pays nothing for it', () => {
  const hour = T0 + 3_600_000;
  const lateOpen = [...opened, ...decide(opened, action({ quotes: btcAt('100000', hour + MIN), at: hour + MIN }))];
  const command = (h: number): PropAccountCommand => ({
    type: 'ApplyFunding',
    hour: h,
    rates: { BTC: rate('0.0001') },
    quotes: btcAt('100000', h + MIN),
    at: h + 2 * MIN,
  });
  spec.given(lateOpen).when(command(hour)).thenEmits([]);
  assert.equal(types(decide(lateOpen, command(hour + 3_600_000))), ['FundingApplied']);
});

test.run();
