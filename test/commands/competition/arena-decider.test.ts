import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { arenaDecider } from '../../../commands/competition/arena-decider.ts';
import { type ArenaEvent, defaultArenaRules } from '../../../commands/competition/arena-events.ts';
import { type Career, emptyCareer, type RaceResultLine, withRace } from '../../../commands/competition/career.ts';
import { specFor } from '../../support/decider-spec.ts';

const spec = specFor(arenaDecider);
const USD = 1_000_000n;

const opened = (slots = 2): ArenaEvent => ({ type: 'ArenaOpened', data: { rules: { ...defaultArenaRules, slots }, openedAt: 0 } });
const queued = (cloneId: string, passedAt: number, at = passedAt): ArenaEvent => ({
  type: 'CloneQueued',
  data: { cloneId, auditionId: `aud-${cloneId}`, passedAt, queuedAt: at },
});
const admitted = (cloneId: string, slot: number, at: number): ArenaEvent => ({
  type: 'CloneAdmitted',
  data: { cloneId, auditionId: `aud-${cloneId}`, slot, admittedAt: at },
});
const scheduled = (raceId: string, sequence: number): ArenaEvent => ({ type: 'RaceScheduled', data: { raceId, sequence, scheduledAt: 0 } });
const launched = (raceId: string, sequence: number): ArenaEvent => ({
  type: 'RaceLaunchRecorded',
  data: { raceId, sequence, launchedAt: 0 },
});
const line = (cloneId: string, position: number, tickets: number, finalUsd = 10_000n): RaceResultLine => ({
  cloneId,
  position,
  tickets,
  startingEquityMicroUsd: 10_000n * USD,
  finalEquityMicroUsd: finalUsd * USD,
  royaltyWei: 0n,
});
const recorded = (raceId: string, sequence: number, entrants: RaceResultLine[], at = 0): ArenaEvent => ({
  type: 'RaceResultRecorded',
  data: { raceId, sequence, ticketsSold: entrants.reduce((n, e) => n + e.tickets, 0), entrants, recordedAt: at },
});
const strike = (cloneId: string, raceId: string, strikes: number, tickets: number, ticketsSold: number, at = 0): ArenaEvent => ({
  type: 'StrikeGiven',
  data: { cloneId, raceId, strikes, tickets, ticketsSold, at },
});
const result = (raceId: string, entrants: RaceResultLine[], approvedCloneIds: string[] = [], at = 0) =>
  ({ type: 'RecordRaceResult', raceId, ticketsSold: entrants.reduce((n, e) => n + e.tickets, 0), entrants, approvedCloneIds, at }) as const;
const arena = [opened(), queued('a', 10), queued('b', 20), admitted('a', 1, 30), admitted('b', 2, 30)];

test('the arena opens once with its rules frozen; nothing happens before', () => {
  spec
    .given([])
    .when({ type: 'OpenArena', at: 0 })
    .thenEmits([{ type: 'ArenaOpened', data: { rules: defaultArenaRules, openedAt: 0 } }]);
  spec
    .given([])
    .when({ type: 'OpenArena', rules: { slots: 2 }, at: 0 })
    .thenEmits([opened(2)]);
  spec
    .given([])
    .when({ type: 'OpenArena', rules: { slots: 0 }, at: 0 })
    .thenThrows('arena_rules_invalid');
  spec.given([opened()]).when({ type: 'OpenArena', at: 0 }).thenThrows('arena_already_open');
  spec.given([]).when({ type: 'QueueClone', cloneId: 'a', auditionId: 'aud-a', passedAt: 1, at: 1 }).thenThrows('arena_not_open');
});

test('a passed clone is queued once: a repeat of its pass is a no-op, any other entry is refused', () => {
  const q = (cloneId: string, auditionId = `aud-${cloneId}`) => ({ type: 'QueueClone', cloneId, auditionId, passedAt: 5, at: 6 }) as const;
  spec
    .given([opened()])
    .when(q('a'))
    .thenEmits([queued('a', 5, 6)]);
  spec
    .given([opened(), queued('a', 5, 6)])
    .when(q('a'))
    .thenEmits([]);
  spec
    .given([opened(), queued('a', 5, 6)])
    .when(q('a', 'aud-2'))
    .thenThrows('clone_already_queued');
  spec.given(arena).when(q('a', 'aud-2')).thenThrows('clone_already_in_arena');
  const retired: ArenaEvent = {
    type: 'CloneRetired',
    data: {
      cloneId: 'a',
      cause: 'admin',
      from: 'arena',
      slot: 1,
      raceId: null,
      retiredBy: 'op',
      reason: 'spam',
      career: emptyCareer,
      retiredAt: 40,
    },
  };
  spec
    .given([...arena, retired])
    .when(q('a', 'aud-3'))
    .thenThrows('clone_retired');
});

