/**
 * The arithmetic of a prop account, all in bigint fixed point, each division with its rounding:
 *
 * - sizes: SIZE (1e-8 units), prices: PRICE (1e-8 USD), money: micro-USD (1e-6), rates: ppm
 *   and funding RATE (1e-12). size × price is in 1e-16 USD: ÷ 1e10 gives micro-USD.
 * - toward the house: fees and margins round up (ceil); PnL and funding, as the account sees
 *   them, round down (floor); buy prices with slippage round up, sell prices down, and then
 *   up (buys) or down (sells) again to a price Hyperliquid could print (`hyperliquidPrice`).
 * - neutral: average entry price and notional round half-even.
 * - sizes from a notional, and sizes cut to an asset's lot (10^-szDecimals), truncate toward zero.
 */

import { PRICE, RATE, SIZE } from '../../adapters/market/units.ts';
import { absBigint, divide, MICRO_USD, mulDiv, type RoundingMode } from '../../core/money.ts';

/** size (1e-8) × price (1e-8) = 1e-16 USD; this many of those make one micro-USD. */
export const PRODUCT_PER_MICRO_USD = (SIZE.one * PRICE.one) / MICRO_USD.one;
export const PPM = 1_000_000n;
export const DAY_MS = 86_400_000;

/** |size| × price in micro-USD. */
export function notional(size: bigint, price: bigint, mode: RoundingMode = 'half_even'): bigint {
  return divide(absBigint(size) * price, PRODUCT_PER_MICRO_USD, mode);
}

/** |size| × price × ppm, rounded up (toward the house). */
export function fee(size: bigint, price: bigint, feePpm: number): bigint {
  return mulDiv(absBigint(size) * price, BigInt(feePpm), PRODUCT_PER_MICRO_USD * PPM, 'ceil');
}

/**
 * The market fill price (PRICE, 1e-8): a buy pays quote × (1 + slippage) rounded up, a sell
 * gets quote × (1 − slippage) rounded down, each then rounded the same way to a price
 * Hyperliquid accepts for a perp of this `szDecimals` (`hyperliquidPrice`).
 */
export function executionPrice(quote: bigint, direction: 'buy' | 'sell', slippagePpm: number, szDecimals: number): bigint {
  const s = BigInt(slippagePpm);
  const slipped = direction === 'buy' ? mulDiv(quote, PPM + s, PPM, 'ceil') : mulDiv(quote, PPM - s, PPM, 'floor');
  return hyperliquidPrice(slipped, direction, szDecimals);
}

/** Hyperliquid perps: prices have at most 6 − szDecimals decimals. */
export const PERP_MAX_DECIMALS = 6;
/** Hyperliquid: at most 5 significant figures, except that integer prices are always allowed. */
export const MAX_SIGNIFICANT_FIGURES = 5;

/**
 * The price tick at `price` (PRICE, 1e-8): the larger of the decimals step 10^-(6 − szDecimals)
 * and the 5-significant-figure step, the latter capped at 1 USD because integer prices are
 * always allowed (Hyperliquid API docs, "Tick and lot size"). Never below 1e-8.
 */
export function priceTick(price: bigint, szDecimals: number): bigint {
  const decimals = Math.max(0, Math.min(PRICE.decimals, PERP_MAX_DECIMALS - szDecimals));
  const decimalsStep = 10n ** BigInt(PRICE.decimals - decimals);
  const digits = absBigint(price).toString().length;
  const sigStep = 10n ** BigInt(Math.max(0, digits - MAX_SIGNIFICANT_FIGURES));
  const step = sigStep < PRICE.one ? sigStep : PRICE.one;
  return step > decimalsStep ? step : decimalsStep;
}

/**
 * A price rounded to a multiple of its tick (`priceTick`) against the trader: up for a buy,
 * down for a sell. A sell below one tick is priced at one tick (no fill at zero); rounding up
 * can only carry into a shorter significant form (99 999.5 → 100 000), so the result is valid.
 */
