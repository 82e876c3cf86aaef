/**
 * Protective orders: an exit plan's take-profit and stop-loss, resting on the account (issue 13,
 * "Exit plans are enforced, not only described"; doc/prop-trading.md, "Protective orders").
 *
 * - Placed when an open or increase carrying an exit plan fills, each trigger rounded to a
 *   Hyperliquid perp price (5 significant figures, at most 6 − szDecimals decimals) the way its
 *   closing order would be: down for a long's (a sell), up for a short's (a buy). They replace
 *   the asset's earlier ones (`replaced`).
 * - A long's take-profit is reached at a price ≥ its trigger, its stop-loss at ≤; a short's the
 *   other way round. Reached, an order closes the whole position at the trigger price, taker fee,
 *   no slippage — except when a final 1m candle *opens* beyond the trigger (a gap): the market
 *   never traded at the trigger, so it fills at the open. A fill price is always inside the
 *   candle's [low, high]. When one candle reaches both orders inside the minute, the stop-loss
 *   fills (the conservative reading: the path within the minute is unknown).
 * - The position's other order is cancelled with it (`position_closed`), as on any close.
 * Pure: prices, times and candles come in with the command.
 */
import type { CandleBar } from '../../adapters/market/price-source.ts';
import type { ExitPlan, Quote, SubmitAction } from './commands.ts';
import type { CancelReason, PropAccountEvent, ProtectiveKind, Side } from './events.ts';
import { fee, hyperliquidPrice, notional, pnl } from './figures.ts';
import type { Rules } from './rules.ts';
import { type Marks, type Position, type PropAccountState, type ProtectiveOrder, valuationOf } from './state.ts';

/** Where a trigger was reached, and the price the order fills at (PRICE, 1e-8). */
export interface Hit {
  readonly order: ProtectiveOrder;
  readonly price: bigint;
  readonly source: 'mark' | 'candle_1m';
  /** The mark's quote time or the candle's open time (ms). */
  readonly observedAt: number;
  readonly gap: boolean;
}

/** A trigger price (PRICE) on a Hyperliquid tick, rounded as the order closing a `side` position would be. */
export function triggerPrice(price: bigint, side: Side, szDecimals: number): bigint {
  return hyperliquidPrice(price, side === 'long' ? 'sell' : 'buy', szDecimals);
}

/** True when the order triggers at prices at or above its trigger (a long's take-profit, a short's stop-loss). */
function triggersUpward(order: { readonly side: Side; readonly kind: ProtectiveKind }): boolean {
  return (order.side === 'long') === (order.kind === 'take_profit');
}

/** Whether `price` reaches the order's trigger. */
export function reaches(order: ProtectiveOrder, price: bigint): boolean {
  return triggersUpward(order) ? price >= order.triggerPrice : price <= order.triggerPrice;
}

/** The stop-loss when there is one among `orders`, else the first (the conservative pick). */
function stopFirst(orders: readonly ProtectiveOrder[]): ProtectiveOrder | undefined {
  return orders.find((o) => o.kind === 'stop_loss') ?? orders[0];
}