test('admission is FIFO by pass time, skips clones without an approved profile (they keep their place), never overfills', () => {
  // c passed first but was queued last
  const given = [opened(2), queued('a', 20), queued('b', 30), queued('c', 10, 40)];
  spec
    .given(given)
    .when({ type: 'AdmitFromQueue', approvedCloneIds: ['a', 'b', 'c'], at: 50 })
    .thenEmits([admitted('c', 1, 50), admitted('a', 2, 50)]);
  spec
    .given(given)
    .when({ type: 'AdmitFromQueue', approvedCloneIds: ['a', 'b'], at: 50 })
    .thenEmits([admitted('a', 1, 50), admitted('b', 2, 50)]);
  spec
    .given([...given, admitted('a', 1, 50), admitted('b', 2, 50)])
    .when({ type: 'AdmitFromQueue', approvedCloneIds: ['c'], at: 60 })
    .thenEmits([]);
});

test('removal frees the slot and the next approved queue head takes it; a queued clone can be removed too', () => {
  const given = [...arena, queued('c', 40), queued('d', 50)];
  spec
    .given(given)
    .when({ type: 'RemoveClone', cloneId: 'a', operator: 'op', reason: 'abuse', approvedCloneIds: ['d'], at: 60 })
    .thenEmits([
      { type: 'CloneRemoved', data: { cloneId: 'a', from: 'arena', slot: 1, removedBy: 'op', reason: 'abuse', removedAt: 60 } },
      admitted('d', 1, 60),
    ]);
  spec
    .given(given)
    .when({ type: 'RemoveClone', cloneId: 'c', operator: 'op', reason: 'abuse', approvedCloneIds: ['d'], at: 60 })
    .thenEmits([
      { type: 'CloneRemoved', data: { cloneId: 'c', from: 'queue', slot: null, removedBy: 'op', reason: 'abuse', removedAt: 60 } },
    ]);
  spec
    .given(given)
    .when({ type: 'RemoveClone', cloneId: 'zz', operator: 'op', reason: 'x', approvedCloneIds: [], at: 60 })
    .thenThrows('clone_not_in_competition');
});

test('an admin retirement writes the career into the Hall of Fame entry and refills the slot', () => {
  const career = withRace(emptyCareer, 'r1', line('a', 1, 3, 11_000n));
  const given = [
    ...arena,
    scheduled('r1', 1),
    launched('r1', 1),
    recorded('r1', 1, [line('a', 1, 3, 11_000n), line('b', 2, 2)]),
    queued('c', 40),
  ];
  spec
    .given(given)
    .when({ type: 'RetireClone', cloneId: 'a', operator: 'op', reason: 'creator request', approvedCloneIds: ['c'], at: 70 })
    .thenEmits([
      {
        type: 'CloneRetired',
        data: {
          cloneId: 'a',
          cause: 'admin',
          from: 'arena',
          slot: 1,
          raceId: null,
          retiredBy: 'op',
          reason: 'creator request',
          career,
          retiredAt: 70,
        },
      },
      admitted('c', 1, 70),
    ]);
  const retired = {
    type: 'CloneRetired',
    data: { cloneId: 'a', cause: 'admin', from: 'arena', slot: 1, raceId: null, retiredBy: 'op', reason: 'r', career, retiredAt: 70 },
  } as const;
  spec
    .given([...given, retired])
    .when({ type: 'RetireClone', cloneId: 'a', operator: 'op', reason: 'again', approvedCloneIds: [], at: 80 })
    .thenThrows('clone_already_retired');
});

test('one race accumulates at a time: the next is scheduled only after the current one launched', () => {
  spec
    .given([opened()])
    .when({ type: 'ScheduleRace', raceId: 'r1', at: 0 })
    .thenEmits([scheduled('r1', 1)]);
  spec
    .given([opened(), scheduled('r1', 1)])
    .when({ type: 'ScheduleRace', raceId: 'r1', at: 0 })
    .thenEmits([]);
  spec
    .given([opened(), scheduled('r1', 1)])
    .when({ type: 'ScheduleRace', raceId: 'r2', at: 0 })
    .thenThrows('race_already_accumulating');
  spec
    .given([opened(), scheduled('r1', 1), launched('r1', 1)])
    .when({ type: 'ScheduleRace', raceId: 'r2', at: 0 })
    .thenEmits([scheduled('r2', 2)]);
  spec
    .given([opened(), scheduled('r1', 1), launched('r1', 1)])
    .when({ type: 'ScheduleRace', raceId: 'r1', at: 0 })
    .thenThrows('race_already_scheduled');
  spec.given([opened()]).when({ type: 'RecordRaceLaunch', raceId: 'r1', at: 0 }).thenThrows('race_not_scheduled');
  spec
    .given([opened(), scheduled('r1', 1)])
    .when({ type: 'RecordRaceLaunch', raceId: 'r1', at: 0 })
    .thenEmits([launched('r1', 1)]);
  spec
    .given([opened(), scheduled('r1', 1), launched('r1', 1)])
    .when({ type: 'RecordRaceLaunch', raceId: 'r1', at: 0 })
    .thenEmits([]);
});

