/**
 * The candidate policy (seed `002_…` "Candidate Policy"): of a branch's trade universe, the
 * assets one run decides on. Candidates = assets with open positions ∪ universe assets passing
 * the deterministic prefilters, ranked and capped. Kept apart, as the seed does: supported
 * assets (the registry), the trade universe (the branch's expanded selection), the candidates of
 * one run (this), and the decision runs (one per candidate, the runtime's).
 *
 * Held assets are never dropped — a position must be managed — and rank first; universe assets
 * fill the remaining places up to the cap. So the count is at most max(cap, held).
 * Ranking of the others: day notional volume (descending), then symbol (ascending).
 */
import type { UniverseEntry } from './read-plan.ts';

/** What the prefilters look at, per asset, as known at the decision time. */
export interface AssetFacts {
  /** Close time (ms) of the newest 1m candle at or before the decision time; null without one. */
  readonly lastCandleCloseTime: number | null;
  /** Day notional volume in micro-USD (the newest asset context), null when unknown. */
  readonly dayVolumeMicroUsd: bigint | null;
  /** Open interest × mark price in micro-USD, null for spot or unknown. */
  readonly openInterestMicroUsd: bigint | null;
  /** 24 h high − low over the close, in ppm; null when there are no candles. */
  readonly dayRangePpm: number | null;
}

export interface Prefilters {
  /** Newest candle older than this at the decision time: stale, dropped. */
  readonly maxDataAgeMs: number;
  /** Liquidity floor: kept when day volume or open interest reaches it (micro-USD). */
  readonly minLiquidityMicroUsd: bigint;
  /** Optional volatility band on `dayRangePpm`, inclusive. */
  readonly volatilityBandPpm: { readonly min: number; readonly max: number } | null;
}

/** Defaults: data at most 5 minutes old, 1,000,000 USD of day volume or open interest, no volatility band. */
export const DEFAULT_PREFILTERS: Prefilters = { maxDataAgeMs: 300_000, minLiquidityMicroUsd: 1_000_000_000_000n, volatilityBandPpm: null };

export type CandidateReason = 'open_position' | 'passed_prefilters';
export type DropReason = 'not_tradable' | 'stale_data' | 'below_liquidity_floor' | 'outside_volatility_band' | 'over_cap';

export interface Candidate {
  readonly symbol: string;
  readonly rank: number;
  readonly reason: CandidateReason;
}
export interface DroppedAsset {
  readonly symbol: string;
  readonly reason: DropReason;
}
export interface CandidateSelection {
  readonly candidates: readonly Candidate[];
  readonly dropped: readonly DroppedAsset[];
}

const bySymbol = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The candidates of one run at time `at` (ms); `cap` is the branch's `candidatePolicy.maxCandidates`. */
export function selectCandidates(
  universe: readonly UniverseEntry[],
  held: readonly string[],
  facts: (symbol: string) => AssetFacts,
  prefilters: Prefilters,
  cap: number,
  at: number,
): CandidateSelection {
  const heldSet = new Set(held);
  const dropped: DroppedAsset[] = [];
  const passing: { symbol: string; volume: bigint }[] = [];
  for (const u of universe) {
    if (heldSet.has(u.symbol)) continue;
    const f = facts(u.symbol);
    const reason = dropReasonOf(u, f, prefilters, at);
    if (reason) dropped.push({ symbol: u.symbol, reason });
    else passing.push({ symbol: u.symbol, volume: f.dayVolumeMicroUsd ?? 0n });
  }
  passing.sort((a, b) => (a.volume === b.volume ? bySymbol(a.symbol, b.symbol) : a.volume > b.volume ? -1 : 1));
  const heldSorted = [...heldSet].sort(bySymbol);
  const room = Math.max(0, cap - heldSorted.length);
  for (const p of passing.slice(room)) dropped.push({ symbol: p.symbol, reason: 'over_cap' });
  const candidates: Candidate[] = [
    ...heldSorted.map((symbol) => ({ symbol, reason: 'open_position' as const })),
    ...passing.slice(0, room).map((p) => ({ symbol: p.symbol, reason: 'passed_prefilters' as const })),
  ].map((c, i) => ({ ...c, rank: i + 1 }));
  return { candidates, dropped: dropped.sort((a, b) => bySymbol(a.symbol, b.symbol)) };
}

function dropReasonOf(u: UniverseEntry, f: AssetFacts, p: Prefilters, at: number): DropReason | null {
  if (!u.tradable) return 'not_tradable';
  if (f.lastCandleCloseTime === null || at - f.lastCandleCloseTime > p.maxDataAgeMs) return 'stale_data';
  const liquid = (f.dayVolumeMicroUsd ?? 0n) >= p.minLiquidityMicroUsd || (f.openInterestMicroUsd ?? 0n) >= p.minLiquidityMicroUsd;
  if (!liquid) return 'below_liquidity_floor';
  const band = p.volatilityBandPpm;
  if (band && (f.dayRangePpm === null || f.dayRangePpm < band.min || f.dayRangePpm > band.max)) return 'outside_volatility_band';
  return null;
}
