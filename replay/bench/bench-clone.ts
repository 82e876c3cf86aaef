/**
 * The clone the HTTP bench's prop accounts belong to: opening an account names a clone and one
 * of its published strategy versions, and the server refuses unknown ones (404). Written through
 * the clones module's own commands into the bench's fresh ledger before the server starts.
 */

import type { StrategyGraph } from '../../commands/clones/graph/schema.ts';
import { CloneCommands } from '../../commands/clones/handlers.ts';
import { tiers } from '../../commands/entitlements/tiers.ts';
import { openLedger } from '../../server/context.ts';

/** data stream → asset selection (BTC) → trading prompt: the smallest publishable strategy. */
const graph: StrategyGraph = {
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
        blocks: [{ source: 'hyperliquid', channel: 'ohlcv', symbol: 'BTC', lookback: '1h', granularity: '1m', includeInPrompt: true }],
      },
    },
    {
      id: 'assets',
      type: 'asset_selection',
      config: { highLevelCategories: [], subcategories: [], explicitlyEnabledSymbols: ['BTC'], explicitlyDisabledSymbols: [] },
    },
    {
      id: 'prompt',
      type: 'trading_prompt',
      config: {
        enabled: true,
        customBehaviorPrompt: 'Bench.',
        decisionCadenceSec: 300,
        candidatePolicy: { maxCandidates: 1 },
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

/** Creates one clone with one published version in the ledger at `dbPath`; returns their ids. */
export function seedBenchClone(dbPath: string): { cloneId: string; strategyVersionId: string } {
  const ledger = openLedger({ dbPath, synchronous: 'NORMAL' });
  try {
    const clones = new CloneCommands({ ...ledger, limitsOf: () => tiers.starter });
    const owner = 'bench-owner';
    const cloneId = clones.create(owner, 'Bench', 'basic');
    clones.saveDraft(cloneId, owner, graph, {});
    const strategyVersionId = clones.publish(cloneId, owner);
    return { cloneId, strategyVersionId };
  } finally {
    ledger.close();
  }
}