/** The resting orders of `asset` placed at or before `time`, by id. */
function resting(state: PropAccountState, asset: string, time: number): ProtectiveOrder[] {
  return Object.values(state.protective)
    .filter((o) => o.asset === asset && o.placedAt <= time && state.positions[asset] !== undefined)
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * The order a final 1m candle fills, if any: one the open already reaches fills at the open (a
 * gap, unless the open is the trigger itself); otherwise one whose trigger lies within the
 * candle's range fills at its trigger, the stop-loss first when both do. Orders placed after the
 * candle opened are not checked against it.
 */
export function candleHit(state: PropAccountState, candle: CandleBar): Hit | undefined {
  const orders = resting(state, candle.asset, candle.openTime);
  const base = { source: 'candle_1m' as const, observedAt: candle.openTime };
  const atOpen = stopFirst(orders.filter((o) => reaches(o, candle.open)));
  if (atOpen) return { ...base, order: atOpen, price: candle.open, gap: candle.open !== atOpen.triggerPrice };
  const within = stopFirst(orders.filter((o) => reaches(o, triggersUpward(o) ? candle.high : candle.low)));
  return within && { ...base, order: within, price: within.triggerPrice, gap: false };
}

/** The order a mark of `asset` fills, if any: at its trigger price (a mark is one observation; no gap is assumed). */
export function markHit(state: PropAccountState, asset: string, quote: Quote): Hit | undefined {
  const order = stopFirst(resting(state, asset, quote.time).filter((o) => reaches(o, quote.price)));
  return order && { order, price: order.triggerPrice, source: 'mark', observedAt: quote.time, gap: false };
}

/** `ProtectiveOrderCancelled` for each resting order `which` selects, by id. */
export function cancelOrders(
  state: PropAccountState,
  which: (order: ProtectiveOrder) => boolean,
  reason: CancelReason,
  at: number,
): PropAccountEvent[] {
  return Object.values(state.protective)
    .filter(which)
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map((o) => ({
      type: 'ProtectiveOrderCancelled',
      data: { accountId: state.accountId, protectiveOrderId: o.id, asset: o.asset, kind: o.kind, reason, at },
    }));
}

/**
 * The fill of a reached protective order: the whole position closed at `hit.price` with the
 * taker fee (no slippage), the account valued at `marks` for the positions it keeps, then the
 * position's other orders cancelled. The fill's order id is the protective order's.
 */
export function triggerFill(state: PropAccountState, hit: Hit, marks: Marks, rules: Rules, at: number): PropAccountEvent[] {
  const { order, price } = hit;
  const position = state.positions[order.asset] as Position;
  const size = -position.size;
  const realized = pnl(position.size, position.entryPrice, price);
  const feeMicroUsd = fee(size, price, rules.takerFeePpm);
  const positions = { ...state.positions };
  delete positions[order.asset];
  return [
    {
      type: 'OrderFilled',
      data: {
        accountId: state.accountId,
        orderId: order.id,
        decisionRunId: order.decisionRunId,
        asset: order.asset,
        action: 'close',
        side: order.side,
        reduceOnly: true,
        leverage: position.leverage,
        size,
        quotePrice: price,
        quoteTime: hit.observedAt,
        price,
        notionalMicroUsd: notional(size, price),
        liquidity: 'taker',
        feeMicroUsd,
        realizedPnlMicroUsd: realized,
        positionAfter: { ...position, size: 0n },
        trigger: {
          protectiveOrderId: order.id,
          kind: order.kind,
          source: hit.source,
          triggerPrice: order.triggerPrice,
          observedAt: hit.observedAt,
          gap: hit.gap,
        },
        valuation: valuationOf(state, marks, positions, state.cash + realized - feeMicroUsd),
        at,
      },
    },
    ...cancelOrders(state, (o) => o.asset === order.asset && o.id !== order.id, 'position_closed', at),
  ];
}

/** The plan's trigger prices on ticks, by kind (absent kinds left out). */
function planTriggers(plan: ExitPlan, side: Side, szDecimals: number): { kind: ProtectiveKind; price: bigint }[] {
  const kinds: [ProtectiveKind, bigint | null][] = [
    ['take_profit', plan.takeProfitPrice],
    ['stop_loss', plan.stopLossPrice],
  ];
  return kinds.flatMap(([kind, p]) => (p === null ? [] : [{ kind, price: triggerPrice(p, side, szDecimals) }]));
}

/**
 * The figures of an exit plan that the quote already reaches (an order that would fill at once),
 * or undefined when it is sound: a long's stop-loss below the quote and take-profit above it, a
 * short's the other way round (rejection `invalid_exit_plan`).
 */
export function exitPlanProblem(plan: ExitPlan, side: Side, quote: bigint, szDecimals: number): Record<string, string> | undefined {
  const triggers = planTriggers(plan, side, szDecimals);
  const bad = triggers.some(({ kind, price }) => (triggersUpward({ side, kind }) ? price <= quote : price >= quote));
  if (!bad) return undefined;
  const figures: Record<string, string> = { side, quotePrice: String(quote) };
  for (const { kind, price } of triggers) figures[kind === 'take_profit' ? 'takeProfitPrice' : 'stopLossPrice'] = String(price);
  return figures;
}

/**
 * After an open or increase with an exit plan filled: the asset's resting orders cancelled
 * (`replaced`) and the plan's placed, ids `<orderId>:tp` and `<orderId>:sl`.
 */
export function placeExitPlan(state: PropAccountState, cmd: SubmitAction, plan: ExitPlan, szDecimals: number): PropAccountEvent[] {
  const placed: PropAccountEvent[] = planTriggers(plan, cmd.side, szDecimals).map(({ kind, price }) => ({
    type: 'ProtectiveOrderPlaced',
    data: {
      accountId: state.accountId,
      protectiveOrderId: `${cmd.orderId}:${kind === 'take_profit' ? 'tp' : 'sl'}`,
      decisionRunId: cmd.decisionRunId,
      asset: cmd.asset,
      kind,
      side: cmd.side,
      triggerPrice: price,
      invalidation: plan.invalidation,
      at: cmd.at,
    },
  }));
  return [...cancelOrders(state, (o) => o.asset === cmd.asset, 'replaced', cmd.at), ...placed];
}
