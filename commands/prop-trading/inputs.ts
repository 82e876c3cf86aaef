/**
 * What callers send (HTTP bodies, CLI flags, other modules), validated with zod. Amounts are
 * decimal strings in whole units (`"0.015"` BTC, `"250.5"` USD) parsed to fixed point without
 * rounding: more decimals than the scale holds is a 400 naming the field. Rule overrides use
 * the stored form (ppm integers, micro-USD integer strings), as in the event catalog.
 */
import { z } from 'zod';
import { SIZE } from '../../adapters/market/units.ts';
import { MICRO_USD, zAmountUpTo, zDecimalUpTo } from '../../core/money.ts';
import { zPublicText, zSafeId } from '../../core/text.ts';
import { zActionKind, zPurpose, zSide } from './events.ts';
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

const zMicroUsdRule = zAmountUpTo(MAX_INPUT_MICRO_USD);

export const zOpenAccountInput = z
  .object({
    accountId: zSafeId.optional(),
    cloneId: zSafeId,
    strategyVersionId: zSafeId,
    purpose: zPurpose,
    startingEquityUsd: zDecimalUpTo(MICRO_USD, MAX_INPUT_MICRO_USD).optional(),
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
  });

export const zReasonInput = z.object({ reason: zPublicText(1, 500, { multiline: true }) }).strict();
export const zFundingInput = z.object({ hour: z.number().int().nonnegative().multipleOf(3_600_000) }).strict();

export type OpenAccountInput = z.input<typeof zOpenAccountInput>;
export type ActionInput = z.input<typeof zActionInput>;
