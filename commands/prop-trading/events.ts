/**
 * The events of a prop account stream (`prop-account-<id>`). Money is micro-USD, prices and
 * sizes are PRICE/SIZE fixed point (1e-8), all as integer decimal strings on disk. Events that
 * move value carry the account's valuation after them, so read models need no prices.
 */
import { z } from 'zod';
import { defineEvent, type EventOf } from '../../core/event-registry.ts';
import { zAmount, zNonNegativeAmount } from '../../core/money.ts';
import { zRules } from './rules.ts';
import { valuationFrom } from './valuation.ts';

const id = z.string().min(1).max(200);
const at = z.number().int();
export const zPurpose = z.enum(['sandbox', 'audition', 'race', 'backtest']);
export const zActionKind = z.enum(['open', 'increase', 'reduce', 'close']);
export const zSide = z.enum(['long', 'short']);
/** A protective order's kind: the take-profit or the stop-loss of an exit plan. */
export const zProtectiveKind = z.enum(['take_profit', 'stop_loss']);
/** Why a protective order stopped resting without filling (doc/prop-trading.md, "Protective orders"). */
export const zCancelReason = z.enum(['replaced', 'position_closed', 'liquidated', 'account_closed', 'account_finalized']);
/** The longest invalidation note an exit plan may carry (the action contract's bound, `commands/ai-trading/action.ts`). */
export const MAX_INVALIDATION_CHARS = 300;

export const zPositionFigures = z
  .object({
    asset: id,
    /** Signed: positive long, negative short. */
    size: zAmount,
    entryPrice: zNonNegativeAmount,
    markPrice: zNonNegativeAmount,
    leverage: z.number().int().min(1),
    assetMaxLeverage: z.number().int().min(1),
    notionalMicroUsd: zNonNegativeAmount,
    unrealizedPnlMicroUsd: zAmount,
    marginMicroUsd: zNonNegativeAmount,
    maintenanceMarginMicroUsd: zNonNegativeAmount,
    liquidationPrice: zNonNegativeAmount.nullable(),
  })
  .strict();

/** The account at a set of marks: equity = cash + unrealized PnL. */
export const zValuation = z
  .object({
    cashMicroUsd: zAmount,
    unrealizedPnlMicroUsd: zAmount,
    equityMicroUsd: zAmount,
    marginUsedMicroUsd: zNonNegativeAmount,
    maintenanceMarginMicroUsd: zNonNegativeAmount,
    /** max(0, starting equity − equity). */
    drawdownMicroUsd: zNonNegativeAmount,
    positions: z.array(zPositionFigures),
  })
  .strict();

/** A position closed at mark by the account's end (liquidation, admin close, finalize): no fee, no slippage. */
export const zClose = z
  .object({
    asset: id,
    /** The signed size traded: the negative of the position closed. */
    size: zAmount,
    entryPrice: zNonNegativeAmount,
    price: zNonNegativeAmount,
    realizedPnlMicroUsd: zAmount,
  })
  .strict();

export const PropAccountOpened = defineEvent(
  'PropAccountOpened',
  z
    .object({
      accountId: id,
      cloneId: id,
      strategyVersionId: id,
      purpose: zPurpose,
      startingEquityMicroUsd: zNonNegativeAmount,
      rules: zRules,
      openedAt: at,
    })
    .strict(),
);

export const TradingDayStarted = defineEvent(
  'TradingDayStarted',
  z.object({ accountId: id, utcDay: z.number().int(), startOfDayEquityMicroUsd: zAmount, at }).strict(),
);

/** What a fill and a rejection both say about the order. */
const orderFields = {
  accountId: id,
  orderId: id,
  decisionRunId: id,
  asset: id,
  action: zActionKind,
  side: zSide,
};

/**
 * What a fill by a protective order says about its trigger: the order, its kind, what crossed
 * the trigger (a mark, or a final 1m candle opened at `observedAt`), the trigger price, and
 * whether the market gapped through it (then the fill is at the candle's open, not the trigger).
 */
export const zTrigger = z
  .object({
    protectiveOrderId: id,
    kind: zProtectiveKind,
    source: z.enum(['mark', 'candle_1m']),
    triggerPrice: zNonNegativeAmount,
    /** The mark's quote time, or the candle's open time (ms). */
    observedAt: at,
    gap: z.boolean(),
  })
  .strict();

