/**
 * Technical indicators over final 1-minute closes, computed incrementally from a small state
 * that is plain JSON (stored beside the rows, so a restart continues exactly where it stopped).
 * Context for prompts, not money: floating point (seed `002_…` "Data Sources And Storage":
 * Wilder RSI 14, Bollinger 20/2, SMA/EMA 20, MACD 12/26/9).
 *
 * Work per close is constant: the only window kept is the last 20 closes (SMA and σ read it,
 * a fixed 20 steps); every other figure is a running average.
 *
 * Warm-up (no value until the window is full; `null` before):
 * - SMA 20, Bollinger: from the 20th close.
 * - EMA 20: seeded with the SMA of the first 20 closes (value at the 20th), then
 *   ema = close·k + ema·(1 − k), k = 2 / (20 + 1).
 * - RSI 14 (Wilder): from the 15th close (14 changes). The first average gain/loss is the simple
 *   mean of the first 14 changes; then avg = (avg·13 + change) / 14. RSI = 100 − 100 / (1 + G/L);
 *   100 when L = 0 (and G > 0), 50 when both are 0.
 * - MACD: EMA 12 and EMA 26 each seeded with the SMA of their first n closes; the MACD line
 *   (EMA12 − EMA26) from the 26th close; the signal, EMA 9 of the MACD line seeded with the SMA
 *   of its first 9 values, from the 34th close; histogram = MACD − signal.
 * - Bollinger: middle = SMA 20, bands = middle ± 2σ with σ the **population** standard
 *   deviation of the same 20 closes (divide by 20, not 19 — the usual charting convention).
 */

export const SMA_PERIOD = 20;
export const EMA_PERIOD = 20;
export const RSI_PERIOD = 14;
export const BOLLINGER_K = 2;
export const MACD_FAST = 12;
export const MACD_SLOW = 26;
export const MACD_SIGNAL = 9;

/** An EMA being seeded (sum of the first `n` inputs) or running (`value`). */
export interface EmaState {
  readonly n: number;
  readonly seen: number;
  readonly sum: number;
  readonly value: number | null;
}

/** Everything the next step needs; JSON-serializable. */
export interface IndicatorState {
  /** Closes seen so far. */
  readonly count: number;
  /** The last ≤ 20 closes, oldest first. */
  readonly window: readonly number[];
  readonly prevClose: number | null;
  /** Wilder averages (null until 14 changes are seen); `gainSum`/`lossSum` seed them. */
  readonly rsi: { readonly gainSum: number; readonly lossSum: number; readonly avgGain: number | null; readonly avgLoss: number | null };
  readonly ema20: EmaState;
  readonly ema12: EmaState;
  readonly ema26: EmaState;
  readonly signal: EmaState;
}

/** One row of indicator values at a close; `null` while an indicator warms up. */
export interface IndicatorValues {
  readonly rsi14: number | null;
  readonly sma20: number | null;
  readonly ema20: number | null;
  readonly bbMiddle: number | null;
  readonly bbUpper: number | null;
  readonly bbLower: number | null;
  readonly macd: number | null;
  readonly macdSignal: number | null;
  readonly macdHistogram: number | null;
}

const ema = (n: number): EmaState => ({ n, seen: 0, sum: 0, value: null });

export function initialIndicatorState(): IndicatorState {
  return {
    count: 0,
    window: [],
    prevClose: null,
    rsi: { gainSum: 0, lossSum: 0, avgGain: null, avgLoss: null },
    ema20: ema(EMA_PERIOD),
    ema12: ema(MACD_FAST),
    ema26: ema(MACD_SLOW),
    signal: ema(MACD_SIGNAL),
  };
}

/** One EMA step: SMA seeding for the first `n` inputs, then the recursive formula with k = 2/(n+1). */
export function stepEma(state: EmaState, x: number): EmaState {
  if (state.value !== null) {
    const k = 2 / (state.n + 1);
    return { ...state, seen: state.seen + 1, value: x * k + state.value * (1 - k) };
  }
  const seen = state.seen + 1;
  const sum = state.sum + x;
  return { ...state, seen, sum, value: seen === state.n ? sum / state.n : null };
}

function stepRsi(state: IndicatorState['rsi'], change: number, changes: number): IndicatorState['rsi'] {
  const gain = Math.max(change, 0);
  const loss = Math.max(-change, 0);
  if (state.avgGain !== null && state.avgLoss !== null) {
    return {
      ...state,
      avgGain: (state.avgGain * (RSI_PERIOD - 1) + gain) / RSI_PERIOD,
      avgLoss: (state.avgLoss * (RSI_PERIOD - 1) + loss) / RSI_PERIOD,
    };
  }
  const gainSum = state.gainSum + gain;
  const lossSum = state.lossSum + loss;
  const full = changes === RSI_PERIOD;
  return { gainSum, lossSum, avgGain: full ? gainSum / RSI_PERIOD : null, avgLoss: full ? lossSum / RSI_PERIOD : null };
}

function rsiOf(rsi: IndicatorState['rsi']): number | null {
  if (rsi.avgGain === null || rsi.avgLoss === null) return null;
  if (rsi.avgLoss === 0) return rsi.avgGain === 0 ? 50 : 100;
  return 100 - 100 / (1 + rsi.avgGain / rsi.avgLoss);
}

/** Feeds one final close; returns the next state and the values at that close. */
export function stepIndicators(state: IndicatorState, close: number): { state: IndicatorState; values: IndicatorValues } {
  const count = state.count + 1;
  const window = state.window.length < SMA_PERIOD ? [...state.window, close] : [...state.window.slice(1), close];
  const rsi = state.prevClose === null ? state.rsi : stepRsi(state.rsi, close - state.prevClose, count - 1);
  const ema20 = stepEma(state.ema20, close);
  const ema12 = stepEma(state.ema12, close);
  const ema26 = stepEma(state.ema26, close);
  const macd = ema12.value !== null && ema26.value !== null ? ema12.value - ema26.value : null;
  const signal = macd === null ? state.signal : stepEma(state.signal, macd);

  let sma: number | null = null;
  let sigma = 0;
  if (window.length === SMA_PERIOD) {
    sma = window.reduce((s, x) => s + x, 0) / SMA_PERIOD;
    const mean = sma;
    sigma = Math.sqrt(window.reduce((s, x) => s + (x - mean) ** 2, 0) / SMA_PERIOD);
  }
  const next: IndicatorState = { count, window, prevClose: close, rsi, ema20, ema12, ema26, signal };
  return {
    state: next,
    values: {
      rsi14: rsiOf(rsi),
      sma20: sma,
      ema20: ema20.value,
      bbMiddle: sma,
      bbUpper: sma === null ? null : sma + BOLLINGER_K * sigma,
      bbLower: sma === null ? null : sma - BOLLINGER_K * sigma,
      macd,
      macdSignal: signal.value,
      macdHistogram: macd !== null && signal.value !== null ? macd - signal.value : null,
    },
  };
}
