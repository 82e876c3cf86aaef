/** Strategy graph fixtures: a valid data_stream -> asset_selection -> trading_prompt chain and node builders. */
import type { GraphNode, StrategyGraph } from '../../commands/clones/graph/schema.ts';

export const dataStream = (id: string): GraphNode => ({
  id,
  type: 'data_stream',
  config: {
    profile: 'balanced',
    sourcePolicy: {
      hyperliquid: { enabled: true, includeInPrompt: true },
      polymarket: { enabled: false, includeInPrompt: false },
      defillama: { enabled: true, includeInPrompt: true },
    },
    blocks: [
      { source: 'hyperliquid', channel: 'ohlcv', symbol: 'ETH', lookback: '24h', granularity: '1h', includeInPrompt: true },
      { source: 'defillama', channel: 'tvl', scope: { kind: 'global' }, lookback: '7d', includeInPrompt: true },
    ],
  },
});

export const assetSelection = (id: string, symbols: string[] = ['BTC', 'ETH']): GraphNode => ({
  id,
  type: 'asset_selection',
  config: { highLevelCategories: [], subcategories: [], explicitlyEnabledSymbols: symbols, explicitlyDisabledSymbols: [] },
});

export const tradingPrompt = (id: string, enabled = true): GraphNode => ({
  id,
  type: 'trading_prompt',
  config: {
    enabled,
    customBehaviorPrompt: 'Trade the trend, cut losers fast.',
    decisionCadenceSec: 300,
    candidatePolicy: { maxCandidates: 10 },
    coverageMode: 'global',
    assetOverrides: {},
  },
});

export const edge = (source: string, target: string) => ({ source, target });

/** ds -> assets -> prompt: the smallest publishable strategy. */
export function chainGraph(symbols: string[] = ['BTC', 'ETH']): StrategyGraph {
  return {
    nodes: [dataStream('ds'), assetSelection('assets', symbols), tradingPrompt('prompt')],
    edges: [edge('ds', 'assets'), edge('assets', 'prompt')],
  };
}
