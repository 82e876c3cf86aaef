/**
 * Wiring of the Competition module: its dependencies over the ledger (market memory, the read
 * models it takes facts from, Economy's ports) and the periodic worker that ticks it.
 */
import type { Logger } from 'pino';
import { MarketMemory } from '../adapters/market/market-memory.ts';
import type { CompetitionDeps, CompetitionRules } from '../commands/competition/handlers.ts';
import type { CompetitionEconomy, CompetitionReadModel, SettlementRecords } from '../commands/competition/ports.ts';
import { CompetitionWorker } from '../commands/competition/worker.ts';
import type { Db } from '../core/database.ts';
import { readModelFacts } from '../projections/competition/facts.ts';
import { CompetitionQueries } from '../projections/competition/queries.ts';
import type { Config } from './config.ts';
import type { Ledger } from './context.ts';
import type { Worker } from './workers.ts';

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
  };
}

/** The competition's rules read from configuration: the ticket price races open with (frozen into each race). */
export function competitionRules(config: Pick<Config, 'ECONOMY_TICKET_PRICE_WEI'>): CompetitionRules {
  return { race: { ticketPriceWei: config.ECONOMY_TICKET_PRICE_WEI } };
}

/** Ticks the competition worker every `intervalMs` at the ledger clock's time; a failed tick is logged and retried next time. */
export function startCompetitionWorker(
  ledger: Ledger,
  economy: CompetitionEconomy,
  rules: CompetitionRules,
  log: Logger,
  intervalMs: number,
): Worker {
  const worker = new CompetitionWorker({ ...competitionDeps(ledger, economy), rules });
  let failures = 0;
  let current: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    current = worker.tick(ledger.clock.now()).then(
      (report) => {
        if (report.handOffs > 0 || report.evaluated > 0) log.debug(report, 'competition tick');
        failures = 0;
      },
      (err: unknown) => {
        failures += 1;
        log.error({ err, failures }, 'competition tick failed; retrying at the next tick');
      },
    );
  }, intervalMs);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await current; // let a tick in flight finish before the ledger closes
    },
  };
}
