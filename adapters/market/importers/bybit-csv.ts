/**
 * Bybit kline CSV (`timestamp,open,high,low,close,volume`, the candle's open time written by
 * pandas as `YYYY-MM-DD HH:MM:SS+00:00`). The asset and interval come from the file name,
 * `BTCUSDT_1m.csv` → BTC, 1 minute (the quote suffix USDT/USDC/USD is dropped).
 */
import { basename } from 'node:path';
import { ValidationError } from '../../../core/errors.ts';
import type { Candle } from '../market-memory.ts';
import { parsePrice, parseSize } from '../units.ts';
import { intervalMs } from './intervals.ts';

export const BYBIT_HEADER = 'timestamp,open,high,low,close,volume';

export function bybitFileName(file: string): { asset: string; intervalMs: number } | undefined {
  const m = /^([A-Z0-9]+?)(?:USDT|USDC|USD)_(\d+[mhdw])\.csv$/i.exec(basename(file));
  const interval = m && intervalMs(m[2] as string);
  return m && interval ? { asset: (m[1] as string).toUpperCase(), intervalMs: interval } : undefined;
}

export function parseBybitCsv(file: string, text: string): Candle[] {
  const named = bybitFileName(file);
  if (!named) {
    throw new ValidationError(file, [{ path: 'file name', message: 'expected SYMBOLUSDT_<interval>.csv, e.g. BTCUSDT_1m.csv' }]);
  }
  const lines = text.split(/\r?\n/);
  const candles: Candle[] = [];
  for (const [i, line] of lines.entries()) {
    if (i === 0 || line.trim() === '') continue;
    const cells = line.split(',');
    const openTime = Date.parse((cells[0] ?? '').replace(' ', 'T'));
    if (cells.length !== 6 || !Number.isFinite(openTime)) {
      throw new ValidationError(file, [{ path: `line ${i + 1}`, message: `expected ${BYBIT_HEADER}` }]);
    }
    const [open, high, low, close, volume] = cells.slice(1).map((c, k) => (k === 4 ? parseSize(c) : parsePrice(c)));
    candles.push({
      asset: named.asset,
      intervalMs: named.intervalMs,
      openTime,
      open: open as bigint,
      high: high as bigint,
      low: low as bigint,
      close: close as bigint,
      volume: volume as bigint,
    });
  }
  return candles;
}
