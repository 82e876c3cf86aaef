/**
 * Validation of a parsed action before it reaches Prop Trading (issue 13 "Validation before
 * Prop Trading"). Pure; every failed check is reported (not only the first) so a refusal is
 * recorded with all its reasons, never dropped. `hold` needs only to name the run's asset.
 *
 * Checks, in order:
 * - `asset_not_run_asset`: the action names another asset than the run's;
 * - `asset_not_candidate`: the run's asset is not among this run's candidates;
 * - `asset_disabled`: the asset is disabled (clone universe or registry);
 * - `confidence_below_threshold`: confidence < the strategy's threshold;
 * - `leverage_above_tier_cap` / `leverage_above_asset_cap`: open/increase leverage above the
 *   account's cap (its tier's) or the asset's `maxLeverage`;
 * - `size_above_headroom`: open/increase notional (micro-USD) above the gates' headroom;
 * - `no_position`: increase, reduce or close without a position; `side_mismatch`: their side is
 *   not the position's; `position_exists`: open while a position is held (use increase).
 */
import { MICRO_USD, parseDecimal } from '../../core/money.ts';
import type { TradingAction } from '../ai-trading/action.ts';

export const refusalCodes = [
  'asset_not_run_asset',
  'asset_not_candidate',
  'asset_disabled',
  'confidence_below_threshold',
  'leverage_above_tier_cap',
  'leverage_above_asset_cap',
  'size_above_headroom',
  'no_position',
  'side_mismatch',
  'position_exists',
] as const;
export type RefusalCode = (typeof refusalCodes)[number];

/** One reason an action was refused, with the figures behind it (strings, safe for events). */
export interface Refusal {
  readonly code: RefusalCode;
  readonly detail: string;
}

/** The confidence threshold (0..1) of a trading prompt that sets none: a choice (doc/ai-trading.md, "Validation"). */
export const DEFAULT_CONFIDENCE_THRESHOLD = 0.5;

/** A trading prompt's confidence threshold (0..1): its `minConfidence`, else `DEFAULT_CONFIDENCE_THRESHOLD`. */
export const confidenceThresholdOf = (config: { readonly minConfidence?: number | undefined }): number =>
  config.minConfidence ?? DEFAULT_CONFIDENCE_THRESHOLD;

/** What the run knows when it validates: money in micro-USD, leverage as integer multiples. */
export interface ValidationContext {
  readonly runAsset: string;
  readonly candidates: readonly string[];
  readonly assetEnabled: boolean;
  /** The strategy's confidence threshold in [0, 1]. */
  readonly confidenceThreshold: number;
  /** The account's leverage cap (set by its tier, `Rules.maxLeverage`). */
  readonly tierMaxLeverage: number;
  /** The asset's `maxLeverage` from the registry. */
  readonly assetMaxLeverage: number;
  /** The largest notional an open/increase may add now (`actionHeadroomMicroUsd` of `commands/prop-trading/headroom.ts`). */
  readonly headroomMicroUsd: bigint;
  readonly position: { readonly side: 'long' | 'short' } | null;
}

export type Validation =
  | { readonly status: 'accepted'; readonly action: TradingAction }
  | { readonly status: 'refused'; readonly refusals: readonly Refusal[] };

/** Validates `action` against `ctx`; see the module comment for the checks. */
export function validateAction(action: TradingAction, ctx: ValidationContext): Validation {
  const refusals: Refusal[] = [];
  const refuse = (code: RefusalCode, detail: string) => refusals.push({ code, detail });
  if (action.asset !== ctx.runAsset) refuse('asset_not_run_asset', `${action.asset} is not the run's asset ${ctx.runAsset}`);
  if (action.action !== 'hold') {
    if (!ctx.candidates.includes(ctx.runAsset)) refuse('asset_not_candidate', `${ctx.runAsset} is not a candidate of this run`);
    if (!ctx.assetEnabled) refuse('asset_disabled', `${ctx.runAsset} is disabled`);
    if (action.confidence < ctx.confidenceThreshold)
      refuse('confidence_below_threshold', `${action.confidence} < ${ctx.confidenceThreshold}`);
  }
  if (action.action === 'open' || action.action === 'increase') {
    if (action.leverage > ctx.tierMaxLeverage) refuse('leverage_above_tier_cap', `${action.leverage} > ${ctx.tierMaxLeverage}`);
    if (action.leverage > ctx.assetMaxLeverage) refuse('leverage_above_asset_cap', `${action.leverage} > ${ctx.assetMaxLeverage}`);
    const notional = parseDecimal(action.notionalUsd, MICRO_USD);
    if (notional > ctx.headroomMicroUsd) refuse('size_above_headroom', `${notional} > ${ctx.headroomMicroUsd} micro-USD`);
  }
  if (action.action === 'open' && ctx.position) refuse('position_exists', `a ${ctx.position.side} position is open`);
  if (action.action === 'increase' || action.action === 'reduce' || action.action === 'close') {
    if (!ctx.position) refuse('no_position', `no ${action.side} position to ${action.action}`);
    else if (ctx.position.side !== action.side) refuse('side_mismatch', `the position is ${ctx.position.side}, not ${action.side}`);
  }
  return refusals.length === 0 ? { status: 'accepted', action } : { status: 'refused', refusals };
}
