/**
 * Fixed-point money. Amounts are `bigint` counts of a scale's smallest unit (micro-USD, wei);
 * events carry them as integer decimal strings. Every division names its rounding mode.
 */
import { z } from 'zod';
import { ValidationError } from './errors.ts';

export type RoundingMode =
  | 'floor' // toward −∞
  | 'ceil' // toward +∞
  | 'trunc' // toward zero
  | 'half_up' // nearest, ties away from zero
  | 'half_even'; // nearest, ties to the even neighbour (banker's rounding)

export interface Scale {
  readonly name: string;
  readonly decimals: number;
  /** 10^decimals: the number of base units in one whole unit. */
  readonly one: bigint;
}

export function defineScale(name: string, decimals: number): Scale {
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > 36) {
    throw new RangeError(`scale ${name}: decimals must be an integer in 0..36`);
  }
  return Object.freeze({ name, decimals, one: 10n ** BigInt(decimals) });
}

/** USD amounts (equity, PnL, fees) in millionths, like USDC. */
export const MICRO_USD = defineScale('micro-USD', 6);
/** ETH amounts in wei. */
export const WEI = defineScale('wei', 18);
/** Basis points as a scale of 10^4 (1 = 10000 bps). */
export const BPS = 10_000n;

/** n / d rounded as `mode` says. Throws on division by zero. */
export function divide(n: bigint, d: bigint, mode: RoundingMode): bigint {
  if (d === 0n) throw new RangeError('division by zero');
  const q = n / d;
  const r = n % d;
  if (r === 0n) return q;
  const negative = n < 0n !== d < 0n;
  const away = negative ? q - 1n : q + 1n;
  switch (mode) {
    case 'trunc':
      return q;
    case 'floor':
      return negative ? away : q;
    case 'ceil':
      return negative ? q : away;
    case 'half_up':
    case 'half_even': {
      const twiceR = 2n * (r < 0n ? -r : r);
      const absD = d < 0n ? -d : d;
      if (twiceR > absD) return away;
      if (twiceR < absD) return q;
      if (mode === 'half_up') return away;
      return q % 2n === 0n ? q : away;
    }
  }
}

/** a × b / d with one rounding at the end (no intermediate precision loss). */
export function mulDiv(a: bigint, b: bigint, d: bigint, mode: RoundingMode): bigint {
  return divide(a * b, d, mode);
}

/** Moves an amount from one scale to another; going to fewer decimals rounds as `mode` says. */
export function rescale(amount: bigint, from: Scale, to: Scale, mode: RoundingMode): bigint {
  if (to.decimals >= from.decimals) return amount * 10n ** BigInt(to.decimals - from.decimals);
  return divide(amount, 10n ** BigInt(from.decimals - to.decimals), mode);
}

const DECIMAL = /^(-)?(\d+)(?:\.(\d+))?$/;

/**
 * Parses a decimal string ("1903.95") into base units of `scale`. More fractional digits than
 * the scale holds is an error unless a rounding mode is given.
 */
export function parseDecimal(text: string, scale: Scale, rounding?: RoundingMode): bigint {
  const m = DECIMAL.exec(text.trim());
  if (!m) throw new ValidationError('decimal', [{ path: '', message: `not a decimal number: "${text}"` }]);
  const [, sign, whole = '0', frac = ''] = m;
  const digits = BigInt(whole + frac);
  const signed = sign ? -digits : digits;
  const extra = frac.length - scale.decimals;
  if (extra <= 0) return signed * 10n ** BigInt(-extra);
  if (!rounding) {
    throw new ValidationError('decimal', [{ path: '', message: `"${text}" has more than ${scale.decimals} decimals (${scale.name})` }]);
  }
  return divide(signed, 10n ** BigInt(extra), rounding);
}

/** Formats base units as a decimal string with exactly `scale.decimals` fractional digits. */
export function formatDecimal(amount: bigint, scale: Scale): string {
  const negative = amount < 0n;
  const abs = (negative ? -amount : amount).toString().padStart(scale.decimals + 1, '0');
  const cut = abs.length - scale.decimals;
  const body = scale.decimals === 0 ? abs : `${abs.slice(0, cut)}.${abs.slice(cut)}`;
  return negative ? `-${body}` : body;
}

const INTEGER_STRING = /^-?(0|[1-9]\d*)$/;

/** Event-field codec: an integer decimal string on disk, a `bigint` in memory. */
export const zAmount = z.codec(z.string().regex(INTEGER_STRING, 'must be an integer decimal string'), z.bigint(), {
  decode: (s) => BigInt(s),
  encode: (b) => b.toString(),
});

/** Like zAmount, refusing negative values. */
export const zNonNegativeAmount = z.codec(
  z.string().regex(/^(0|[1-9]\d*)$/, 'must be a non-negative integer decimal string'),
  z.bigint().nonnegative(),
  { decode: (s) => BigInt(s), encode: (b) => b.toString() },
);

export function minBigint(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}

export function maxBigint(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}

export function absBigint(a: bigint): bigint {
  return a < 0n ? -a : a;
}

/** The largest amount a uint256 holds: every wei amount on chain is below 2^256. */
export const MAX_UINT256 = 2n ** 256n - 1n;

const NON_NEGATIVE_INTEGER = /^(0|[1-9]\d*)$/;

/**
 * Input boundary for an amount in base units: a non-negative integer decimal string of at
 * most `max`'s digits (`maxLength` in the OpenAPI document) and at most `max`, as a bigint.
 * Refused with an issue on the field otherwise (a 400 naming it). Wei: `zAmountUpTo(MAX_UINT256)`
 * (78 digits, below 2^256).
 */
export function zAmountUpTo(max: bigint) {
  return z
    .string()
    .max(max.toString().length)
    .regex(NON_NEGATIVE_INTEGER, 'must be a non-negative integer decimal string')
    .refine((s) => !NON_NEGATIVE_INTEGER.test(s) || BigInt(s) <= max, `must be at most ${max}`)
    .transform((s) => BigInt(s));
}

/**
 * Input boundary for a non-negative decimal string in whole units (`"250.5"` USD), at most
 * `scale.decimals` decimals (no rounding) and at most `max` base units of `scale`; the result
 * is in base units. The length bound is the digits of `max` in whole units, a point and the decimals.
 */
export function zDecimalUpTo(scale: Scale, max: bigint) {
  const shape = new RegExp(`^\\d+(\\.\\d{1,${scale.decimals}})?$`);
  return z
    .string()
    .max((max / scale.one).toString().length + 1 + scale.decimals)
    .regex(shape, `must be a non-negative decimal string with at most ${scale.decimals} decimals`)
    .refine((s) => !shape.test(s) || parseDecimal(s, scale) <= max, `must be at most ${formatDecimal(max, scale)}`)
    .transform((s) => parseDecimal(s, scale));
}
