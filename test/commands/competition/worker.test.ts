/**
 * The competition worker on a ledger with an in-memory market: postponement, idempotent ticks,
 * and the audit by replay as a property — any generated race (tickets, trades, price moves)
 * settles to what the audit recomputes, and tampering with one ticket or one fill is caught.
 */
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ARENA_STREAM_ID } from '../../../commands/competition/arena-decider.ts';
import { WORKER_ACTOR } from '../../../commands/competition/handlers.ts';
import { auditRaceSettlement } from '../../../commands/competition/settlement-audit.ts';
import { CompetitionWorker } from '../../../commands/competition/worker.ts';
import { LedgerProofs } from '../../../commands/ledger/proofs.ts';
import { SequentialIds } from '../../../core/clock.ts';
import type { EventStore, RecordedEvent } from '../../../core/event-store.ts';
import { CompetitionQueries } from '../../../projections/competition/queries.ts';
import { openLedger } from '../../../server/context.ts';
import { TestEconomy, testFacts } from '../../support/competition-economy.ts';
import { px, T0, TestMarket } from '../../support/prop-trading.ts';
import { fcSeed, tempDir } from '../../support/store.ts';
import { holderPool } from './arbitrary-race.ts';

const HOUR = 3_600_000;
const CLONES = ['alpha', 'bravo', 'charlie'];
const PRICE = 10n ** 16n;
const facts = testFacts;

function setup() {
  const dir = tempDir('clash-worker-');
  const ledger = openLedger({ dbPath: dir.file('worker.db'), synchronous: 'NORMAL', ids: new SequentialIds() });
  const market = new TestMarket();
  const economy = new TestEconomy();
  const queries = new CompetitionQueries(ledger.store.db);
  const worker = new CompetitionWorker({
    store: ledger.store,
    ids: ledger.ids,
    market,
    economy,
    facts,
    queries,
    checkpoints: ledger.checkpoints,
    rules: { race: { liveWindowMs: HOUR }, arena: { strikesToRetire: 1_000 } },
  });
  const c = worker.competition;
  const admit = async (cloneIds: readonly string[], now: number) => {
    await worker.tick(now);
    for (const cloneId of cloneIds)
      c.arenaCommand({ type: 'QueueClone', cloneId, auditionId: `a-${cloneId}`, passedAt: now }, WORKER_ACTOR);
    c.arenaCommand({ type: 'AdmitFromQueue', approvedCloneIds: cloneIds }, WORKER_ACTOR);
  };
  const current = () => queries.racesAt('accumulating')[0];
  return { dir, ledger, market, economy, queries, worker, c, admit, current };
}

test('with fewer than two Arena clones the launch moves one period later, tickets kept; a repeated tick appends nothing', async () => {
  const { dir, ledger, economy, worker, c, admit, current } = setup();
  await admit(['alpha'], T0);
  const race = current();
  assert.ok(race);
  economy.buyTickets(c, race.raceId, holderPool[0] as `0x${string}`, 'alpha', 2, PRICE);
  const head = ledger.store.headPosition();
  await worker.tick(T0);
  assert.is(ledger.store.headPosition(), head, 'nothing is due');
  await worker.tick(race.launchAt);
  assert.equal([current()?.raceId, current()?.launchAt, current()?.tickets], [race.raceId, race.launchAt + 6 * HOUR, 2]);
  const after = ledger.store.headPosition();
  await worker.tick(race.launchAt);
  assert.is(ledger.store.headPosition(), after);
  assert.is(c.arena.load(ARENA_STREAM_ID).state.races.length, 1, 'still exactly one race accumulating');
  ledger.close();
  dir.remove();
});

/** One event of a stream changed in what `readStream` returns, the way an edit of the file would. */
function tamperedStore(store: EventStore, streamId: string, type: string, change: (data: Record<string, unknown>) => unknown): EventStore {
  const view = Object.create(store) as EventStore;
  view.readStream = (id, options) => {
    const events = store.readStream(id, options);
    if (id !== streamId) return events;
    const at = events.findIndex((e) => e.type === type);
    return events.map((e, i) => (i === at ? ({ ...e, data: change(e.data as Record<string, unknown>) } as RecordedEvent) : e));
  };
  return view;
}

const arbitraryRace = fc.record({
  tickets: fc.array(
    fc.record({ holder: fc.constantFrom(...holderPool), cloneId: fc.constantFrom(...CLONES), count: fc.integer({ min: 1, max: 5 }) }),
    { minLength: 1, maxLength: 6 },
  ),
  trades: fc.array(fc.option(fc.record({ side: fc.constantFrom('long', 'short'), notional: fc.constantFrom('1000', '5000', '20000') })), {
    minLength: CLONES.length,
    maxLength: CLONES.length,
  }),
  movePermille: fc.integer({ min: -30, max: 30 }),
});

test('property: the audit of any generated race agrees, and fails naming a difference after one event is tampered with', async () => {
  const { dir, ledger, market, economy, queries, worker, c, admit, current } = setup();
  const proofs = new LedgerProofs(ledger.store, ledger.ledgerKey().publicKey);
  await admit(CLONES, T0);
  await fc.assert(
    fc.asyncProperty(arbitraryRace, async ({ tickets, trades, movePermille }) => {
      const race = current();
      if (!race) throw new Error('no race accumulating');
      for (const t of tickets) economy.buyTickets(c, race.raceId, t.holder, t.cloneId, t.count, PRICE);
      const start = px('100000');
      market.setPrice('BTC', start, race.launchAt);
      await worker.tick(race.launchAt);
      const entrants = queries.entrants(race.raceId);
      entrants.forEach((e, i) => {
        const trade = trades[i];
        if (trade) {
          c.prop.submitAction(
            e.propAccountId,
            {
              decisionRunId: `r-${race.raceId}-${i}`,
              asset: 'BTC',
              action: 'open',
              side: trade.side,
              notionalUsd: trade.notional,
              leverage: 5,
            },
            WORKER_ACTOR,
          );
        }
      });
      const closeAt = race.launchAt + HOUR;
      market.setPrice('BTC', start + (start * BigInt(movePermille)) / 1000n, closeAt);
      await worker.tick(closeAt);
      assert.is(queries.race(race.raceId)?.stage, 'archived');
      const audit = auditRaceSettlement(ledger.store, queries, race.raceId, proofs);
      assert.equal(audit.differences, []);
      assert.ok((audit.proven ?? 0) > tickets.length, 'the race and account events were proven in the recorded checkpoint');
      const bought = tamperedStore(ledger.store, `race-${race.raceId}`, 'TicketsBought', (d) => ({ ...d, tickets: Number(d.tickets) + 1 }));
      assert.match(auditRaceSettlement(bought, queries, race.raceId, proofs).differences[0] ?? '', 'RaceSettled.ticketsSold');
      const traded = entrants.find((_, i) => trades[i]);
      if (traded) {
        const fee = tamperedStore(ledger.store, `prop-account-${traded.propAccountId}`, 'OrderFilled', (d) => ({
          ...d,
          feeMicroUsd: (d.feeMicroUsd as bigint) + 1n,
        }));
        // The entrant's final equity is one micro-USD lower: its ranking line (or the order of a dead heat) differs.
        assert.match(auditRaceSettlement(fee, queries, race.raceId, proofs).differences[0] ?? '', /^RaceSettled\.ranking\[\d+\]\./);
      }
    }),
    // The ledger moves on from run to run, so a failure is reported as found, never shrunk.
    { seed: fcSeed, numRuns: 15, endOnFailure: true },
  );
  ledger.close();
  dir.remove();
});

test.run();