/** What a fill records about itself: the order, its prices, fee, realized PnL and the position after it. */
const fillFields = {
  ...orderFields,
  reduceOnly: z.boolean(),
  leverage: z.number().int().min(1),
  /** Signed: positive buys, negative sells. */
  size: zAmount,
  quotePrice: zNonNegativeAmount,
  quoteTime: at,
  price: zNonNegativeAmount,
  notionalMicroUsd: zNonNegativeAmount,
  liquidity: z.enum(['taker', 'maker']),
  feeMicroUsd: zNonNegativeAmount,
  realizedPnlMicroUsd: zAmount,
  positionAfter: z
    .object({
      size: zAmount,
      entryPrice: zNonNegativeAmount,
      leverage: z.number().int().min(1),
      assetMaxLeverage: z.number().int().min(1),
    })
    .strict(),
  /** Only on a fill by a protective order (take-profit or stop-loss): what triggered it. */
  trigger: zTrigger.optional(),
  at,
};

/** A fill as readers see it (and as version 1 stored it): with the account's whole valuation after it. */
const zFill = z.object({ ...fillFields, valuation: zValuation }).strict();
type Fill = z.output<typeof zFill>;

/** A held position as `OrderFilled` v2 stores it: what it is and its mark; its figures are derived. */
const zHolding = zPositionFigures.pick({
  asset: true,
  size: true,
  entryPrice: true,
  markPrice: true,
  leverage: true,
  assetMaxLeverage: true,
});
const HOLDING_KEYS = ['asset', 'size', 'entryPrice', 'markPrice', 'leverage', 'assetMaxLeverage'] as const;

/**
 * `OrderFilled` v2 on disk: the valuation keeps only cash, drawdown and the *other* held
 * positions (asset, size, entry, mark, leverage, max leverage). The filled asset's position is
 * `positionAfter` at `quotePrice` (the decider marks it at its quote), and every other figure —
 * per-position notional, PnL, margins, liquidation price and the account's totals — is derived
 * on read by `valuationFrom`, the function the decider valued the account with.
 */
const zStoredFill = z
  .object({
    ...fillFields,
    valuation: z.object({ cashMicroUsd: zAmount, drawdownMicroUsd: zNonNegativeAmount, others: z.array(zHolding).max(1000) }).strict(),
  })
  .strict();
type StoredFill = z.output<typeof zStoredFill>;

/** The stored form of a fill: its valuation without what `expandFill` derives. */
function compactFill(fill: Fill): StoredFill {
  const { valuation, ...rest } = fill;
  const others = valuation.positions.filter((p) => p.asset !== fill.asset);
  const stored = {
    ...rest,
    valuation: {
      cashMicroUsd: valuation.cashMicroUsd,
      drawdownMicroUsd: valuation.drawdownMicroUsd,
      others: others.map((p) => Object.fromEntries(HOLDING_KEYS.map((k) => [k, p[k]])) as z.output<typeof zHolding>),
    },
  };
  // Only a valuation that reads back as itself may be stored compact (the decider's always does).
  const back = expandFill(stored).valuation;
  if (back.equityMicroUsd !== valuation.equityMicroUsd || back.marginUsedMicroUsd !== valuation.marginUsedMicroUsd) {
    throw new Error(`OrderFilled ${fill.orderId}: the valuation is not the one its positions give`);
  }
  return stored;
}

/** A stored fill with its whole valuation restored (see `zStoredFill`). */
function expandFill(stored: StoredFill): Fill {
  const { valuation, ...rest } = stored;
  const filled = stored.positionAfter.size === 0n ? [] : [{ asset: stored.asset, ...stored.positionAfter, markPrice: stored.quotePrice }];
  const drawdown = valuation.drawdownMicroUsd;
  return { ...rest, valuation: valuationFrom(valuation.cashMicroUsd, [...valuation.others, ...filled], () => drawdown) };
}

/**
 * Version 2 (smaller): the valuation after the fill stores only what cannot be derived (see
 * `zStoredFill`); readers still get the whole valuation. Version 1 rows are upcast by dropping
 * the derived figures (doc/prop-trading.md, "Fills on disk").
 */
