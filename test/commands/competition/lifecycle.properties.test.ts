/**
 * Properties of the lifecycle: the Promotion Queue is FIFO by pass time and the Arena never
 * holds more clones than it has slots; a clone is never in two places; tickets are conserved
 * (held = bought − refunded, in the race and in its read model); replay equals live.
 */
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { type ArenaCommand, arenaDecider } from '../../../commands/competition/arena-decider.ts';
import type { ArenaEvent } from '../../../commands/competition/arena-events.ts';
import type { ArenaState } from '../../../commands/competition/arena-state.ts';
import { type RaceCommand, raceDecider, raceStreamId } from '../../../commands/competition/race-decider.ts';
import type { RaceEvent } from '../../../commands/competition/race-events.ts';
import { raceResultOf } from '../../../commands/competition/race-settlement.ts';
import { heldTickets, type RaceState } from '../../../commands/competition/race-state.ts';
import type { Decider } from '../../../core/decider.ts';
import { DomainError } from '../../../core/errors.ts';
import type { RecordedEvent } from '../../../core/event-store.ts';
import { verifyProjection } from '../../../core/projection-rebuild.ts';
import { competitionProjections } from '../../../projections/competition/index.ts';
import { fcRuns, fcSeed, tempDir } from '../../support/store.ts';
import { openCompetitionStore, wallet } from './competition-store.ts';

const SLOTS = 3;
const clones = ['k0', 'k1', 'k2', 'k3', 'k4', 'k5', 'k6'];
const dir = tempDir();
let files = 0;

/** Decides and folds in memory; a refusal leaves the state as it was. */
function step<C extends { type: string }, S, E extends { type: string; data: unknown }>(
  decider: Decider<C, S, E>,
  state: S,
  command: C,
): { state: S; events: E[] } {
  try {
    const events = [...decider.decide(command, state)];
    return { state: events.reduce((s, e) => decider.evolve(s, e as RecordedEvent<E>), state), events };
  } catch (error) {
    if (error instanceof DomainError) return { state, events: [] };
    throw error;
  }
}

const arbitraryArenaCommand: fc.Arbitrary<ArenaCommand> = fc.oneof(
  fc.record({ cloneId: fc.constantFrom(...clones), passedAt: fc.integer({ min: 0, max: 20 }) }).map(({ cloneId, passedAt }) => ({
    type: 'QueueClone' as const,
    cloneId,
    auditionId: `aud-${cloneId}-${passedAt}`,
    passedAt,
    at: 100,
  })),
  fc.subarray(clones).map((approvedCloneIds) => ({ type: 'AdmitFromQueue' as const, approvedCloneIds, at: 100 })),
  fc
    .record({ cloneId: fc.constantFrom(...clones), approvedCloneIds: fc.subarray(clones), retire: fc.boolean() })
    .map(({ cloneId, approvedCloneIds, retire }) => ({
      type: retire ? ('RetireClone' as const) : ('RemoveClone' as const),
      cloneId,
      operator: 'op',
      reason: 'test',
      approvedCloneIds,
      at: 100,
    })),
);

function checkPlaces(state: ArenaState): void {
  assert.ok(state.slots.length <= SLOTS, 'slots never exceed the limit');
  assert.ok(state.slots.every((s) => s.slot >= 1 && s.slot <= SLOTS));
  assert.is(new Set(state.slots.map((s) => s.slot)).size, state.slots.length);
  const held = [...state.queue.map((q) => q.cloneId), ...state.slots.map((s) => s.cloneId)];
  assert.is(new Set(held).size, held.length, 'a clone is in one place at most');
  assert.ok(
    held.every((id) => !state.retired.has(id)),
    'a retired clone is neither queued nor in the Arena',
  );
  for (let i = 1; i < state.queue.length; i++) {
    assert.ok((state.queue[i - 1]?.passedAt ?? 0) <= (state.queue[i]?.passedAt ?? 0), 'the queue is ordered by pass time');
  }
}

test('queue FIFO by pass time, slots within the limit, one place per clone', () => {
  fc.assert(
    fc.property(fc.array(arbitraryArenaCommand, { maxLength: 40 }), (commands) => {
      let state = step(arenaDecider, arenaDecider.initialState(), { type: 'OpenArena', rules: { slots: SLOTS }, at: 0 }).state;
      for (const command of commands) {
        const before = state;
        const result = step(arenaDecider, state, command);
        state = result.state;
        checkPlaces(state);
        if (command.type === 'AdmitFromQueue') {
          const free = SLOTS - before.slots.length;
          const expected = before.queue.filter((q) => command.approvedCloneIds.includes(q.cloneId)).slice(0, free);
          const admitted = result.events.filter((e): e is Extract<ArenaEvent, { type: 'CloneAdmitted' }> => e.type === 'CloneAdmitted');
          assert.equal(
            admitted.map((e) => e.data.cloneId),
            expected.map((q) => q.cloneId),
            'admission takes the approved queue heads in order',
          );
        }
      }
    }),
    { seed: fcSeed, numRuns: fcRuns * 3 },
  );
});

const arbitraryPurchase = fc.record({
  cloneId: fc.constantFrom(...clones),
  holder: fc.constantFrom('a1', 'b2', 'c3'),
  tickets: fc.integer({ min: 1, max: 5 }),
  inArena: fc.boolean(),
  repeat: fc.boolean(),
});

const arbitraryRace = fc.record({
  purchases: fc.array(arbitraryPurchase, { maxLength: 25 }),
  entrants: fc.uniqueArray(fc.constantFrom(...clones), { minLength: 2, maxLength: clones.length }),
  finals: fc.array(fc.integer({ min: 8_000, max: 12_000 }), { minLength: clones.length, maxLength: clones.length }),
});

