/**
 * What callers send (HTTP bodies, CLI flags, other modules), validated with zod. Amounts are
 * decimal strings in whole units (`"0.015"` BTC, `"250.5"` USD) parsed to fixed point without
 * rounding: more decimals than the scale holds is a 400 naming the field. Rule overrides use
 * the stored form (ppm integers, micro-USD integer strings), as in the event catalog.
 */
import { z } from 'zod';
import { PRICE, SIZE } from '../../adapters/market/units.ts';
import { MICRO_USD, zAmountUpTo, zDecimalUpTo } from '../../core/money.ts';
import { zPublicText, zSafeId } from '../../core/text.ts';
import { MAX_INVALIDATION_CHARS, zActionKind, zPurpose, zSide } from './events.ts';
import { zRules } from './rules.ts';

/**
 * The largest USD amount an input may name, in micro-USD: one billion USD. Starting equities,
 * order notionals and the notional rules are refused above it (issue 10); the default account
 * is 10,000 USD, so this leaves room for any real book while keeping every product of
 * amounts far inside what the figures are tested for.
 */
export const MAX_INPUT_MICRO_USD = 1_000_000_000n * MICRO_USD.one;
/** The largest order size an input may name, in 1e-8 units: one trillion units of the asset. */
export const MAX_INPUT_SIZE = 1_000_000_000_000n * SIZE.one;

/** The largest trigger price an exit plan may name, in 1e-8 USD: one trillion USD (the action contract's 12 integer digits). */
export const MAX_INPUT_PRICE = 1_000_000_000_000n * PRICE.one;

const zMicroUsdRule = zAmountUpTo(MAX_INPUT_MICRO_USD);

/**
 * An exit plan on an open or increase (issue 13): trigger prices as decimal USD strings (at most
 * 8 decimals), at least one of them; the invalidation note is kept on the protective orders.
 */
export const zExitPlanInput = z
  .object({
    takeProfitPrice: zDecimalUpTo(PRICE, MAX_INPUT_PRICE).optional(),
    stopLossPrice: zDecimalUpTo(PRICE, MAX_INPUT_PRICE).optional(),
    invalidation: zPublicText(1, MAX_INVALIDATION_CHARS).optional(),
  })
  .strict()
  .superRefine((p, ctx) => {
    if (p.takeProfitPrice === undefined && p.stopLossPrice === undefined) {
      ctx.addIssue({ code: 'custom', path: ['takeProfitPrice'], message: 'give takeProfitPrice, stopLossPrice or both' });
    }
    for (const key of ['takeProfitPrice', 'stopLossPrice'] as const) {
      if (p[key] === 0n) ctx.addIssue({ code: 'custom', path: [key], message: 'must be above zero' });
    }
  });

export const zOpenAccountInput = z
  .object({
    accountId: zSafeId.optional(),
    cloneId: zSafeId,
    strategyVersionId: zSafeId,
    purpose: zPurpose,
    // An account with no equity cannot trade or be judged (a return over zero): above zero, as the configured default must be.
    startingEquityUsd: zDecimalUpTo(MICRO_USD, MAX_INPUT_MICRO_USD)
      .refine((v) => v > 0n, 'must be above zero')
      .optional(),
    rules: zRules
      .partial()
      .extend({ maxPositionNotionalMicroUsd: zMicroUsdRule.optional(), minOrderNotionalMicroUsd: zMicroUsdRule.optional() })
      .optional(),
  })
  .strict();

export const zActionInput = z
  .object({
    decisionRunId: zPublicText(1, 200),
    asset: z.string().min(1).max(40),
    action: zActionKind,
    side: zSide,
    size: zDecimalUpTo(SIZE, MAX_INPUT_SIZE).optional(),
    notionalUsd: zDecimalUpTo(MICRO_USD, MAX_INPUT_MICRO_USD).optional(),
    leverage: z.number().int().min(1).max(1000).optional(),
    reduceOnly: z.boolean().default(false),
    exitPlan: zExitPlanInput.optional(),
  })
  .strict()
  .superRefine((a, ctx) => {
    const amounts = (a.size === undefined ? 0 : 1) + (a.notionalUsd === undefined ? 0 : 1);
    if (a.action === 'close' && amounts > 0)
      ctx.addIssue({ code: 'custom', path: ['size'], message: 'close takes neither size nor notionalUsd' });
    if (a.action !== 'close' && amounts !== 1)
      ctx.addIssue({ code: 'custom', path: ['size'], message: 'give exactly one of size and notionalUsd' });
    if ((a.action === 'open' || a.action === 'increase') && a.leverage === undefined) {
      ctx.addIssue({ code: 'custom', path: ['leverage'], message: 'required to open or increase' });
    }
    if (a.exitPlan !== undefined && a.action !== 'open' && a.action !== 'increase') {
      ctx.addIssue({ code: 'custom', path: ['exitPlan'], message: 'only an open or increase carries an exit plan' });
    }
  });

export const zReasonInput = z.object({ reason: zPublicText(1, 500, { multiline: true }) }).strict();
export const zFundingInput = z.object({ hour: z.number().int().nonnegative().multipleOf(3_600_000) }).strict();

export type OpenAccountInput = z.input<typeof zOpenAccountInput>;
export type ActionInput = z.input<typeof zActionInput>;
