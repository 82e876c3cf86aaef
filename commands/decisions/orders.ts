/**
 * The order of a validated trading action (issue 13 "The action contract"): the one builder the
 * live decision runtime (`server/decisions.ts`, through `PropTrading.submitAction`) and the
 * backtest replay (`commands/backtests/replay.ts`, on its own account) both use. The run id is
 * the order's `decisionRunId` (its idempotency key); an open's or increase's leverage and exit
 * plan go with it (Prop Trading places the plan as take-profit and stop-loss protective orders);
 * a close names no amount. The result is Prop Trading's action input, validated there by
 * `zActionInput` (`commands/prop-trading/action-command.ts`).
 */
import type { TradingAction } from '../ai-trading/action.ts';
import type { ActionInput } from '../prop-trading/inputs.ts';

/** An action that sends an order (every kind but `hold`). */
export type OrderAction = Exclude<TradingAction, { action: 'hold' }>;

/** Prop Trading's input for `action` of run `runId`: notional in decimal USD, leverage and exit plan for open/increase. */
export function orderInputOf(runId: string, action: OrderAction): ActionInput {
  const amount = action.action === 'close' ? {} : { notionalUsd: action.notionalUsd };
  const adding = action.action === 'open' || action.action === 'increase' ? { leverage: action.leverage, exitPlan: action.exitPlan } : {};
  return { decisionRunId: runId, asset: action.asset, action: action.action, side: action.side, ...amount, ...adding };
}
