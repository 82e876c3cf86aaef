/**
 * Fixed-point scales of market data. Prices and sizes are bigint counts of 1e-8 (Hyperliquid
 * perps quote at most 6 decimals, spot 8; sizes follow each asset's `szDecimals`, at most 8);
 * funding rates are counts of 1e-12 (Hyperliquid publishes up to 10 decimals).
 */
import { defineScale, parseDecimal } from '../../core/money.ts';

/** Prices in 1e-8 USD per unit of the asset. */
export const PRICE = defineScale('price', 8);
/** Sizes (and volumes) in 1e-8 units of the asset. */
export const SIZE = defineScale('size', 8);
/** Funding rates per hour, in 1e-12. */
export const RATE = defineScale('rate', 12);

/**
 * Parses a market decimal string. Digits beyond the scale are rounded half-even (no file in
 * the shared data has more than the scale holds; the rounding only guards odd inputs).
 */
export function parsePrice(text: string): bigint {
  return parseDecimal(text, PRICE, 'half_even');
}

export function parseSize(text: string): bigint {
  return parseDecimal(text, SIZE, 'half_even');
}

export function parseRate(text: string): bigint {
  return parseDecimal(text, RATE, 'half_even');
}
