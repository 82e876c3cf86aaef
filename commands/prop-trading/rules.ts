/**
 * The rules of a prop account, snapshotted into the event that opens it so a replay uses the
 * rules that were in force. Rates are integer parts per million (1 bps = 100 ppm); money is
 * micro-USD.
 */
import { z } from 'zod';
import { MICRO_USD, zNonNegativeAmount } from '../../core/money.ts';

const ppm = z.number().int().min(0).max(1_000_000);

export const zRules = z
  .object({
    /** Fee on fills that take liquidity (every market order): Hyperliquid base tier 4.5 bps. */
    takerFeePpm: ppm,
    /** Fee on fills that add liquidity: Hyperliquid base tier 1.5 bps (no resting orders yet). */
    makerFeePpm: ppm,
    /** Market fills pay this much worse than the execution price. */
    slippagePpm: ppm,
    /** The account's leverage cap; the effective cap is min(this, the asset's maxLeverage). */
    maxLeverage: z.number().int().min(1).max(1000),
    /** Opening or increasing is refused once the day's loss reaches this share of start-of-day equity. */
    dailyLossPpm: ppm,
    /** Opening or increasing is refused once the loss from starting equity reaches this share of it. */
    maxDrawdownPpm: ppm,
    maxPositionNotionalMicroUsd: zNonNegativeAmount,
    minOrderNotionalMicroUsd: zNonNegativeAmount,
    /** A price older than this (ms) is stale and refused. */
    maxPriceAgeMs: z.number().int().min(0),
  })
  .strict();

export type Rules = z.output<typeof zRules>;

export const DEFAULT_STARTING_EQUITY = 10_000n * MICRO_USD.one;

export const DEFAULT_RULES: Rules = {
  takerFeePpm: 450,
  makerFeePpm: 150,
  slippagePpm: 500,
  maxLeverage: 20,
  dailyLossPpm: 50_000,
  maxDrawdownPpm: 100_000,
  maxPositionNotionalMicroUsd: 100_000n * MICRO_USD.one,
  minOrderNotionalMicroUsd: 10n * MICRO_USD.one,
  maxPriceAgeMs: 120_000,
};
