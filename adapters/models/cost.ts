/**
 * What a model call costs, from its token usage and the model's configured prices.
 * Prices are integer micro-USD per million tokens (e.g. $3 / MTok = 3_000_000); the cost is
 * ceil((input·inPrice + output·outPrice) / 10^6) micro-USD — rounded up, so recorded costs
 * never understate the bill (issue 13 "token usage and cost recorded").
 */
import { divide } from '../../core/money.ts';
import type { TokenUsage } from './engine.ts';

/** A model's prices, micro-USD per million tokens. */
export interface ModelPrice {
  readonly inputMicroUsdPerMTok: bigint;
  readonly outputMicroUsdPerMTok: bigint;
}

/** The cost of one call in micro-USD (rounded up). */
export function callCostMicroUsd(usage: TokenUsage, price: ModelPrice): bigint {
  const total = BigInt(usage.inputTokens) * price.inputMicroUsdPerMTok + BigInt(usage.outputTokens) * price.outputMicroUsdPerMTok;
  return divide(total, 1_000_000n, 'ceil');
}
