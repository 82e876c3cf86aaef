/**
 * Race ranking: entrants ordered by race return (final − start) / start, compared exactly by
 * bigint cross-multiplication, with dead heats sharing the weights of the positions they cover.
 */
import { divide } from '../../core/money.ts';

export interface RaceResult {
  readonly cloneId: string;
  /** Equity of the race account at launch, micro-USD, > 0. */
  readonly startingEquity: bigint;
  /** Equity of the race account at the close, micro-USD. */
  readonly finalEquity: bigint;
}

/** A weight in basis points as an exact reduced fraction (a dead heat can split 10000 three ways). */
export interface Weight {
  readonly numerator: bigint;
  /** ≥ 1, and 1 whenever the weight is a whole number of bps. */
  readonly denominator: bigint;
}

export interface Placing {
  readonly cloneId: string;
  /** 1-based; every clone of a dead heat carries the first position of the heat (1, 2, 2, 4). */
  readonly position: number;
  readonly weight: Weight;
}

/** Compares race returns: negative when `a` did better (so a sort puts it first). */
export function compareReturns(a: RaceResult, b: RaceResult): number {
  // (fa − sa)/sa vs (fb − sb)/sb with sa, sb > 0  ⇔  (fa − sa)·sb vs (fb − sb)·sa
  const left = (a.finalEquity - a.startingEquity) * b.startingEquity;
  const right = (b.finalEquity - b.startingEquity) * a.startingEquity;
  return left > right ? -1 : left < right ? 1 : 0;
}

/** Orders clone ids by UTF-16 code units, never by locale, so every machine agrees. */
function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function gcd(a: bigint, b: bigint): bigint {
  return b === 0n ? a : gcd(b, a % b);
}

/** numerator / denominator in lowest terms (denominator ≥ 1, so the gcd is never 0). */
function reduced(numerator: bigint, denominator: bigint): Weight {
  const g = gcd(numerator, denominator);
  return { numerator: divide(numerator, g, 'floor'), denominator: divide(denominator, g, 'floor') };
}

/**
 * Ranks every result, best first; a dead heat is listed by clone id. A heat over positions
 * p..p+m−1 shares the sum of those positions' weights equally (positions beyond the weight
 * list weigh 0); each share is kept as an exact fraction, so no weight is lost to rounding.
 */
export function rank(results: readonly RaceResult[], rankWeightsBps: readonly bigint[]): Placing[] {
  const ordered = [...results].sort((a, b) => compareReturns(a, b) || compareIds(a.cloneId, b.cloneId));
  const placings: Placing[] = [];
  let start = 0;
  while (start < ordered.length) {
    let end = start + 1;
    while (end < ordered.length && compareReturns(ordered[start] as RaceResult, ordered[end] as RaceResult) === 0) end++;
    let heatWeight = 0n;
    for (let i = start; i < end; i++) heatWeight += rankWeightsBps[i] ?? 0n;
    const weight = reduced(heatWeight, BigInt(end - start));
    for (let i = start; i < end; i++) placings.push({ cloneId: (ordered[i] as RaceResult).cloneId, position: start + 1, weight });
    start = end;
  }
  return placings;
}

/**
 * The placings' weights over one common denominator (the lcm of theirs), as whole numbers:
 * ratios between them are exactly the ratios of the fractional weights. (The divisions are exact.)
 */
export function commonWeights(placings: readonly Placing[]): { cloneId: string; weight: bigint }[] {
  let lcm = 1n;
  for (const { weight } of placings) lcm = divide(lcm * weight.denominator, gcd(lcm, weight.denominator), 'floor');
  return placings.map(({ cloneId, weight }) => ({ cloneId, weight: weight.numerator * divide(lcm, weight.denominator, 'floor') }));
}

/** "5000", or "10000/3" when a dead heat leaves a fraction of a basis point. */
export function formatWeight(weight: Weight): string {
  return weight.denominator === 1n ? weight.numerator.toString() : `${weight.numerator}/${weight.denominator}`;
}