type RaceCase = typeof arbitraryRace extends fc.Arbitrary<infer T> ? T : never;

function raceCommands(raceId: string, c: RaceCase): RaceCommand[] {
  const commands: RaceCommand[] = [{ type: 'OpenRace', raceId, sequence: 1, launchAt: 10, at: 0 }];
  c.purchases.forEach((p, i) => {
    const paymentId = `pay-${p.repeat && i > 0 ? i - 1 : i}`;
    commands.push({
      type: 'BuyTickets',
      raceId,
      paymentId,
      holder: wallet(p.holder),
      cloneId: p.cloneId,
      tickets: p.tickets,
      amountWei: BigInt(p.tickets) * 10n ** 16n,
      cloneInArena: p.inArena,
      at: 1,
    });
  });
  const entrants = c.entrants.map((cloneId) => ({
    cloneId,
    creator: wallet('c4'),
    propAccountId: `pa-${cloneId}`,
    startingEquityMicroUsd: 10_000_000_000n,
  }));
  const finalEquities = c.entrants.map((cloneId, i) => ({ cloneId, finalEquityMicroUsd: BigInt(c.finals[i] ?? 10_000) * 1_000_000n }));
  commands.push(
    { type: 'LaunchRace', raceId, entrants, at: 10 },
    { type: 'StartRace', raceId, at: 10 },
    { type: 'CloseRace', raceId, at: 10 + 6 * 3_600_000 },
    { type: 'SettleRace', raceId, finalEquities, checkpoint: { treeSize: 1, rootHash: '00'.repeat(32) }, at: 11 + 6 * 3_600_000 },
  );
  return commands;
}

test('tickets are conserved: held = bought − refunded; refunds are exactly the purchases on clones that did not launch', () => {
  fc.assert(
    fc.property(arbitraryRace, (c) => {
      let state: RaceState = raceDecider.initialState();
      const events: RaceEvent[] = [];
      for (const command of raceCommands('r', c)) {
        const result = step(raceDecider, state, command);
        state = result.state;
        events.push(...result.events);
      }
      const bought = events.flatMap((e) => (e.type === 'TicketsBought' ? [e.data] : []));
      const refunds = events.flatMap((e) => (e.type === 'TicketRefundOwed' ? [e.data] : []));
      const sum = (xs: readonly { tickets: number }[]) => xs.reduce((n, x) => n + x.tickets, 0);
      assert.ok(state);
      if (!state) return;
      assert.is(heldTickets(state), sum(bought) - sum(refunds));
      assert.equal(
        refunds.map((r) => r.paymentId),
        bought.filter((b) => !c.entrants.includes(b.cloneId)).map((b) => b.paymentId),
      );
      assert.is(new Set(bought.map((b) => b.paymentId)).size, bought.length, 'one purchase per payment');
      const settled = events.find((e) => e.type === 'RaceSettled');
      if (settled?.type === 'RaceSettled') assert.is(settled.data.ticketsSold, heldTickets(state));
    }),
    { seed: fcSeed, numRuns: fcRuns * 3 },
  );
});

test('on a real ledger: the race read model conserves tickets and every read model equals its replay', () => {
  fc.assert(
    fc.property(fc.array(arbitraryArenaCommand, { maxLength: 15 }), arbitraryRace, (arenaCommands, race) => {
      const c = openCompetitionStore(dir.file(`prop-${++files}.db`));
      /** Runs a command; a refusal is part of the game. */
      const handle = (run: () => unknown) => {
        try {
          run();
        } catch (error) {
          if (!(error instanceof DomainError)) throw error;
        }
      };
      handle(() =>
        c.arena.handle({ streamId: c.arenaStream, command: { type: 'OpenArena', rules: { slots: SLOTS, strikesToRetire: 1 }, at: 0 } }),
      );
      for (const command of arenaCommands) handle(() => c.arena.handle({ streamId: c.arenaStream, command }));
      handle(() => c.arena.handle({ streamId: c.arenaStream, command: { type: 'ScheduleRace', raceId: 'r', at: 0 } }));
      for (const command of raceCommands('r', race)) handle(() => c.races.handle({ streamId: raceStreamId('r'), command }));
      handle(() => c.arena.handle({ streamId: c.arenaStream, command: { type: 'RecordRaceLaunch', raceId: 'r', at: 10 } }));
      const settled = c.races.load(raceStreamId('r')).state;
      const recorded = c.store.readStream(raceStreamId('r')).find((e) => e.type === 'RaceSettled') as RecordedEvent<RaceEvent> | undefined;
      if (recorded?.type === 'RaceSettled') {
        const result = raceResultOf(recorded.data);
        handle(() =>
          c.arena.handle({ streamId: c.arenaStream, command: { type: 'RecordRaceResult', ...result, approvedCloneIds: clones, at: 99 } }),
        );
      }
      const row = c.store.db.prepare(`SELECT tickets FROM competition_races WHERE race_id = 'r'`).pluck().get();
      const pools = c.store.db.prepare(`SELECT coalesce(sum(tickets), 0) FROM competition_race_pool WHERE race_id = 'r'`).pluck().get();
      const positions = c.store.db
        .prepare(`SELECT coalesce(sum(tickets), 0) FROM competition_ticket_positions WHERE race_id = 'r'`)
        .pluck()
        .get();
      assert.is(row, settled ? heldTickets(settled) : undefined);
      assert.is(pools, row);
      assert.is(positions, row);
      for (const p of competitionProjections) {
        const v = verifyProjection(c.store, p);
        assert.ok(v.ok, `${p.name}: ${JSON.stringify(v.firstDifference)}`);
      }
      c.store.close();
    }),
    { seed: fcSeed, numRuns: Math.max(5, Math.floor(fcRuns / 4)) },
  );
});

test.after(() => dir.remove());
test.run();
