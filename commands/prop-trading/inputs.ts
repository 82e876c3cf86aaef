/**
 * What callers send (HTTP bodies, CLI flags, other modules), validated with zod. Amounts are
 * decimal strings in whole units (`"0.015"` BTC, `"250.5"` USD) parsed to fixed point without
 * rounding: more decimals than the scale holds is a 400 naming the field. Rule overrides use
 * the stored form (ppm integers, micro-USD integer strings), as in the event catalog.
 */
import { z } from 'zod';
import { SIZE } from '../../adapters/market/units.ts';
import { MICRO_USD, parseDecimal, type Scale } from '../../core/money.ts';
import { zActionKind, zPurpose, zSide } from './events.ts';
import { zRules } from './rules.ts';

const id = z.string().min(1).max(200);

export function zDecimal(scale: Scale) {
  return z
    .string()
    .regex(
      new RegExp(`^\\d+(\\.\\d{1,${scale.decimals}})?$`),
      `must be a non-negative decimal string with at most ${scale.decimals} decimals`,
    )
    .transform((s) => parseDecimal(s, scale));
}

export const zOpenAccountInput = z
  .object({
    accountId: id.regex(/^[A-Za-z0-9_.:-]+$/, 'letters, digits and _ . : - only').optional(),
    cloneId: id,
    strategyVersionId: id,
    purpose: zPurpose,
    startingEquityUsd: zDecimal(MICRO_USD).optional(),
    rules: zRules.partial().optional(),
  })
  .strict();

export const zActionInput = z
  .object({
    decisionRunId: id,
    asset: z.string().min(1).max(40),
    action: zActionKind,
    side: zSide,
    size: zDecimal(SIZE).optional(),
    notionalUsd: zDecimal(MICRO_USD).optional(),
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

export const zReasonInput = z.object({ reason: z.string().trim().min(1).max(500) }).strict();
export const zFundingInput = z.object({ hour: z.number().int().nonnegative().multipleOf(3_600_000) }).strict();

export type OpenAccountInput = z.input<typeof zOpenAccountInput>;
export type ActionInput = z.input<typeof zActionInput>;
