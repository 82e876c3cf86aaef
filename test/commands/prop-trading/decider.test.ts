import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { propAccountDecider } from '../../../commands/prop-trading/decider.ts';
import type { PropAccountEvent } from '../../../commands/prop-trading/events.ts';
import { fold, specFor } from '../../support/decider-spec.ts';
import { action, BTC, openCommand, px, quotes, rate, sz, T0, usd } from '../../support/prop-trading.ts';

const spec = specFor(propAccountDecider);
const decide = (given: readonly PropAccountEvent[], command: Parameters<typeof propAccountDecider.decide>[0]) =>
  propAccountDecider.decide(command, fold(propAccountDecider, given)) as PropAccountEvent[];

/** The worked example's account: 20,000 USD, no slippage, caps wide enough for a 100,000 USD position. */
const exampleRules = { slippagePpm: 0, maxPositionNotionalMicroUsd: usd('1000000') };
const opened = decide([], openCommand(exampleRules, usd('20000')));
const btcAt = (price: string, time = T0) => quotes({ BTC: px(price) }, time);
const longOneBtc = decide(opened, action({ quotes: btcAt('100000') }));
const afterLong = [...opened, ...longOneBtc];

type EventData = { [E in PropAccountEvent as E['type']]: E['data'] };

function only<T extends keyof EventData>(events: readonly PropAccountEvent[], type: T): EventData[T] {
  const found = events.filter((e) => e.type === type);
  assert.is(found.length, 1, `one ${type} in ${events.map((e) => e.type).join(', ')}`);
  return (found[0] as PropAccountEvent).data as EventData[T];
}

test('worked example: 1 BTC long at 100,000 with 10× leverage — fee, margin, liquidation price', () => {
  const fill = only(longOneBtc, 'OrderFilled');
  // execution price: 100,000 × (1 + 0 slippage) = 100,000
  assert.is(fill.price, px('100000'));
  // notional: 1 BTC × 100,000 = 100,000 USD
  assert.is(fill.notionalMicroUsd, usd('100000'));
  // taker fee: 100,000 × 4.5 bps = 100,000 × 0.00045 = 45 USD
  assert.is(fill.feeMicroUsd, usd('45'));
  const v = fill.valuation;
  // cash: 20,000 − 45 = 19,955; unrealized at the fill's mark (100,000): 0; equity 19,955
  assert.is(v.cashMicroUsd, usd('19955'));
  assert.is(v.equityMicroUsd, usd('19955'));
  // initial margin: 100,000 / 10 = 10,000; maintenance: 100,000 / (2 × 50) = 1,000
  assert.is(v.marginUsedMicroUsd, usd('10000'));
  assert.is(v.maintenanceMarginMicroUsd, usd('1000'));
  // liquidation price p solves 19,955 + (p − 100,000) = p / 100:
  //   p × (1 − 1/100) = 100,000 − 19,955  →  p = 80,045 × 100 / 99 = 80,853.535353…, rounded up to 1e-8
  assert.is(v.positions[0]?.liquidationPrice, px('80853.53535354'));
});

test('worked example: the long after a move to 105,000, then closed there', () => {
  const marked = only(decide(afterLong, { type: 'MarkToMarket', quotes: btcAt('105000', T0 + 60_000), at: T0 + 60_000 }), 'AccountMarked');
  // unrealized: 1 × (105,000 − 100,000) = 5,000; equity: 19,955 + 5,000 = 24,955
  assert.is(marked.valuation.unrealizedPnlMicroUsd, usd('5000'));
  assert.is(marked.valuation.equityMicroUsd, usd('24955'));
  const close = only(decide(afterLong, action({ action: 'close', size: null, leverage: null, quotes: btcAt('105000') })), 'OrderFilled');
  // fee: 105,000 × 0.00045 = 47.25; realized 5,000; cash: 19,955 + 5,000 − 47.25 = 24,907.75
  assert.is(close.size, -sz('1'));
  assert.is(close.feeMicroUsd, usd('47.25'));
  assert.is(close.realizedPnlMicroUsd, usd('5000'));
  assert.is(close.valuation.cashMicroUsd, usd('24907.75'));
  assert.equal(close.valuation.positions, []);
});

