/**
 * Deciding a submitted trading action: every safety gate in order, then the market fill. A
 * refused action is an ActionRejected event with a reason code and the figures that tripped
 * it; it changes no balance. Gates, in order:
 *   account_frozen | account_closed | account_liquidated | account_finalized,
 *   unknown_asset, asset_disabled, no_price, stale_price,
 *   position_exists, no_position, side_mismatch, reduce_only_would_increase,
 *   leverage_over_cap, invalid_exit_plan, size_rounds_to_zero, below_min_notional,
 *   daily_loss_limit, max_drawdown, max_position_notional, insufficient_margin.
 * The risk gates (from leverage on, except size) apply only to actions that add exposure
 * (open, increase); reducing and closing are always allowed on an active account.
 * A fill that opens or increases with an exit plan places its protective orders (replacing the
 * asset's earlier ones); a fill that leaves the asset flat cancels them (`protective-orders.ts`).
 */
import { DomainError } from '../../core/errors.ts';
import { absBigint, minBigint } from '../../core/money.ts';
import type { SubmitAction } from './commands.ts';
import type { PropAccountEvent, Valuation } from './events.ts';
import { averageEntry, executionPrice, fee, notional, pnl, roundToLot, share, sizeForNotional } from './figures.ts';
import { cancelOrders, exitPlanProblem, placeExitPlan } from './protective-orders.ts';
import { marksOf, quoteProblem } from './quotes.ts';
import type { Rules } from './rules.ts';
import { type Position, type PropAccountState, valuationOf } from './state.ts';
import { dayStart } from './trading-day.ts';

type Figures = Record<string, string | number | bigint | null>;

const text = (figures: Figures): Record<string, string> => Object.fromEntries(Object.entries(figures).map(([k, v]) => [k, String(v)]));

export function decideSubmitAction(cmd: SubmitAction, state: PropAccountState, rules: Rules): PropAccountEvent[] {
  const prefix: PropAccountEvent[] = [];
  // What a fill and a rejection both say about the order.
  const order = {
    accountId: state.accountId,
    orderId: cmd.orderId,
    decisionRunId: cmd.decisionRunId,
    asset: cmd.asset,
    action: cmd.action,
    side: cmd.side,
  };
  const reject = (reasonCode: string, figures: Figures): PropAccountEvent[] => [
    ...prefix,
    {
      type: 'ActionRejected',
      data: {
        ...order,
        reasonCode,
        figures: text(figures),
        at: cmd.at,
      },
    },
  ];
  if (state.status !== 'active') return reject(`account_${state.status}`, { status: state.status });
  const info = cmd.assetInfo;
  if (!info) return reject('unknown_asset', { asset: cmd.asset });
  if (!info.enabled) return reject('asset_disabled', { asset: cmd.asset });
  const valued = [
    cmd.asset,
    ...Object.keys(state.positions)
      .filter((a) => a !== cmd.asset)
      .sort(),
  ];
  const stale = quoteProblem(cmd.quotes, valued, cmd.at, rules.maxPriceAgeMs);
  if (stale) return reject(stale.code, stale.figures);

  const marks = marksOf(cmd.quotes);
  const before = valuationOf(state, marks);
  const day = dayStart(state, before, cmd.at);
  prefix.push(...day.events);

  const position = state.positions[cmd.asset];
  const sign = cmd.side === 'long' ? 1n : -1n;
  const adding = cmd.action === 'open' || cmd.action === 'increase';
  if (cmd.action === 'open' && position) return reject('position_exists', { asset: cmd.asset, size: position.size });
  if (cmd.action !== 'open' && !position) return reject('no_position', { asset: cmd.asset });
  if (position && (position.size > 0n ? 1n : -1n) !== sign) return reject('side_mismatch', { side: cmd.side, size: position.size });
  if (adding && cmd.reduceOnly) return reject('reduce_only_would_increase', { action: cmd.action });

  let leverage = position?.leverage ?? 1;
  if (adding) {
    if (cmd.leverage === null) throw new DomainError('leverage_required', 'invalid', 'leverage is required to open or increase');
    const cap = Math.min(info.maxLeverage, rules.maxLeverage);
    if (cmd.leverage > cap) {
      return reject('leverage_over_cap', {
        leverage: cmd.leverage,
        cap,
        assetMaxLeverage: info.maxLeverage,
        ruleMaxLeverage: rules.maxLeverage,
      });
    }
    leverage = cmd.leverage;
  }

  const quote = cmd.quotes[cmd.asset]?.price ?? 0n;
  if (adding && cmd.exitPlan) {
    const problem = exitPlanProblem(cmd.exitPlan, cmd.side, quote, info.szDecimals);
    if (problem) return reject('invalid_exit_plan', problem);
  }
  const direction = sign > 0n === adding ? 'buy' : 'sell';
  const price = executionPrice(quote, direction, rules.slippagePpm, info.szDecimals);
  const held = absBigint(position?.size ?? 0n);
  const requested = cmd.action === 'close' ? held : (cmd.size ?? sizeForNotional(cmd.notionalMicroUsd ?? 0n, price));
  const lots = roundToLot(requested, info.szDecimals);
  const qty = adding ? lots : minBigint(lots, held);
  if (qty <= 0n) return reject('size_rounds_to_zero', { requestedSize: requested, szDecimals: info.szDecimals, price });
  const orderNotional = notional(qty, price);

  const delta = direction === 'buy' ? qty : -qty;
  const sizeAfter = (position?.size ?? 0n) + delta;
  const after: Position = adding
    ? {
        size: sizeAfter,
        entryPrice: position ? averageEntry(position.size, position.entryPrice, delta, price) : price,
        leverage,
        assetMaxLeverage: info.maxLeverage,
      }
    : { ...(position as Position), size: sizeAfter };
  const realized = adding ? 0n : pnl(-delta, (position as Position).entryPrice, price);
  const feeMicroUsd = fee(qty, price, rules.takerFeePpm);
  const positions = { ...state.positions, [cmd.asset]: after };
  if (sizeAfter === 0n) delete positions[cmd.asset];
  const valuation = valuationOf(state, marks, positions, state.cash + realized - feeMicroUsd);

  if (adding) {
    const gate = riskGate(rules, state, before, day.startOfDayEquity, orderNotional, notional(sizeAfter, price), valuation);
    if (gate) return reject(gate.code, gate.figures);
  }
  return [
    ...prefix,
    {
      type: 'OrderFilled',
      data: {
        ...order,
        reduceOnly: cmd.reduceOnly,
        leverage,
        size: delta,
        quotePrice: quote,
        quoteTime: cmd.quotes[cmd.asset]?.time ?? cmd.at,
        price,
        notionalMicroUsd: orderNotional,
        liquidity: 'taker',
        feeMicroUsd,
        realizedPnlMicroUsd: realized,
        positionAfter: after,
        valuation,
        at: cmd.at,
      },
    },
    ...(adding && cmd.exitPlan ? placeExitPlan(state, cmd, cmd.exitPlan, info.szDecimals) : []),
    ...(sizeAfter === 0n ? cancelOrders(state, (o) => o.asset === cmd.asset, 'position_closed', cmd.at) : []),
  ];
}