export const OrderFilled = defineEvent('OrderFilled', z.codec(zStoredFill, z.custom<Fill>(), { decode: expandFill, encode: compactFill }), {
  version: 2,
  upcasters: {
    1: (data) => {
      // stored form: amounts are strings; this only picks keys
      const { valuation, ...rest } = data as Record<string, unknown> & {
        asset: string;
        valuation: Record<string, unknown> & { positions: Record<string, unknown>[] };
      };
      return {
        ...rest,
        valuation: {
          cashMicroUsd: valuation.cashMicroUsd,
          drawdownMicroUsd: valuation.drawdownMicroUsd,
          others: valuation.positions
            .filter((p) => p.asset !== rest.asset)
            .map((p) => Object.fromEntries(HOLDING_KEYS.map((k) => [k, p[k]]))),
        },
      };
    },
  },
});

export const ActionRejected = defineEvent(
  'ActionRejected',
  z
    .object({
      ...orderFields,
      reasonCode: z.string().min(1),
      /** The figures that tripped the gate, as strings (money in micro-USD, prices in 1e-8). */
      figures: z.record(z.string(), z.string()),
      at,
    })
    .strict(),
);

/**
 * A take-profit or stop-loss of an exit plan, resting on the account until a mark or a final 1m
 * candle crosses its trigger (then it fills the whole position at the trigger price), a later
 * exit plan replaces it, or the position closes (doc/prop-trading.md, "Protective orders").
 */
export const ProtectiveOrderPlaced = defineEvent(
  'ProtectiveOrderPlaced',
  z
    .object({
      accountId: id,
      protectiveOrderId: id,
      /** The decision run whose exit plan it is; its fill carries this run id. */
      decisionRunId: id,
      asset: id,
      kind: zProtectiveKind,
      /** The side of the position it protects (it closes it). */
      side: zSide,
      /** PRICE (1e-8), on a Hyperliquid tick (rounded the way its closing order would be). */
      triggerPrice: zNonNegativeAmount,
      /** The exit plan's invalidation note (kept for the record; nothing triggers on it). */
      invalidation: z.string().max(MAX_INVALIDATION_CHARS).nullable(),
      at,
    })
    .strict(),
);

/** A protective order that stopped resting without filling, with the reason. */
export const ProtectiveOrderCancelled = defineEvent(
  'ProtectiveOrderCancelled',
  z.object({ accountId: id, protectiveOrderId: id, asset: id, kind: zProtectiveKind, reason: zCancelReason, at }).strict(),
);

export const FundingApplied = defineEvent(
  'FundingApplied',
  z
    .object({
      accountId: id,
      hour: at,
      payments: z.array(z.object({ asset: id, size: zAmount, price: zNonNegativeAmount, rate: zAmount, amountMicroUsd: zAmount }).strict()),
      /** Σ payments as the account sees them (negative: the account paid). */
      totalMicroUsd: zAmount,
      valuation: zValuation,
      at,
    })
    .strict(),
);

/**
 * A position's figures at a mark. What the position is (size, entry price, leverage, the
 * asset's max leverage) is on the event that last changed it, so a mark does not repeat it.
 */
export const zMarkedPosition = zPositionFigures.pick({
  asset: true,
  markPrice: true,
  notionalMicroUsd: true,
  unrealizedPnlMicroUsd: true,
  marginMicroUsd: true,
  maintenanceMarginMicroUsd: true,
  liquidationPrice: true,
});

/** The valuation a mark records: the account's totals and each position's figures at the mark. */
export const zMarkValuation = zValuation.extend({ positions: z.array(zMarkedPosition) }).strict();

/**
 * What a mark records of a valuation: each position without size, entry and leverage. The
 * upcaster of `AccountMarked` v1 applies it to stored (string) data too: it only drops keys.
 */
export function markedValuation(valuation: Valuation): MarkValuation {
  return {
    ...valuation,
    positions: valuation.positions.map(({ size: _s, entryPrice: _e, leverage: _l, assetMaxLeverage: _m, ...figures }) => figures),
  };
}