test('worked example: slippage of 5 bps moves a buy up and a sell down', () => {
  const withSlippage = decide([], openCommand({ ...exampleRules, slippagePpm: 500 }, usd('20000')));
  const buy = only(decide(withSlippage, action({ quotes: btcAt('100000') })), 'OrderFilled');
  // 100,000 × 1.0005 = 100,050; fee 100,050 × 0.00045 = 45.0225
  assert.is(buy.price, px('100050'));
  assert.is(buy.feeMicroUsd, usd('45.0225'));
  const short = only(decide(withSlippage, action({ side: 'short', quotes: btcAt('100000') })), 'OrderFilled');
  // 100,000 × 0.9995 = 99,950
  assert.is(short.price, px('99950'));
  assert.is(short.size, -sz('1'));
});

test('worked example: liquidation just below the liquidation price, not just above it', () => {
  // at 80,854: equity 19,955 − 19,146 = 809 ≥ maintenance 80,854 / 100 = 808.54 → no liquidation
  const above = decide(afterLong, { type: 'MarkToMarket', quotes: btcAt('80854'), at: T0 });
  assert.equal(
    above.map((e) => e.type),
    ['AccountMarked'],
  );
  // at 80,853: equity 19,955 − 19,147 = 808 < maintenance 808.53 → liquidated, the long closed at 80,853
  const below = decide(afterLong, { type: 'MarkToMarket', quotes: btcAt('80853'), at: T0 });
  const liq = only(below, 'AccountLiquidated');
  assert.is(liq.equityMicroUsd, usd('808'));
  assert.is(liq.maintenanceMarginMicroUsd, usd('808.53'));
  assert.equal(liq.closes, [
    { asset: 'BTC', size: -sz('1'), entryPrice: px('100000'), price: px('80853'), realizedPnlMicroUsd: usd('-19147') },
  ]);
  assert.is(liq.valuation.cashMicroUsd, usd('808'));
  const state = fold(propAccountDecider, [...afterLong, ...below]);
  assert.is(state.status, 'liquidated');
  assert.equal(state.positions, {});
  // a liquidated account refuses further actions, as a recorded rejection
  spec
    .given([...afterLong, ...below])
    .when(action({ orderId: 'o2', quotes: btcAt('80853') }))
    .thenEmits([
      {
        type: 'ActionRejected',
        data: {
          accountId: 'a1',
          orderId: 'o2',
          decisionRunId: 'run-1',
          asset: 'BTC',
          action: 'open',
          side: 'long',
          reasonCode: 'account_liquidated',
          figures: { status: 'liquidated' },
          at: T0,
        },
      },
    ]);
});

test('worked example: hourly funding — longs pay when the rate is positive', () => {
  const hour = T0;
  const paid = only(
    decide(afterLong, { type: 'ApplyFunding', hour, rates: { BTC: rate('0.0000125') }, quotes: btcAt('100000'), at: hour }),
    'FundingApplied',
  );
  // 1 BTC × 100,000 × 0.0000125 = 1.25 USD, paid by the long
  assert.is(paid.totalMicroUsd, -usd('1.25'));
  assert.is(paid.valuation.cashMicroUsd, usd('19953.75'));
  // the same hour again is refused; a short receives at the same rate
  spec
    .given([...afterLong, { type: 'FundingApplied', data: paid }])
    .when({ type: 'ApplyFunding', hour, rates: {}, quotes: {}, at: hour })
    .thenThrows('funding_already_applied');
  const shortAcc = [...opened, ...decide(opened, action({ side: 'short', quotes: btcAt('100000') }))];
  const received = only(
    decide(shortAcc, { type: 'ApplyFunding', hour, rates: { BTC: rate('0.0000125') }, quotes: btcAt('100000'), at: hour }),
    'FundingApplied',
  );
  assert.is(received.totalMicroUsd, usd('1.25'));
});

