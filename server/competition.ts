/**
 * Wiring of the Competition module: its dependencies over the ledger (market memory, the read
 * models it takes facts from, Economy's ports) and the periodic worker that ticks it.
 */
import type { Logger } from 'pino';
import { MarketMemory } from '../adapters/market/market-memory.ts';
import { type CompetitionDeps, type CompetitionRules, WORKER_ACTOR } from '../commands/competition/handlers.ts';
import type { CompetitionEconomy, CompetitionReadModel, SettlementRecords } from '../commands/competition/ports.ts';
import { CompetitionWorker } from '../commands/competition/worker.ts';
import type { Db } from '../core/database.ts';
import { readModelFacts } from '../projections/competition/facts.ts';
import { CompetitionQueries } from '../projections/competition/queries.ts';
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

/**
 * Runs the competition worker at the ledger clock's time: one tick at once (so the Arena opens
 * and due work is done at start-up, not one interval later), then every `intervalMs`. Each
 * event a tick appends as the worker (actor `service:competition`: an audition passed, a race
 * launched, a refund owed…) is logged at info as a state change; each tick's work (hand-offs,
 * evaluations, auditions waiting and why, events appended) at debug. A failed tick is logged
 * and retried at the next one.
 */
export function startCompetitionWorker(
  ledger: Ledger,
  economy: CompetitionEconomy,
  rules: CompetitionRules,
  log: Logger,
  intervalMs: number,
): Worker {
  const worker = new CompetitionWorker({ ...competitionDeps(ledger, economy), rules });
  let failures = 0;
  const tick = async () => {
    const before = ledger.store.headPosition();
    try {
      const report = await worker.tick(ledger.clock.now());
      let changes = 0;
      for (const e of ledger.store.readAll({ after: before })) {
        if (e.metadata.actor !== WORKER_ACTOR) continue;
        changes += 1;
        log.info({ event: e.type, streamId: e.streamId, position: e.position }, 'competition state change');
      }
      log.debug({ ...report, changes }, 'competition tick');
      failures = 0;
    } catch (err) {
      failures += 1;
      log.error({ err, failures }, 'competition tick failed; retrying at the next tick');
    }
  };
  let current = tick();
  const timer = setInterval(() => {
    current = current.then(tick);
  }, intervalMs);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await current; // let a tick in flight finish before the ledger closes
    },
  };
}
