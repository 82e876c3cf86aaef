/**
 * The trend strategy the backtest benchmark and tests replay: one data stream with the `fast`
 * profile of Hyperliquid rows only (an hour of 1m candles and RSI per asset, no outside sources),
 * BTC and ETH selected, one prompt. The `rules` engine decides on the indicators.
 */
import type { StrategyGraph } from '../../commands/clones/graph/schema.ts';

/** BTC and ETH, the `fast` profile of Hyperliquid rows only, one prompt. */
export const trendGraph: StrategyGraph = {
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
        blocks: [],
      },
    },
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
        customBehaviorPrompt: 'Follow the trend.',
        decisionCadenceSec: 900,
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