export function hyperliquidPrice(price: bigint, direction: 'buy' | 'sell', szDecimals: number): bigint {
  const tick = priceTick(price, szDecimals);
  const rounded = divide(price, tick, direction === 'buy' ? 'ceil' : 'floor') * tick;
  return rounded > 0n ? rounded : tick;
}

/** PnL of a signed size from entry to price, rounded down (a long's gain and a short's gain alike). */
export function pnl(size: bigint, entryPrice: bigint, price: bigint): bigint {
  return divide(size * (price - entryPrice), PRODUCT_PER_MICRO_USD, 'floor');
}

/** The size-weighted average of the old entry and the fill price, rounded half-even. */
export function averageEntry(size: bigint, entryPrice: bigint, added: bigint, price: bigint): bigint {
  const a = absBigint(size);
  const b = absBigint(added);
  return divide(a * entryPrice + b * price, a + b, 'half_even');
}

/** Initial margin: notional / leverage, rounded up. */
export function initialMargin(size: bigint, price: bigint, leverage: number): bigint {
  return divide(absBigint(size) * price, PRODUCT_PER_MICRO_USD * BigInt(leverage), 'ceil');
}

/** Maintenance margin: notional / (2 × the asset's max leverage), rounded up. */
export function maintenanceMargin(size: bigint, price: bigint, assetMaxLeverage: number): bigint {
  return divide(absBigint(size) * price, PRODUCT_PER_MICRO_USD * BigInt(2 * assetMaxLeverage), 'ceil');
}

/**
 * Hourly funding as the account sees it: −size × price × rate (longs pay when the rate is
 * positive, shorts receive), rounded down (toward the house).
 */
export function funding(size: bigint, price: bigint, rate: bigint): bigint {
  return divide(-size * price * rate, PRODUCT_PER_MICRO_USD * RATE.one, 'floor');
}

/** A size for a notional at a price, truncated toward zero. */
export function sizeForNotional(notionalMicroUsd: bigint, price: bigint): bigint {
  return divide(notionalMicroUsd * PRODUCT_PER_MICRO_USD, price, 'trunc');
}

/** A size cut to the asset's lot of 10^-szDecimals units, truncated toward zero. */
export function roundToLot(size: bigint, szDecimals: number): bigint {
  const lot = 10n ** BigInt(SIZE.decimals - Math.min(szDecimals, SIZE.decimals));
  return divide(size, lot, 'trunc') * lot;
}

/** part / whole in ppm, rounded down; 0 when whole is 0. */
export function ppmOf(part: bigint, whole: bigint): bigint {
  return whole === 0n ? 0n : mulDiv(part, PPM, whole, 'floor');
}

/** A share (ppm) of an amount, rounded down. */
export function share(amount: bigint, partPpm: number): bigint {
  return mulDiv(amount, BigInt(partPpm), PPM, 'floor');
}

/**
 * The price of this asset at which the account's equity would meet its maintenance
 * requirement, every other price held: solving E + s(p − m) = MMo + |s| p / (2L) for p gives
 *   p = 2L (s·m − (E − MMo)) / (s (2L − sign s))
 * (E equity, MMo maintenance of the other positions, s signed size, m mark, L the asset's max
 * leverage). A long's is rounded up, a short's down (both toward the earlier warning); null
 * when no positive price liquidates.
 */
export function liquidationPrice(
  size: bigint,
  mark: bigint,
  equity: bigint,
  othersMaintenance: bigint,
  assetMaxLeverage: number,
): bigint | null {
  if (size === 0n) return null;
  const twoL = BigInt(2 * assetMaxLeverage);
  const sign = size > 0n ? 1n : -1n;
  const p = divide(
    twoL * (size * mark - (equity - othersMaintenance) * PRODUCT_PER_MICRO_USD),
    size * (twoL - sign),
    size > 0n ? 'ceil' : 'floor',
  );
  return p > 0n ? p : null;
}

/** Days since the epoch of a UTC instant (the trading day for daily loss limits). */
export function utcDayOf(ms: number): number {
  const rest = ms % DAY_MS;
  return (ms - rest) / DAY_MS - (rest < 0 ? 1 : 0);
}