test('race results are recorded once, in race order, after launch, and must add up', () => {
  const base = [...arena, scheduled('r1', 1)];
  spec
    .given(base)
    .when(result('r1', [line('a', 1, 5), line('b', 2, 5)]))
    .thenThrows('race_not_launched');
  const two = [...base, launched('r1', 1), scheduled('r2', 2), launched('r2', 2)];
  spec
    .given(two)
    .when(result('r2', [line('a', 1, 5), line('b', 2, 5)]))
    .thenThrows('race_result_out_of_order');
  spec
    .given(two)
    .when({
      type: 'RecordRaceResult',
      raceId: 'r1',
      ticketsSold: 11,
      entrants: [line('a', 1, 5), line('b', 2, 5)],
      approvedCloneIds: [],
      at: 0,
    })
    .thenThrows('race_result_invalid');
  const done = [...two, recorded('r1', 1, [line('a', 1, 5), line('b', 2, 5)])];
  spec
    .given(done)
    .when(result('r1', [line('a', 1, 5), line('b', 2, 5)]))
    .thenEmits([]);
});

test('a weakly backed entrant gets a strike; a well-backed race clears the run; a race without tickets changes nothing', () => {
  const given = [...arena, scheduled('r1', 1), launched('r1', 1)];
  // b: 1 of 100 tickets = 1% < 2%
  const weak = [line('a', 1, 99), line('b', 2, 1)];
  spec
    .given(given)
    .when(result('r1', weak))
    .thenEmits([recorded('r1', 1, weak), strike('b', 'r1', 1, 1, 100)]);
  // exactly 2% is enough
  const enough = [line('a', 1, 98), line('b', 2, 2)];
  spec
    .given([...given, strike('b', 'r0', 2, 0, 5)])
    .when(result('r1', enough))
    .thenEmits([recorded('r1', 1, enough), { type: 'StrikesCleared', data: { cloneId: 'b', raceId: 'r1', at: 0 } }]);
  const none = [line('a', 1, 0), line('b', 2, 0)];
  spec
    .given([...given, strike('b', 'r0', 2, 0, 5)])
    .when(result('r1', none))
    .thenEmits([recorded('r1', 1, none)]);
});

test('the third strike in a row retires the clone with its career, and the queue head takes its slot', () => {
  const weak = () => [line('a', 1, 99), line('b', 2, 1, 9_000n)];
  const races = ['r1', 'r2', 'r3'];
  const given: ArenaEvent[] = [...arena, queued('c', 40), queued('d', 50)];
  for (const [i, raceId] of races.entries()) given.push(scheduled(raceId, i + 1), launched(raceId, i + 1));
  given.push(recorded('r1', 1, weak()), strike('b', 'r1', 1, 1, 100), recorded('r2', 2, weak()), strike('b', 'r2', 2, 1, 100));
  const career: Career = races.reduce((c, raceId) => withRace(c, raceId, line('b', 2, 1, 9_000n)), emptyCareer);
  spec
    .given(given)
    .when(result('r3', weak(), ['d'], 99))
    .thenEmits([
      recorded('r3', 3, weak(), 99),
      strike('b', 'r3', 3, 1, 100, 99),
      {
        type: 'CloneRetired',
        data: {
          cloneId: 'b',
          cause: 'strikes',
          from: 'arena',
          slot: 2,
          raceId: 'r3',
          retiredBy: null,
          reason: null,
          career,
          retiredAt: 99,
        },
      },
      admitted('d', 2, 99),
    ]);
});

test('careers add races, placings, best and cumulative return, tickets and royalties', () => {
  const first = withRace(emptyCareer, 'r1', { ...line('a', 2, 4, 10_500n), royaltyWei: 7n });
  // r2 starts at 20,000: 12,000 is −40%; r3 is −10%; the best stays r1's +5%
  const second = withRace(first, 'r2', { ...line('a', 1, 6, 12_000n), startingEquityMicroUsd: 20_000n * USD, royaltyWei: 3n });
  assert.equal(withRace(second, 'r3', line('a', 2, 0, 9_000n)), {
    races: 3,
    placements: [
      { position: 1, count: 1 },
      { position: 2, count: 2 },
    ],
    bestReturn: { raceId: 'r1', startingEquityMicroUsd: 10_000n * USD, finalEquityMicroUsd: 10_500n * USD },
    totalPnlMicroUsd: (500n - 8_000n - 1_000n) * USD,
    totalStartingEquityMicroUsd: 40_000n * USD,
    ticketsAttracted: 10,
    royaltiesWei: 10n,
  });
});

test.run();
