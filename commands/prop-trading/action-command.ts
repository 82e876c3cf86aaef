/**
 * The one way an action becomes Prop Trading's `SubmitAction` command: the caller's input
 * validated by `zActionInput` (HTTP body, a decision run's order, a backtest's order alike), then
 * the command with the facts only the caller has — the order id, the asset's registry entry,
 * the quotes and the time. Used by `PropTrading.submitAction` (live) and by a backtest's own
 * account (`commands/backtests/sim-account.ts`), so a replayed order is checked and built exactly
 * as a live one.
 */
import type { z } from 'zod';
import type { AssetInfo } from '../../adapters/market/price-source.ts';
import { ValidationError } from '../../core/errors.ts';
import { issuesOf } from '../../core/event-registry.ts';
import type { Quotes, SubmitAction } from './commands.ts';
import { type ActionInput, zActionInput } from './inputs.ts';

/** A validated action input: amounts and prices parsed to fixed point (micro-USD, SIZE and PRICE 1e-8). */
export type ParsedActionInput = z.output<typeof zActionInput>;

/** What the caller adds to a validated input: ids, the registry entry, quotes (PRICE) and the time (ms). */
export interface ActionFacts {
  readonly orderId: string;
  /** The registry's entry for the asset, null when it is unknown. */
  readonly assetInfo: (asset: string) => AssetInfo | null;
  readonly quotes: Quotes;
  readonly at: number;
}

/**
 * `input` validated and built into a `SubmitAction` command; returns the parsed input too (the
 * idempotency payload). Errors: `ValidationError` (400) naming the field when the input breaks
 * `zActionInput` (both or neither of size and notional, a missing leverage, an exit plan on a
 * reduce, a trigger price of zero, …).
 */
export function actionCommand(input: ActionInput, facts: ActionFacts): { input: ParsedActionInput; command: SubmitAction } {
  const result = zActionInput.safeParse(input);
  if (!result.success) throw new ValidationError('action', issuesOf(result.error));
  const a = result.data;
  const command: SubmitAction = {
    type: 'SubmitAction',
    orderId: facts.orderId,
    decisionRunId: a.decisionRunId,
    asset: a.asset,
    assetInfo: facts.assetInfo(a.asset),
    action: a.action,
    side: a.side,
    size: a.size ?? null,
    notionalMicroUsd: a.notionalUsd ?? null,
    leverage: a.leverage ?? null,
    reduceOnly: a.reduceOnly,
    ...(a.exitPlan
      ? {
          exitPlan: {
            takeProfitPrice: a.exitPlan.takeProfitPrice ?? null,
            stopLossPrice: a.exitPlan.stopLossPrice ?? null,
            invalidation: a.exitPlan.invalidation ?? null,
          },
        }
      : {}),
    quotes: facts.quotes,
    at: facts.at,
  };
  return { input: a, command };
}
