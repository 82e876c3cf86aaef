/**
 * Hyperliquid `/info` responses: candleSnapshot, allMids, meta, metaAndAssetCtxs and
 * fundingHistory. Numbers arrive as decimal strings and become fixed point (never floats).
 * allMids and metaAndAssetCtxs carry no time of their own: the importer is told when they were
 * taken (`--at`).
 */
import { z } from 'zod';
import type { Candle, FundingPoint, MarketRows, Mid } from '../market-memory.ts';
import type { AssetInfo } from '../price-source.ts';
import { parsePrice, parseRate, parseSize } from '../units.ts';
import { intervalMs } from './intervals.ts';

export const decimal = z
  .string()
  .max(64)
  .regex(/^-?\d+(\.\d+)?$/, 'must be a decimal string');
const zCoin = z.string().min(1).max(40);

export const zCandle = z.object({
  t: z.number().int(),
  T: z.number().int(),
  s: zCoin,
  i: z.string().max(8),
  o: decimal,
  c: decimal,
  h: decimal,
  l: decimal,
  v: decimal,
});
/** A `candleSnapshot` answer as the live backfill reads it (possibly empty), at most 5,000 candles. */
export const zCandles = z.array(zCandle).max(5000);
export const zCandleSnapshot = zCandles.min(1);
export const zAllMids = z.record(zCoin, decimal);
const zUniverseEntry = z.object({
  name: zCoin,
  szDecimals: z.number().int().min(0).max(8),
  maxLeverage: z.number().int().min(1).max(1000),
  marginTableId: z.number().int().nonnegative().optional(),
  onlyIsolated: z.boolean().optional(),
  isDelisted: z.boolean().optional(),
});
const zMarginTable = z.tuple([
  z.number().int().nonnegative(),
  z.object({
    description: z.string().max(200),
    marginTiers: z.array(z.object({ lowerBound: decimal, maxLeverage: z.number().int().min(1).max(1000) })).max(20),
  }),
]);
export const zMeta = z.object({ universe: z.array(zUniverseEntry).max(2000), marginTables: z.array(zMarginTable).max(500).optional() });
const zAssetCtx = z.object({
  funding: decimal,
  premium: decimal.nullable().optional(),
  markPx: decimal,
  midPx: decimal.nullable().optional(),
  oraclePx: decimal.optional(),
  openInterest: decimal.optional(),
  prevDayPx: decimal.optional(),
  dayNtlVlm: decimal.optional(),
  dayBaseVlm: decimal.optional(),
  impactPxs: z.array(decimal).length(2).nullable().optional(),
});
export type AssetCtx = z.output<typeof zAssetCtx>;
export const zMetaAndAssetCtxs = z.tuple([zMeta, z.array(zAssetCtx).max(2000)]).rest(z.unknown());
const zFundingPoint = z.object({ coin: zCoin, fundingRate: decimal, premium: decimal, time: z.number().int() });
/** A `fundingHistory` answer as the live backfill reads it (possibly empty). */
export const zFundingPoints = z.array(zFundingPoint).max(5000);
export const zFundingHistory = zFundingPoints.min(1);
/** `predictedFundings`: per coin, per venue, the next rate (null for a venue without one). */
export const zPredictedFundings = z
  .array(
    z.tuple([
      zCoin,
      z
        .array(z.tuple([z.string().min(1).max(40), z.object({ fundingRate: decimal, nextFundingTime: z.number().int() }).nullable()]))
        .max(20),
    ]),
  )
  .max(2000);

const EMPTY: MarketRows = { assets: [], candles: [], mids: [], funding: [] };

export function candleRows(data: z.output<typeof zCandleSnapshot>): MarketRows {
  const candles: Candle[] = data.map((c) => {
    const ms = intervalMs(c.i) ?? c.T + 1 - c.t;
    return {
      asset: c.s,
      intervalMs: ms,
      openTime: c.t,
      open: parsePrice(c.o),
      high: parsePrice(c.h),
      low: parsePrice(c.l),
      close: parsePrice(c.c),
      volume: parseSize(c.v),
    };
  });
  return { ...EMPTY, candles };
}

export function midRows(data: z.output<typeof zAllMids>, at: number): MarketRows {
  const mids: Mid[] = Object.entries(data).map(([asset, px]) => ({ asset, time: at, price: parsePrice(px) }));
  return { ...EMPTY, mids };
}

function assetsOf(meta: z.output<typeof zMeta>): AssetInfo[] {
  return meta.universe.map((u) => ({
    name: u.name,
    szDecimals: u.szDecimals,
    maxLeverage: u.maxLeverage,
    kind: 'perp',
    enabled: u.isDelisted !== true,
  }));
}

export function metaRows(data: z.output<typeof zMeta>): MarketRows {
  return { ...EMPTY, assets: assetsOf(data) };
}

/** Assets, plus each live context's mid (mark when the mid is null) and funding rate at `at`. */
export function metaAndCtxRows(data: z.output<typeof zMetaAndAssetCtxs>, at: number): MarketRows {
  const [meta, ctxs] = data;
  const mids: Mid[] = [];
  const funding: FundingPoint[] = [];
  for (const [i, u] of meta.universe.entries()) {
    const ctx = ctxs[i];
    if (!ctx || u.isDelisted) continue;
    mids.push({ asset: u.name, time: at, price: parsePrice(ctx.midPx ?? ctx.markPx) });
    funding.push({ asset: u.name, time: at, rate: parseRate(ctx.funding), premium: parseRate(ctx.premium ?? '0') });
  }
  return { ...EMPTY, assets: assetsOf(meta), mids, funding };
}

export function fundingRows(data: z.output<typeof zFundingHistory>): MarketRows {
  return {
    ...EMPTY,
    funding: data.map((f) => ({ asset: f.coin, time: f.time, rate: parseRate(f.fundingRate), premium: parseRate(f.premium) })),
  };
}