const rejection = (given: readonly PropAccountEvent[], command: Parameters<typeof propAccountDecider.decide>[0]) =>
  only(decide(given, command), 'ActionRejected');

test('gates: each refusal is an ActionRejected with its reason code and figures', () => {
  const cases: [string, Parameters<typeof propAccountDecider.decide>[0], readonly PropAccountEvent[], Record<string, string>?][] = [
    ['unknown_asset', action({ asset: 'DOGE', assetInfo: null, quotes: {} }), opened, { asset: 'DOGE' }],
    ['asset_disabled', action({ assetInfo: { ...BTC, enabled: false }, quotes: btcAt('100000') }), opened],
    ['no_price', action({ quotes: {} }), opened, { asset: 'BTC' }],
    [
      'stale_price',
      action({ quotes: btcAt('100000', T0 - 120_001) }),
      opened,
      { asset: 'BTC', priceTime: String(T0 - 120_001), ageMs: '120001', maxAgeMs: '120000' },
    ],
    [
      'leverage_over_cap',
      action({ leverage: 21, quotes: btcAt('100000') }),
      opened,
      { leverage: '21', cap: '20', assetMaxLeverage: '50', ruleMaxLeverage: '20' },
    ],
    ['size_rounds_to_zero', action({ size: sz('0.000009'), quotes: btcAt('100000') }), opened],
    [
      'below_min_notional',
      action({ size: sz('0.00009'), quotes: btcAt('100000') }),
      opened,
      { notional: usd('9').toString(), minNotional: usd('10').toString() },
    ],
    [
      'max_position_notional',
      action({ size: sz('11'), quotes: btcAt('100000') }),
      opened,
      { positionNotional: usd('1100000').toString(), limit: usd('1000000').toString() },
    ],
    ['insufficient_margin', action({ size: sz('2'), quotes: btcAt('100000') }), opened],
    ['position_exists', action({ quotes: btcAt('100000') }), afterLong],
    ['no_position', action({ action: 'reduce', quotes: btcAt('100000') }), opened],
    ['side_mismatch', action({ action: 'increase', side: 'short', quotes: btcAt('100000') }), afterLong],
    ['reduce_only_would_increase', action({ reduceOnly: true, quotes: btcAt('100000') }), opened],
  ];
  for (const [code, command, given, figures] of cases) {
    const r = rejection(given, command);
    assert.is(r.reasonCode, code);
    if (figures) assert.equal(r.figures, figures, code);
  }
  const frozen: PropAccountEvent[] = [...opened, { type: 'AccountFrozen', data: { accountId: 'a1', reason: 'review', at: T0 } }];
  assert.is(rejection(frozen, action({ quotes: btcAt('100000') })).reasonCode, 'account_frozen');
});

test('daily loss and max drawdown gates refuse added exposure but allow reducing', () => {
  // the long marked down 1,500 → equity 19,955 − 1,500 = 18,455; the day started at the opening (20,000)
  const down = [...afterLong, ...decide(afterLong, { type: 'MarkToMarket', quotes: btcAt('98500'), at: T0 })];
  // loss 20,000 − 18,455 = 1,545 ≥ 5% × 20,000 = 1,000 → daily loss limit
  const r = rejection(
    down,
    action({ asset: 'ETH', assetInfo: { ...BTC, name: 'ETH' }, quotes: { ...btcAt('98500'), ETH: { price: px('2000'), time: T0 } } }),
  );
  assert.is(r.reasonCode, 'daily_loss_limit');
  assert.equal(r.figures, {
    startOfDayEquity: usd('20000').toString(),
    equity: usd('18455').toString(),
    loss: usd('1545').toString(),
    limit: usd('1000').toString(),
  });
  // reducing is still allowed
  assert.is(
    decide(down, action({ action: 'reduce', size: sz('0.5'), leverage: null, quotes: btcAt('98500') })).at(-1)?.type,
    'OrderFilled',
  );
  // next UTC day: the day starts at 18,455, so the daily gate clears; the drawdown (1,545 < 2,000) too
  const nextDay = T0 + 86_400_000;
  const events = decide(down, action({ action: 'increase', size: sz('0.01'), quotes: btcAt('98500', nextDay), at: nextDay }));
  assert.equal(
    events.map((e) => e.type),
    ['TradingDayStarted', 'OrderFilled'],
  );
  assert.is(only(events, 'TradingDayStarted').startOfDayEquityMicroUsd, usd('18455'));
  // at 97,000 the drawdown is 20,000 − 16,955 = 3,045 ≥ 10% × 20,000 → max drawdown (on a fresh day)
  const deeper = decide(down, action({ action: 'increase', size: sz('0.01'), quotes: btcAt('97000', nextDay), at: nextDay }));
  assert.is(only(deeper, 'ActionRejected').reasonCode, 'max_drawdown');
});

