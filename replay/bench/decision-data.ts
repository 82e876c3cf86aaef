/**
 * A market memory for decision contexts, loaded from the recorded data (`shared/data`): two
 * days of real 1m BTC and ETH candles (Bybit linear, stored under the Hyperliquid names) with
 * their indicators and 1h rollup, the recorded `metaAndAssetCtxs` (registry and contexts) taken
 * just before and just after T, ETH's funding history, the HLP TVL history and the Polymarket
 * markets. T is the close of the 1,800th minute (`decisionTime`). Used by the packet tests, the
 * prompt's golden file, the benchmark and the rendered example in doc/ai-trading.md.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DerivedSeries } from '../../adapters/market/derived/derived-series.ts';
import { parseBybitCsv } from '../../adapters/market/importers/bybit-csv.ts';
import { fundingRows, metaAndCtxRows, zFundingHistory, zMetaAndAssetCtxs } from '../../adapters/market/importers/hyperliquid.ts';
import { LiveRows } from '../../adapters/market/live-rows.ts';
import { MarketMemory } from '../../adapters/market/market-memory.ts';
import { protocolPoints, storeLlamaPoints, zProtocolTvl } from '../../adapters/market/sources/defillama.ts';
import { parseGammaMarkets, storeGammaMarkets } from '../../adapters/market/sources/polymarket.ts';
import type { GraphNode, StrategyGraph } from '../../commands/clones/graph/schema.ts';
import type { Db } from '../../core/database.ts';

export const DECISION_MINUTES = 2 * 1440;
const T_MINUTE = 1800;

/**
 * Stores the first `minutes` recorded 1m candles of each of `assets` (`<ASSET>USDT_1m.csv`, stored
 * under the Hyperliquid name) with their indicators; returns the open times of the last asset's
 * candles and the latest first and earliest last close time across the assets (ms).
 */
export function loadCandles(
  db: Db,
  sharedData: string,
  assets: readonly string[],
  minutes: number,
): { openTimes: number[]; firstClose: number; lastClose: number } {
  const memory = new MarketMemory(db);
  const derived = new DerivedSeries(db);
  let openTimes: number[] = [];
  let firstClose = 0;
  let lastClose = Number.MAX_SAFE_INTEGER;
  for (const asset of assets) {
    const path = join(sharedData, 'market', 'candles-1m', 'bybit-linear', `${asset}USDT_1m.csv`);
    const candles = parseBybitCsv(path, readFileSync(path, 'utf8'))
      .slice(0, minutes)
      .map((c) => ({ ...c, asset }));
    db.transaction(() => {
      memory.write({ assets: [], candles, mids: [], funding: [] });
      derived.applyFinal(candles);
    })();
    openTimes = candles.map((c) => c.openTime);
    firstClose = Math.max(firstClose, (candles[0]?.openTime ?? 0) + 60_000);
    lastClose = Math.min(lastClose, (candles.at(-1)?.openTime ?? 0) + 60_000);
  }
  return { openTimes, firstClose, lastClose };
}

/** Loads the rows into `db` (market tables created); returns the decision time T (ms). */
export function loadDecisionMarket(db: Db, sharedData: string, minutes = DECISION_MINUTES): { decisionTime: number } {
  const memory = new MarketMemory(db);
  const live = new LiveRows(db, memory);
  const loaded = loadCandles(db, sharedData, ['BTC', 'ETH'], minutes);
  const decisionTime = (loaded.openTimes[Math.min(T_MINUTE, loaded.openTimes.length) - 1] ?? 0) + 60_000;
  const hl = join(sharedData, 'market', 'hyperliquid');
  const ctxs = zMetaAndAssetCtxs.parse(
    JSON.parse(readFileSync(join(hl, 'hyperprop-marketing-site', 'hyperliquid-metaAndAssetCtxs.json'), 'utf8')),
  );
  memory.write(metaAndCtxRows(ctxs, decisionTime - 30_000));
  live.writeMetaAndContexts(ctxs, decisionTime - 30_000);
  live.writeMetaAndContexts(ctxs, decisionTime + 30_000);
  memory.write(fundingRows(zFundingHistory.parse(JSON.parse(readFileSync(join(hl, 'tripwire', 'fundingHistory.json'), 'utf8')))));
  const tvl = zProtocolTvl.parse(JSON.parse(readFileSync(join(sharedData, 'defillama', 'defillama_HLP.json'), 'utf8')));
  storeLlamaPoints(db, protocolPoints('hyperliquid-hlp', tvl));
  const { markets } = parseGammaMarkets(JSON.parse(readFileSync(join(sharedData, 'polymarket', 'ten_markets.json'), 'utf8')));
  storeGammaMarkets(db, markets, decisionTime - 60_000);
  return { decisionTime };
}

type StreamConfig = Extract<GraphNode, { type: 'data_stream' }>['config'];

/** A data stream `ds` with every source on and in the prompt, the `balanced` profile and no blocks, `config` merged over it. */
export const dataStreamWith = (config: Partial<StreamConfig> = {}): GraphNode => ({
  id: 'ds',
  type: 'data_stream',
  config: {
    profile: 'balanced',
    sourcePolicy: {
      hyperliquid: { enabled: true, includeInPrompt: true },
      polymarket: { enabled: true, includeInPrompt: true },
      defillama: { enabled: true, includeInPrompt: true },
    },
    blocks: [],
    ...config,
  },
});

const exampleStream: GraphNode = dataStreamWith({
  blocks: [
    { source: 'hyperliquid', channel: 'ohlcv', symbol: 'ETH', lookback: '1h', granularity: '1m', includeInPrompt: true },
    { source: 'defillama', channel: 'tvl', scope: { kind: 'protocol', id: 'hyperliquid-hlp' }, lookback: '7d', includeInPrompt: true },
    { source: 'polymarket', target: { kind: 'market', slug: 'nvidia-largest-company-in-july' }, includeInPrompt: true },
  ],
  assetOverrides: { BTC: { profile: 'deep' } },
});
/** The example strategy: balanced by default, deep for BTC, ETH minutes as cross-asset context, HLP TVL and a Polymarket market. */
export const exampleGraph: StrategyGraph = {
  nodes: [
    exampleStream,
    {
      id: 'assets',
      type: 'asset_selection',
      config: { highLevelCategories: [], subcategories: [], explicitlyEnabledSymbols: ['BTC', 'ETH'], explicitlyDisabledSymbols: [] },
    },
    {
      id: 'prompt',
      type: 'trading_prompt',
      config: {
        enabled: true,
        customBehaviorPrompt: 'Trade the trend, cut losers fast.',
        decisionCadenceSec: 300,
        candidatePolicy: { maxCandidates: 10 },
        coverageMode: 'global',
        assetOverrides: {},
      },
    },
  ],
  edges: [
    { source: 'ds', target: 'assets' },
    { source: 'assets', target: 'prompt' },
  ],
};
