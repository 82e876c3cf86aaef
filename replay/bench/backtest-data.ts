/**
 * Small strategies of the benchmarks and the backtest tests: one data stream with the `fast`
 * profile of Hyperliquid rows only (an hour of 1m candles and RSI per asset, no outside
 * sources), an explicit asset selection and one trading prompt.
 */
import type { GraphNode, StrategyGraph } from '../../commands/clones/graph/schema.ts';

type StreamBlock = Extract<GraphNode, { type: 'data_stream' }>['config']['blocks'][number];

/** data stream (`fast`, Hyperliquid only, `blocks`) → asset selection (`symbols`) → trading prompt. */
export function fastStrategy(
  symbols: readonly string[],
  prompt: { readonly behavior: string; readonly cadenceSec: number; readonly maxCandidates: number },
  blocks: readonly StreamBlock[] = [],
): StrategyGraph {
  return {
    nodes: [
      {
        id: 'ds',
        type: 'data_stream',
        config: {
          profile: 'fast',
          sourcePolicy: {
            hyperliquid: { enabled: true, includeInPrompt: true },
            polymarket: { enabled: false, includeInPrompt: false },
            defillama: { enabled: false, includeInPrompt: false },
          },
          blocks: [...blocks],
        },
      },
      {
        id: 'assets',
        type: 'asset_selection',
        config: { highLevelCategories: [], subcategories: [], explicitlyEnabledSymbols: [...symbols], explicitlyDisabledSymbols: [] },
      },
      {
        id: 'prompt',
        type: 'trading_prompt',
        config: {
          enabled: true,
          customBehaviorPrompt: prompt.behavior,
          decisionCadenceSec: prompt.cadenceSec,
          candidatePolicy: { maxCandidates: prompt.maxCandidates },
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
}

/** The trend strategy the backtest tests replay: BTC and ETH, decided every 15 minutes. */
export const trendGraph: StrategyGraph = fastStrategy(['BTC', 'ETH'], {
  behavior: 'Follow the trend.',
  cadenceSec: 900,
  maxCandidates: 10,
});