/** The gates on added exposure, after the fill is priced: the first that trips, if any. */
function riskGate(
  rules: Rules,
  state: PropAccountState,
  before: Valuation,
  startOfDayEquity: bigint,
  orderNotional: bigint,
  positionNotional: bigint,
  after: Valuation,
): { code: string; figures: Record<string, string> } | undefined {
  if (orderNotional < rules.minOrderNotionalMicroUsd) {
    return { code: 'below_min_notional', figures: text({ notional: orderNotional, minNotional: rules.minOrderNotionalMicroUsd }) };
  }
  const dayLoss = startOfDayEquity - before.equityMicroUsd;
  const dayLimit = share(startOfDayEquity, rules.dailyLossPpm);
  if (dayLoss >= dayLimit) {
    return {
      code: 'daily_loss_limit',
      figures: text({ startOfDayEquity, equity: before.equityMicroUsd, loss: dayLoss, limit: dayLimit }),
    };
  }
  const drawdownLimit = share(state.startingEquity, rules.maxDrawdownPpm);
  if (before.drawdownMicroUsd >= drawdownLimit) {
    return {
      code: 'max_drawdown',
      figures: text({
        startingEquity: state.startingEquity,
        equity: before.equityMicroUsd,
        drawdown: before.drawdownMicroUsd,
        limit: drawdownLimit,
      }),
    };
  }
  if (positionNotional > rules.maxPositionNotionalMicroUsd) {
    return { code: 'max_position_notional', figures: text({ positionNotional, limit: rules.maxPositionNotionalMicroUsd }) };
  }
  if (after.equityMicroUsd < after.marginUsedMicroUsd) {
    return {
      code: 'insufficient_margin',
      figures: text({ equityAfter: after.equityMicroUsd, marginRequired: after.marginUsedMicroUsd, cashAfter: after.cashMicroUsd }),
    };
  }
  return undefined;
}
