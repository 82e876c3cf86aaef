/**
 * Report data of a run over the real 1m candles (`shared/data/market/candles-1m/bybit-linear/`,
 * BTC, ETH and SOL) for the report tests, until the replay can produce one: each asset trades a
 * third of 10,000 USD long-only, long while the step's close is above the mean of the last 48 step
 * closes (4 hours at 5-minute steps), flat otherwise, filling at the step's close with a 4.5 bps
 * fee on each side and no funding (the data has none). Exact bigint arithmetic throughout; the
 * metrics come from `computeMetrics`; the drawdown and benchmark curves follow doc/backtesting.md,
 * "Report data" (running peak as in `maxDrawdown`; buy-and-hold floored per asset).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseBybitCsv } from '../../adapters/market/importers/bybit-csv.ts';
import { PRICE } from '../../adapters/market/units.ts';
import type { ClosedTrade, EquityPoint } from '../../commands/backtests/metrics.ts';
import { computeMetrics } from '../../commands/backtests/metrics.ts';
import { type BacktestReport, stepLabel } from '../../commands/backtests/report.ts';
import { divide, formatDecimal, mulDiv } from '../../core/money.ts';

const FILES = ['BTCUSDT_1m.csv', 'ETHUSDT_1m.csv', 'SOLUSDT_1m.csv'];
const START_MICRO_USD = 10_000_000_000n;
const FEE_PPM = 450n;
const LOOKBACK = 48;
/** micro-USD = size (1e-8 units) × price (1e-8 USD) ÷ 1e10. */
const VALUE_DIVISOR = 10_000_000_000n;

interface Sleeve {
  readonly asset: string;
  cash: bigint;
  size: bigint;
  entryPrice: bigint;
  entryCost: bigint;
  entryFee: bigint;
  openedAt: number;
}

type SimTrade = ClosedTrade & { readonly entryPrice: bigint; readonly exitPrice: bigint };

const value = (size: bigint, price: bigint) => mulDiv(size, price, VALUE_DIVISOR, 'half_even');
const iso = (ms: number) => new Date(ms).toISOString();
/** A price of 1e-8 USD as the report's decimal USD string, without trailing zeros. */
const usdPrice = (e8: bigint) => formatDecimal(e8, PRICE).replace(/\.?0+$/, '');

/** Each sample's fall from the running peak, as a fraction of that peak (the rule of `maxDrawdown`). */
function drawdowns(equity: readonly EquityPoint[]): number[] {
  let peak = 0;
  return equity.map((p) => {
    const e = Number(p.equityMicroUsd);
    peak = Math.max(peak, e);
    return peak > 0 ? (peak - e) / peak : 0;
  });
}
const fee = (notional: bigint) => mulDiv(notional, FEE_PPM, 1_000_000n, 'half_even');

