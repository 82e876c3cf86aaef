/**
 * Wiring of the Clones module: its commands with the entitlement limits (read model) and the
 * asset universe (market memory's registry joined with the taxonomy file, read at each save
 * and publish so registry refreshes count at once; the file is read once at start-up).
 */
import { MarketMemory } from '../adapters/market/market-memory.ts';
import { loadTaxonomy, universeOf } from '../adapters/market/taxonomy.ts';
import { CloneCommands } from '../commands/clones/handlers.ts';
import { activeLimitsOf } from '../projections/entitlements/entitlements.ts';
import type { Config } from './config.ts';
import type { Ledger } from './context.ts';

export function cloneCommandsOf(ledger: Ledger, config: Pick<Config, 'CLASH_TAXONOMY_FILE'>): CloneCommands {
  const db = ledger.store.db;
  new MarketMemory(db); // the registry table exists before the first read
  const taxonomy = loadTaxonomy(config.CLASH_TAXONOMY_FILE);
  return new CloneCommands({ ...ledger, limitsOf: (id) => activeLimitsOf(db, id), universe: () => universeOf(db, taxonomy) });
}