/**
 * Version 2 (smaller): the trading day and its start-of-day equity are on `TradingDayStarted`
 * (or the opening), each position's size, entry and leverage on the event that changed it; a
 * mark records only what the mark changes. Appended only when the valuation changed since the
 * last event that recorded one (doc/prop-trading.md, "Marks"). Version 1 rows are upcast by
 * dropping the repeated fields.
 */
export const AccountMarked = defineEvent('AccountMarked', z.object({ accountId: id, valuation: zMarkValuation, at }).strict(), {
  version: 2,
  upcasters: {
    1: (data) => {
      // stored form: amounts are strings, but dropping keys does not look at them
      const {
        utcDay: _day,
        startOfDayEquityMicroUsd: _start,
        valuation,
        ...rest
      } = data as Record<string, unknown> & { valuation: Valuation };
      return { ...rest, valuation: markedValuation(valuation) };
    },
  },
});

export const AccountLiquidated = defineEvent(
  'AccountLiquidated',
  z
    .object({
      accountId: id,
      /** The figures that triggered it: equity below the maintenance requirement. */
      equityMicroUsd: zAmount,
      maintenanceMarginMicroUsd: zNonNegativeAmount,
      closes: z.array(zClose),
      valuation: zValuation,
      at,
    })
    .strict(),
);

export const AccountFrozen = defineEvent('AccountFrozen', z.object({ accountId: id, reason: z.string().min(1), at }).strict());
export const AccountUnfrozen = defineEvent('AccountUnfrozen', z.object({ accountId: id, reason: z.string().min(1), at }).strict());

export const AccountClosed = defineEvent(
  'AccountClosed',
  z.object({ accountId: id, reason: z.string().min(1), closes: z.array(zClose), valuation: zValuation, at }).strict(),
);

export const zResult = z
  .object({
    startingEquityMicroUsd: zNonNegativeAmount,
    finalEquityMicroUsd: zAmount,
    /** (final − starting) / starting in ppm, rounded down. */
    returnPpm: zAmount,
    maxDrawdownMicroUsd: zNonNegativeAmount,
    /** max drawdown / starting equity in ppm, rounded down. */
    maxDrawdownPpm: zNonNegativeAmount,
    trades: z.number().int().min(0),
    realizedPnlMicroUsd: zAmount,
    feesMicroUsd: zNonNegativeAmount,
    fundingMicroUsd: zAmount,
  })
  .strict();

export const PropAccountFinalized = defineEvent(
  'PropAccountFinalized',
  z.object({ accountId: id, closes: z.array(zClose), valuation: zValuation, result: zResult, at }).strict(),
);

export const propTradingEvents = [
  PropAccountOpened,
  TradingDayStarted,
  OrderFilled,
  ActionRejected,
  ProtectiveOrderPlaced,
  ProtectiveOrderCancelled,
  FundingApplied,
  AccountMarked,
  AccountLiquidated,
  AccountFrozen,
  AccountUnfrozen,
  AccountClosed,
  PropAccountFinalized,
];

export type PropAccountEvent =
  | EventOf<typeof PropAccountOpened>
  | EventOf<typeof TradingDayStarted>
  | EventOf<typeof OrderFilled>
  | EventOf<typeof ActionRejected>
  | EventOf<typeof ProtectiveOrderPlaced>
  | EventOf<typeof ProtectiveOrderCancelled>
  | EventOf<typeof FundingApplied>
  | EventOf<typeof AccountMarked>
  | EventOf<typeof AccountLiquidated>
  | EventOf<typeof AccountFrozen>
  | EventOf<typeof AccountUnfrozen>
  | EventOf<typeof AccountClosed>
  | EventOf<typeof PropAccountFinalized>;

export type Valuation = z.output<typeof zValuation>;
export type MarkValuation = z.output<typeof zMarkValuation>;
export type Close = z.output<typeof zClose>;
export type ActionKind = z.output<typeof zActionKind>;
export type Side = z.output<typeof zSide>;
export type ProtectiveKind = z.output<typeof zProtectiveKind>;
export type CancelReason = z.output<typeof zCancelReason>;
export type Trigger = z.output<typeof zTrigger>;
export type Purpose = z.output<typeof zPurpose>;
