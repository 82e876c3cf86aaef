/**
 * The clone the HTTP bench's prop accounts belong to: opening an account names a clone and one
 * of its published strategy versions, and the server refuses unknown ones (404). Written through
 * the clones module's own commands into the bench's fresh ledger before the server starts.
 */

import { CloneCommands } from '../../commands/clones/handlers.ts';
import { tiers } from '../../commands/entitlements/tiers.ts';
import { openLedger } from '../../server/context.ts';
import { fastStrategy } from './backtest-data.ts';

/** data stream → asset selection (BTC) → trading prompt: the smallest publishable strategy. */
const graph = fastStrategy(['BTC'], { behavior: 'Bench.', cadenceSec: 300, maxCandidates: 1 }, [
  { source: 'hyperliquid', channel: 'ohlcv', symbol: 'BTC', lookback: '1h', granularity: '1m', includeInPrompt: true },
]);

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
