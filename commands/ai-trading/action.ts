/**
 * The output contract of a decision run: the one action a model (or a built-in engine) may
 * answer for the run's asset. Defined here so the prompt can state it (prompt template v1) and
 * the decision runtime (`commands/decisions/reply.ts`) validates replies with the same schema
 * (issue 12; issue 13 "The action contract"; seed `002_…` "Trading Execution Format" (D)). Strict:
 * unknown fields are refused, every number and string is bounded, amounts and prices are
 * decimal strings (never floats): `notionalUsd` in USD with at most 6 decimals (micro-USD),
 * prices in USD with at most 8 decimals. Prop Trading's gates still decide whether it executes.
 *
 * Shapes (one JSON object):
 * - `{"action":"hold","asset","confidence","reason"}`
 * - `{"action":"open"|"increase","asset","side","notionalUsd","leverage","confidence","exitPlan","reason"}`
 * - `{"action":"reduce","asset","side","notionalUsd","confidence","reason"}`
 * - `{"action":"close","asset","side","confidence","reason"}`
 * with `exitPlan = {"takeProfitPrice","stopLossPrice","invalidation"}`.
 */
import { z } from 'zod';

/** Upper bounds of the contract (characters, decimals, leverage). */
export const ACTION_LIMITS = { reasonChars: 500, invalidationChars: 300, assetChars: 32, maxLeverage: 50 } as const;

const reason = z.string().min(1).max(ACTION_LIMITS.reasonChars);
const asset = z.string().min(1).max(ACTION_LIMITS.assetChars);
const side = z.enum(['long', 'short']);
/** Confidence in [0, 1]; the strategy's threshold is applied by validation. */
const confidence = z.number().min(0).max(1);
/** A positive USD amount, at most 12 integer digits and 6 decimals (micro-USD). */
export const zNotionalUsd = z
  .string()
  .regex(/^(0|[1-9]\d{0,11})(\.\d{1,6})?$/, 'a USD amount with at most 12 digits and 6 decimals')
  .refine((s) => /[1-9]/.test(s), 'must be above zero');
/** A positive USD price, at most 12 integer digits and 8 decimals. */
export const zPriceUsd = z
  .string()
  .regex(/^(0|[1-9]\d{0,11})(\.\d{1,8})?$/, 'a USD price with at most 12 digits and 8 decimals')
  .refine((s) => /[1-9]/.test(s), 'must be above zero');

export const zExitPlan = z
  .object({ takeProfitPrice: zPriceUsd, stopLossPrice: zPriceUsd, invalidation: z.string().min(1).max(ACTION_LIMITS.invalidationChars) })
  .strict();
export type ExitPlan = z.output<typeof zExitPlan>;

export const zTradingAction = z.discriminatedUnion('action', [
  z.object({ action: z.literal('hold'), asset, confidence, reason }).strict(),
  z
    .object({
      action: z.enum(['open', 'increase']),
      asset,
      side,
      notionalUsd: zNotionalUsd,
      leverage: z.number().int().min(1).max(ACTION_LIMITS.maxLeverage),
      confidence,
      exitPlan: zExitPlan,
      reason,
    })
    .strict(),
  z.object({ action: z.literal('reduce'), asset, side, notionalUsd: zNotionalUsd, confidence, reason }).strict(),
  z.object({ action: z.literal('close'), asset, side, confidence, reason }).strict(),
]);
export type TradingAction = z.output<typeof zTradingAction>;

/** The contract as a prompt states it (one line per action kind). */
export const ACTION_CONTRACT_TEXT = [
  'Answer with exactly one JSON object and nothing else, one of:',
  '{"action":"hold","asset":string,"confidence":0..1,"reason":string}',
  '{"action":"open"|"increase","asset":string,"side":"long"|"short","notionalUsd":"decimal USD, up to 6 decimals","leverage":integer 1..50,"confidence":0..1,"exitPlan":{"takeProfitPrice":"decimal USD","stopLossPrice":"decimal USD","invalidation":string},"reason":string}',
  '{"action":"reduce","asset":string,"side":"long"|"short","notionalUsd":"decimal USD","confidence":0..1,"reason":string}',
  '{"action":"close","asset":string,"side":"long"|"short","confidence":0..1,"reason":string}',
  `reason: at most ${ACTION_LIMITS.reasonChars} characters; invalidation: at most ${ACTION_LIMITS.invalidationChars}.`,
].join('\n');
