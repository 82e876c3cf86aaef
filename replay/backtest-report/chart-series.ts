/**
 * The chart series of a report, as the page's script draws them (uPlot's aligned columns: one x
 * array in Unix seconds, one y array per series, null where a series has no sample). Values are
 * floats in USD and percent: for drawing only — every figure printed as text comes from the exact
 * micro-USD strings instead (`format.ts`).
 */
import type { BacktestReport } from '../../commands/backtests/report.ts';
import { type ChartPoint, downsample } from './downsample.ts';

export interface ChartSeries {
  /** Equity and buy-and-hold benchmark (USD) on the union of their kept samples. */
  readonly equity: { readonly x: number[]; readonly equity: (number | null)[]; readonly benchmark: (number | null)[] };
  /** Drawdown below the running peak, in percent (0 … −100). */
  readonly drawdown: { readonly x: number[]; readonly drawdown: number[] };
  /** Samples before downsampling, and drawn, per curve. */
  readonly counts: {
    readonly equity: readonly [number, number];
    readonly benchmark: readonly [number, number];
    readonly drawdown: readonly [number, number];
  };
}

const toUsd = (microUsd: string) => Number(microUsd) / 1e6;

/** The downsampled series of `data` (`downsample.ts`), at most `maxPoints` per curve. */
export function chartSeries(data: BacktestReport, maxPoints?: number): ChartSeries {
  const equity = downsample(
    data.equity.map((p) => ({ x: Date.parse(p.at), y: toUsd(p.equityMicroUsd) })),
    maxPoints,
  );
  const benchmark = downsample(
    data.benchmark.map((p) => ({ x: Date.parse(p.at), y: toUsd(p.valueMicroUsd) })),
    maxPoints,
  );
  // the drawdown curve is downsampled on its own values, so its deepest point is always kept
  const drawdown = downsample(
    data.equity.map((p) => ({ x: Date.parse(p.at), y: -p.drawdown * 100 })),
    maxPoints,
  );
  const xs = [...new Set([...equity, ...benchmark].map((p) => p.x))].sort((a, b) => a - b);
  const at = (points: readonly ChartPoint[]) => {
    const byX = new Map(points.map((p) => [p.x, p.y]));
    return xs.map((x) => byX.get(x) ?? null);
  };
  return {
    equity: { x: xs.map((x) => x / 1000), equity: at(equity), benchmark: at(benchmark) },
    drawdown: { x: drawdown.map((p) => p.x / 1000), drawdown: drawdown.map((p) => p.y) },
    counts: {
      equity: [data.equity.length, equity.length],
      benchmark: [data.benchmark.length, benchmark.length],
      drawdown: [data.equity.length, drawdown.length],
    },
  };
}
