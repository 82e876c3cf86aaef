/**
 * Market memory as of T for a replay whose T only moves forward: the candle and indicator
 * windows a packet reads are kept per symbol, granularity and window length, and extended with the rows that
 * closed since the last T, instead of read whole at every step. Only rows closed at or before
 * the asked T are ever read, so the answers are exactly the underlying reader's (lookahead-free)
 * as long as market memory does not change during the replay; a request that moves backwards
 * or starts before the kept window reads afresh. Memory: one lookback window per series.
 */
import type { CandleRow, IndicatorPoint, MarketAsOf } from '../commands/ai-trading/ports.ts';
import type { RegistryLookup } from '../commands/ai-trading/read-plan.ts';

interface Window<R> {
  from: number;
  at: number;
  rows: R[];
}

/** Keeps the rows of `[from, at]` and extends them forward; `read(from, at)` is the underlying query. */
function slide<R extends { readonly openTime: string }>(
  windows: Map<string, Window<R>>,
  key: string,
  from: number,
  at: number,
  read: (from: number, at: number) => readonly R[],
): readonly R[] {
  const w = windows.get(key);
  if (!w || from < w.from || at < w.at) {
    const fresh = { from, at, rows: [...read(from, at)] };
    windows.set(key, fresh);
    return fresh.rows;
  }
  if (at > w.at) {
    const lastOpen = w.rows.length > 0 ? Date.parse((w.rows.at(-1) as R).openTime) : w.from - 1;
    for (const r of read(Math.max(from, lastOpen + 1), at)) w.rows.push(r);
    w.at = at;
  }
  if (from > w.from) {
    let drop = 0;
    while (drop < w.rows.length && Date.parse((w.rows[drop] as R).openTime) < from) drop += 1;
    if (drop > 0) w.rows.splice(0, drop);
    w.from = from;
  }
  return w.rows;
}

/** `market` with its candle and indicator reads kept as sliding windows (see the module comment). */
export function slidingMarket<M extends MarketAsOf & { registry: RegistryLookup }>(market: M): M {
  const candles = new Map<string, Window<CandleRow>>();
  const indicators = new Map<string, Window<IndicatorPoint>>();
  return {
    ...market,
    candles: (symbol, granularityMs, from, at) =>
      slide(candles, `${symbol}:${granularityMs}:${at - from}`, from, at, (f, t) => market.candles(symbol, granularityMs, f, t)),
    indicators: (symbol, from, at) => slide(indicators, `${symbol}:${at - from}`, from, at, (f, t) => market.indicators(symbol, f, t)),
  };
}