/** The run over `days` days (≤ 30) of the recorded candles at `stepMinutes`, as report data. */
export function realRunReport(sharedData: string, options: { days?: number; stepMinutes?: number } = {}): BacktestReport {
  const stepMs = (options.stepMinutes ?? 5) * 60_000;
  const closes = FILES.map((file) => {
    const path = join(sharedData, 'market', 'candles-1m', 'bybit-linear', file);
    const candles = parseBybitCsv(path, readFileSync(path, 'utf8'));
    return { asset: candles[0]?.asset as string, byClose: new Map(candles.map((c) => [c.openTime + 60_000, c.close])) };
  });
  const from = Math.max(...closes.map((c) => Math.min(...c.byClose.keys())));
  const to = Math.min(from + (options.days ?? 30) * 86_400_000, ...closes.map((c) => Math.max(...c.byClose.keys())));
  const times: number[] = [];
  for (let t = from; t <= to; t += stepMs) if (closes.every((c) => c.byClose.has(t))) times.push(t);

  const share = divide(START_MICRO_USD, BigInt(closes.length), 'floor');
  const sleeves: Sleeve[] = closes.map((c, i) => ({
    asset: c.asset,
    cash: i === 0 ? START_MICRO_USD - share * BigInt(closes.length - 1) : share,
    size: 0n,
    entryPrice: 0n,
    entryCost: 0n,
    entryFee: 0n,
    openedAt: 0,
  }));
  const history: bigint[][] = closes.map(() => []);
  const equity: EquityPoint[] = [];
  const trades: SimTrade[] = [];
  let traded = 0n;
  let fees = 0n;
  for (const at of times) {
    closes.forEach((c, i) => {
      const price = c.byClose.get(at) as bigint;
      const past = history[i] as bigint[];
      const s = sleeves[i] as Sleeve;
      past.push(price);
      if (past.length > LOOKBACK) past.shift();
      if (past.length < LOOKBACK) return;
      const above = price * BigInt(past.length) > past.reduce((a, b) => a + b, 0n);
      if (above && s.size === 0n) {
        const size = divide((s.cash - fee(s.cash)) * VALUE_DIVISOR, price, 'floor');
        const cost = value(size, price);
        const entryFee = fee(cost);
        Object.assign(s, { cash: s.cash - cost - entryFee, size, entryPrice: price, entryCost: cost, entryFee, openedAt: at });
        traded += cost;
        fees += entryFee;
      } else if (!above && s.size > 0n) {
        const proceeds = value(s.size, price);
        const exitFee = fee(proceeds);
        const pnl = proceeds - exitFee - s.entryCost - s.entryFee;
        trades.push({
          asset: s.asset,
          openedAt: s.openedAt,
          closedAt: at,
          entryPrice: s.entryPrice,
          exitPrice: price,
          pnlMicroUsd: pnl,
          feesMicroUsd: s.entryFee + exitFee,
          fundingMicroUsd: 0n,
        });
        Object.assign(s, { cash: s.cash + proceeds - exitFee, size: 0n });
        traded += proceeds;
        fees += exitFee;
      }
    });
    const exposure = sleeves.reduce((sum, s, i) => sum + value(s.size, closes[i]?.byClose.get(at) as bigint), 0n);
    equity.push({ at, equityMicroUsd: sleeves.reduce((sum, s) => sum + s.cash, 0n) + exposure, exposureMicroUsd: exposure });
  }
  const prices = times.map((at) => ({ at, prices: closes.map((c) => c.byClose.get(at) as bigint) }));
  const metrics = computeMetrics({
    equity,
    trades,
    tradedNotionalMicroUsd: traded,
    feesMicroUsd: fees,
    fundingMicroUsd: 0n,
    samplingIntervalMs: stepMs,
    benchmark: closes.map((c, i) => ({
      asset: c.asset,
      firstPrice: prices[0]?.prices[i] as bigint,
      lastPrice: prices.at(-1)?.prices[i] as bigint,
    })),
  });
  const dd = drawdowns(equity);
  const n = BigInt(closes.length);
  const first = prices[0]?.prices ?? [];
  return {
    backtestId: `real-candles-${closes.length}x${times.length}`,
    window: { from: iso(from), to: iso(times.at(-1) as number) },
    step: stepLabel(stepMs),
    stepMs,
    assets: closes.map((c) => c.asset),
    engine: 'rules',
    metrics,
    equity: equity.map((p, i) => ({ at: iso(p.at), equityMicroUsd: p.equityMicroUsd.toString(), drawdown: dd[i] as number })),
    benchmark: prices.map((s) => ({
      at: iso(s.at),
      valueMicroUsd: s.prices.reduce((sum, p, i) => sum + mulDiv(START_MICRO_USD, p, n * (first[i] as bigint), 'floor'), 0n).toString(),
    })),
    trades: trades.map((t) => ({
      asset: t.asset,
      side: 'long' as const,
      openedAt: iso(t.openedAt),
      closedAt: iso(t.closedAt),
      entryPrice: usdPrice(t.entryPrice),
      exitPrice: usdPrice(t.exitPrice),
      pnlMicroUsd: t.pnlMicroUsd.toString(),
      feesMicroUsd: t.feesMicroUsd.toString(),
    })),
  };
}