test('refusals that leave no trace throw: unknown account, double open, bad admin transitions', () => {
  spec
    .given([])
    .when(action({ quotes: btcAt('1') }))
    .thenThrows('account_not_found');
  spec.given(opened).when(openCommand()).thenThrows('account_exists');
  spec.given(opened).when({ type: 'UnfreezeAccount', reason: 'x', at: T0 }).thenThrows('account_not_frozen');
  spec.given(afterLong).when({ type: 'MarkToMarket', quotes: {}, at: T0 }).thenThrows('no_price');
  spec
    .given(opened)
    .when(action({ leverage: null, quotes: btcAt('100000') }))
    .thenThrows('leverage_required');
});

test('notional orders are sized at the execution price and cut to the asset lot', () => {
  // 1,234.56 USD at 100,000 = 0.0123456 BTC, cut to 5 decimals = 0.01234
  const fill = only(decide(opened, action({ size: null, notionalMicroUsd: usd('1234.56'), quotes: btcAt('100000') })), 'OrderFilled');
  assert.is(fill.size, sz('0.01234'));
  assert.is(fill.notionalMicroUsd, usd('1234'));
});

test('admin close and finalize close positions at mark and record the result', () => {
  const closed = decide(afterLong, { type: 'CloseAccount', reason: 'breach', quotes: btcAt('101000'), at: T0 });
  const c = only(closed, 'AccountClosed');
  assert.is(c.closes[0]?.realizedPnlMicroUsd, usd('1000'));
  const fin = only(decide([...afterLong, ...closed], { type: 'FinalizeAccount', quotes: {}, at: T0 }), 'PropAccountFinalized');
  // final 19,955 + 1,000 = 20,955: return 955 / 20,000 = 4.775% = 47,750 ppm
  assert.equal(fin.result, {
    startingEquityMicroUsd: usd('20000'),
    finalEquityMicroUsd: usd('20955'),
    returnPpm: 47_750n,
    maxDrawdownMicroUsd: usd('45'),
    maxDrawdownPpm: 2_250n,
    trades: 2,
    realizedPnlMicroUsd: usd('1000'),
    feesMicroUsd: usd('45'),
    fundingMicroUsd: 0n,
  });
  spec
    .given([...afterLong, ...closed, { type: 'PropAccountFinalized', data: fin }])
    .when({ type: 'FinalizeAccount', quotes: {}, at: T0 })
    .thenThrows('account_finalized');
});

test('the decider is pure: deciding never reads the clock or randomness', () => {
  const saved = { now: Date.now, random: Math.random };
  Date.now = () => {
    throw new Error('decider read the clock');
  };
  Math.random = () => {
    throw new Error('decider read randomness');
  };
  try {
    const commands = [
      action({ quotes: btcAt('100000'), at: T0 + 86_400_000 }),
      { type: 'MarkToMarket', quotes: btcAt('80000'), at: T0 } as const,
      { type: 'FinalizeAccount', quotes: btcAt('90000'), at: T0 } as const,
    ];
    for (const c of commands) assert.equal(decide(afterLong, c), decide(afterLong, c));
  } finally {
    Date.now = saved.now;
    Math.random = saved.random;
  }
});

test.run();
