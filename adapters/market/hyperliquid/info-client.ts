/**
 * Hyperliquid's REST `/info` endpoint (`HYPERLIQUID_API_URL`, default
 * `https://api.hyperliquid.xyz/info`): the requests ingestion makes, each validated with zod.
 * A thin client of our own — `@nktkas/hyperliquid` needs Node ≥ 22.12 (`doc/market-data.md`).
 */
import { zCandles, zFundingPoints, zMetaAndAssetCtxs, zPredictedFundings } from '../importers/hyperliquid.ts';
import { fetchJson } from '../sources/http-json.ts';

/** Hyperliquid answers at most this many candles per `candleSnapshot`. */
export const CANDLE_PAGE = 5000;

export class HyperliquidInfo {
  constructor(
    readonly url: string,
    private readonly timeoutMs = 10_000,
  ) {}

  private post<S extends Parameters<typeof fetchJson>[1]>(body: unknown, schema: S, channel: string) {
    return fetchJson(this.url, schema, channel, { body, timeoutMs: this.timeoutMs });
  }

  /** Candles of `coin` opened in [startTime, endTime] (ms), at most `CANDLE_PAGE`. */
  candleSnapshot(coin: string, interval: string, startTime: number, endTime: number) {
    return this.post({ type: 'candleSnapshot', req: { coin, interval, startTime, endTime } }, zCandles, 'candles');
  }

  metaAndAssetCtxs() {
    return this.post({ type: 'metaAndAssetCtxs' }, zMetaAndAssetCtxs, 'contexts');
  }

  predictedFundings() {
    return this.post({ type: 'predictedFundings' }, zPredictedFundings, 'predictedFunding');
  }

  /** Funding points of `coin` in [startTime, endTime] (ms). */
  fundingHistory(coin: string, startTime: number, endTime?: number) {
    return this.post({ type: 'fundingHistory', coin, startTime, ...(endTime === undefined ? {} : { endTime }) }, zFundingPoints, 'funding');
  }
}
