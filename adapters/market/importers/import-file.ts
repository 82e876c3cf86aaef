/**
 * Importing one market data file: recognise its shape, parse it into fixed-point rows, write
 * them in batches (each its own transaction) and report what changed. Idempotent: the same
 * file again writes nothing.
 */
import { readTextUpTo } from '../../../core/bounded-read.ts';
import { ValidationError } from '../../../core/errors.ts';
import { type DerivedSeries, MINUTE_MS } from '../derived/derived-series.ts';
import type { MarketMemory, MarketRows, WriteCounts } from '../market-memory.ts';
import { BYBIT_HEADER, parseBybitCsv } from './bybit-csv.ts';
import {
  candleRows,
  fundingRows,
  metaAndCtxRows,
  metaRows,
  midRows,
  zAllMids,
  zCandleSnapshot,
  zFundingHistory,
  zMeta,
  zMetaAndAssetCtxs,
} from './hyperliquid.ts';

export type MarketFileFormat = 'bybit-csv' | 'candleSnapshot' | 'allMids' | 'meta' | 'metaAndAssetCtxs' | 'fundingHistory';

export interface ImportOptions {
  /** When a snapshot without a time of its own (allMids, metaAndAssetCtxs) was taken, ms since the epoch. */
  readonly at?: number;
  readonly batchSize?: number;
  /** When given, 1m candles also go to the derived series (indicators, 1h rollup), in file order. */
  readonly derived?: DerivedSeries;
  /** Called after each batch with the rows written so far and the file's total. */
  readonly onProgress?: (done: number, total: number) => void;
}

export interface ImportSummary {
  readonly file: string;
  readonly format: MarketFileFormat;
  readonly rows: number;
  readonly counts: WriteCounts;
}

function snapshotTime(file: string, format: MarketFileFormat, at: number | undefined): number {
  if (at === undefined) {
    throw new ValidationError(file, [{ path: '--at', message: `a ${format} snapshot carries no time: pass --at ISO-8601` }]);
  }
  return at;
}

/** The largest market file read (128 MiB): a year of one asset's 1m Bybit candles is about 32 MiB. */
export const MAX_MARKET_FILE_BYTES = 128 * 1024 * 1024;

/** Parses a file into rows, naming the format it recognised. Errors: `ValidationError` naming the file (unknown shape, larger than `MAX_MARKET_FILE_BYTES`). */
export function readMarketFile(file: string, at?: number): { format: MarketFileFormat; rows: MarketRows } {
  const text = readTextUpTo(file, MAX_MARKET_FILE_BYTES);
  if (text === null) throw new ValidationError(file, [{ path: '', message: `larger than ${MAX_MARKET_FILE_BYTES} bytes` }]);
  if (text.startsWith(BYBIT_HEADER)) {
    return { format: 'bybit-csv', rows: { assets: [], candles: parseBybitCsv(file, text), mids: [], funding: [] } };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ValidationError(file, [{ path: '', message: `neither a Bybit CSV (${BYBIT_HEADER}) nor JSON` }]);
  }
  const ctxs = zMetaAndAssetCtxs.safeParse(json);
  if (ctxs.success) return { format: 'metaAndAssetCtxs', rows: metaAndCtxRows(ctxs.data, snapshotTime(file, 'metaAndAssetCtxs', at)) };
  const funding = zFundingHistory.safeParse(json);
  if (funding.success) return { format: 'fundingHistory', rows: fundingRows(funding.data) };
  const candles = zCandleSnapshot.safeParse(json);
  if (candles.success) return { format: 'candleSnapshot', rows: candleRows(candles.data) };
  const meta = zMeta.safeParse(json);
  if (meta.success) return { format: 'meta', rows: metaRows(meta.data) };
  const mids = zAllMids.safeParse(json);
  if (mids.success) return { format: 'allMids', rows: midRows(mids.data, snapshotTime(file, 'allMids', at)) };
  throw new ValidationError(file, [
    { path: '', message: 'not a recognised market file (candleSnapshot, allMids, meta, metaAndAssetCtxs, fundingHistory, Bybit CSV)' },
  ]);
}

function* batches(rows: MarketRows, size: number): Generator<MarketRows> {
  yield { assets: rows.assets, candles: [], mids: [], funding: [] };
  for (const key of ['candles', 'mids', 'funding'] as const) {
    for (let i = 0; i < rows[key].length; i += size) {
      yield { assets: [], candles: [], mids: [], funding: [], [key]: rows[key].slice(i, i + size) };
    }
  }
}

function addCounts(total: WriteCounts, more: WriteCounts): void {
  for (const k of Object.keys(total) as (keyof WriteCounts)[]) {
    total[k].written += more[k].written;
    total[k].unchanged += more[k].unchanged;
  }
}

export function importMarketFile(memory: MarketMemory, file: string, options: ImportOptions = {}): ImportSummary {
  const { format, rows } = readMarketFile(file, options.at);
  const total = rows.assets.length + rows.candles.length + rows.mids.length + rows.funding.length;
  const counts: WriteCounts = {
    assets: { written: 0, unchanged: 0 },
    candles: { written: 0, unchanged: 0 },
    mids: { written: 0, unchanged: 0 },
    funding: { written: 0, unchanged: 0 },
  };
  let done = 0;
  for (const batch of batches(rows, options.batchSize ?? 5000)) {
    addCounts(counts, memory.write(batch));
    options.derived?.applyFinal(batch.candles.filter((c) => c.intervalMs === MINUTE_MS));
    done += batch.assets.length + batch.candles.length + batch.mids.length + batch.funding.length;
    options.onProgress?.(done, total);
  }
  return { file, format, rows: total, counts };
}
