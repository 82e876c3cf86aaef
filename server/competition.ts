/**
 * Wiring of the Competition module: its dependencies over the ledger (market memory, the read
 * models it takes facts from, Economy's ports). The worker that ticks it is in `workers.ts`.
 */
import { MarketMemory } from '../adapters/market/market-memory.ts';
import type { CompetitionDeps } from '../commands/competition/handlers.ts';
import type { CompetitionEconomy, CompetitionReadModel, SettlementRecords } from '../commands/competition/ports.ts';
import type { Db } from '../core/database.ts';
import { readModelFacts } from '../projections/competition/facts.ts';
import { CompetitionQueries } from '../projections/competition/queries.ts';
import type { Ledger } from './context.ts';

/** The competition read models behind the ports Competition owns for them (`commands/competition/ports.ts`). */
export function competitionReadModel(db: Db): CompetitionReadModel & SettlementRecords {
  return new CompetitionQueries(db);
}

export function competitionDeps(ledger: Ledger, economy: CompetitionEconomy): Omit<CompetitionDeps, 'clock'> {
  const db = ledger.store.db;
  return {
    store: ledger.store,
    ids: ledger.ids,
    market: new MarketMemory(db),
    economy,
    facts: readModelFacts(db),
    queries: competitionReadModel(db),
    checkpoints: ledger.checkpoints,
  };
}
