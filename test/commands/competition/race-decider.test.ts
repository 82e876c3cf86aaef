import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { type Address, getAddress } from 'viem';
import { raceDecider } from '../../../commands/competition/race-decider.ts';
import { defaultRaceRules, type RaceEntrant, type RaceEvent } from '../../../commands/competition/race-events.ts';
import { raceResultOf } from '../../../commands/competition/race-settlement.ts';
import { fold, specFor } from '../../support/decider-spec.ts';
import { holders, workedExample, workedExampleRoot } from './worked-example.ts';

const spec = specFor(raceDecider);
const HOUR = 3_600_000;
const E16 = 10n ** 16n;
const USD = 1_000_000n;
const R = 'race-worked-example';
const LAUNCH = 6 * HOUR;
const rules = defaultRaceRules;

const opened: RaceEvent = { type: 'RaceOpened', data: { raceId: R, sequence: 1, rules, launchAt: LAUNCH, openedAt: 0 } };
const bought = (paymentId: string, holder: Address, cloneId: string, tickets: number, at = 1): RaceEvent => ({
  type: 'TicketsBought',
  data: { raceId: R, paymentId, holder, cloneId, tickets, amountWei: BigInt(tickets) * E16, boughtAt: at },
});
const buy = (
  paymentId: string,
  cloneId: string,
  tickets: number,
  more: { amountWei?: bigint; cloneInArena?: boolean; holder?: Address } = {},
) =>
  ({
    type: 'BuyTickets',
    raceId: R,
    paymentId,
    holder: more.holder ?? holders.a1,
    cloneId,
    tickets,
    amountWei: more.amountWei ?? BigInt(tickets) * E16,
    cloneInArena: more.cloneInArena ?? true,
    at: 1,
  }) as const;
const entrants: RaceEntrant[] = workedExample.entrants.map((e) => ({
  cloneId: e.cloneId,
  creator: getAddress(e.creator),
  propAccountId: `pa-${e.cloneId}`,
  startingEquityMicroUsd: BigInt(e.startingEquity),
}));
const tickets = [
  bought('p1', holders.a1, 'alpha', 2),
  bought('p2', holders.a2, 'alpha', 4),
  bought('p3', holders.a2, 'bravo', 3),
  bought('p4', holders.a3, 'delta', 2),
  bought('p5', holders.a1, 'alpha', 1),
  bought('p6', holders.a3, 'echo', 5),
];
const launched: RaceEvent = { type: 'RaceLaunched', data: { raceId: R, sequence: 1, rules, entrants, launchedAt: LAUNCH } };
const refund: RaceEvent = {
  type: 'TicketRefundOwed',
  data: {
    raceId: R,
    paymentId: 'p6',
    holder: holders.a3,
    cloneId: 'echo',
    tickets: 5,
    amountWei: 5n * E16,
    reason: 'clone_not_entrant',
    owedAt: LAUNCH,
  },
};
const live: RaceEvent = { type: 'RaceWentLive', data: { raceId: R, liveAt: LAUNCH, closesAt: LAUNCH + 6 * HOUR } };
const closed: RaceEvent = {
  type: 'RaceClosed',
  data: { raceId: R, propAccountIds: entrants.map((e) => e.propAccountId), closedAt: LAUNCH + 6 * HOUR },
};
const finalEquities = workedExample.entrants.map((e) => ({ cloneId: e.cloneId, finalEquityMicroUsd: BigInt(e.finalEquity) }));
const checkpoint = { treeSize: 42, rootHash: 'ab'.repeat(32) };
const settleCmd = { type: 'SettleRace', raceId: R, finalEquities, checkpoint, at: 13 * HOUR } as const;
const accumulating = [opened, ...tickets];
const settling = [...accumulating, launched, refund, live, closed];

test('a race opens with its rules frozen (0.01 ETH, 6 h live window by default), once', () => {
  spec.given([]).when({ type: 'OpenRace', raceId: R, sequence: 1, launchAt: LAUNCH, at: 0 }).thenEmits([opened]);
  spec.given([opened]).when({ type: 'OpenRace', raceId: R, sequence: 1, launchAt: LAUNCH, at: 0 }).thenThrows('race_exists');
  spec
    .given([])
    .when({ type: 'OpenRace', raceId: R, sequence: 1, launchAt: LAUNCH, rules: { rakeBps: 6_000, creatorBps: 5_000 }, at: 0 })
    .thenThrows('race_rules_invalid');
  spec
    .given([])
    .when(buy('p1', 'alpha', 1))
    .thenThrows('race_not_found');
});

test('tickets: whole, on an Arena clone, paid exactly, one purchase per payment (a repeat is a no-op)', () => {
  spec
    .given([opened])
    .when(buy('p1', 'alpha', 2))
    .thenEmits([bought('p1', holders.a1, 'alpha', 2)]);
  spec
    .given(accumulating)
    .when(buy('p1', 'alpha', 2))
    .thenEmits([]);
  spec
    .given(accumulating)
    .when(buy('p1', 'alpha', 3))
    .thenThrows('payment_already_used');
  spec
    .given([opened])
    .when(buy('p9', 'alpha', 0))
    .thenThrows('ticket_count_invalid');
  spec
    .given([opened])
    .when(buy('p9', 'alpha', 1.5, { amountWei: E16 }))
    .thenThrows('ticket_count_invalid');
  spec
    .given([opened])
    .when(buy('p9', 'alpha', 1, { cloneInArena: false }))
    .thenThrows('clone_not_in_arena');
  spec
    .given([opened])
    .when(buy('p9', 'alpha', 2, { amountWei: E16 }))
    .thenThrows('ticket_payment_mismatch');
  spec
    .given([...accumulating, launched])
    .when(buy('p9', 'alpha', 1))
    .thenThrows('race_not_accumulating');
});

test('launch: not before its time; with fewer than 2 Arena clones it moves to the next period, tickets kept', () => {
  const postpone = (arenaClones: number, at: number) => ({ type: 'PostponeLaunch', raceId: R, arenaClones, at }) as const;
  const postponed = (launchAt: number, at: number): RaceEvent => ({
    type: 'RaceLaunchPostponed',
    data: { raceId: R, arenaClones: 1, previousLaunchAt: LAUNCH, launchAt, postponedAt: at },
  });
  spec
    .given(accumulating)
    .when(postpone(1, LAUNCH - 1))
    .thenThrows('race_launch_not_due');
  spec.given(accumulating).when(postpone(2, LAUNCH)).thenThrows('race_launch_possible');
  spec
    .given(accumulating)
    .when(postpone(1, LAUNCH))
    .thenEmits([postponed(LAUNCH + 6 * HOUR, LAUNCH)]);
  // a late worker lands on the first cadence point after now
  spec
    .given(accumulating)
    .when(postpone(1, LAUNCH + 13 * HOUR))
    .thenEmits([postponed(LAUNCH + 18 * HOUR, LAUNCH + 13 * HOUR)]);
  const after = fold(raceDecider, [...accumulating, postponed(LAUNCH + 6 * HOUR, LAUNCH)]);
  assert.is(after?.launchAt, LAUNCH + 6 * HOUR);
  assert.is(after?.purchases.length, tickets.length);
  spec
    .given([...accumulating, postponed(LAUNCH + 6 * HOUR, LAUNCH)])
    .when({ type: 'LaunchRace', raceId: R, entrants, at: LAUNCH })
    .thenThrows('race_launch_not_due');
  spec
    .given([...accumulating, launched])
    .when(postpone(1, LAUNCH))
    .thenThrows('race_not_accumulating');
});

test('launch freezes entrants, accounts and rules, and owes a refund per purchase on a clone that did not launch', () => {
  spec.given(accumulating).when({ type: 'LaunchRace', raceId: R, entrants, at: LAUNCH }).thenEmits([launched, refund]);
  spec
    .given([...accumulating, launched, refund])
    .when({ type: 'LaunchRace', raceId: R, entrants, at: LAUNCH })
    .thenEmits([]);
  spec
    .given(accumulating)
    .when({ type: 'LaunchRace', raceId: R, entrants: entrants.slice(0, 1), at: LAUNCH })
    .thenThrows('race_too_few_entrants');
  const twice = [entrants[0], entrants[0]] as RaceEntrant[];
  spec.given(accumulating).when({ type: 'LaunchRace', raceId: R, entrants: twice, at: LAUNCH }).thenThrows('race_entrants_invalid');
  const broke = entrants.map((e, i) => (i === 1 ? { ...e, startingEquityMicroUsd: 0n } : e));
  spec.given(accumulating).when({ type: 'LaunchRace', raceId: R, entrants: broke, at: LAUNCH }).thenThrows('race_entrants_invalid');
});

test('live for the window, then closed for settlement; repeats are no-ops, early steps refused', () => {
  const start = { type: 'StartRace', raceId: R, at: LAUNCH } as const;
  const close = (at: number) => ({ type: 'CloseRace', raceId: R, at }) as const;
  spec.given(accumulating).when(start).thenThrows('race_not_launched');
  spec
    .given([...accumulating, launched, refund])
    .when(start)
    .thenEmits([live]);
  spec
    .given([...accumulating, launched, refund, live])
    .when(start)
    .thenEmits([]);
  spec
    .given([...accumulating, launched])
    .when(close(LAUNCH + 6 * HOUR))
    .thenThrows('race_not_live');
  spec
    .given([...accumulating, launched, live])
    .when(close(LAUNCH + 6 * HOUR - 1))
    .thenThrows('race_not_due_to_close');
  spec
    .given([...accumulating, launched, refund, live])
    .when(close(LAUNCH + 6 * HOUR))
    .thenEmits([closed]);
  spec
    .given(settling)
    .when(close(LAUNCH + 7 * HOUR))
    .thenEmits([]);
});

test('settlement records the worked example: pool split, ranking, payouts, royalties, breakage and Merkle root', () => {
  const [event] = raceDecider.decide(settleCmd, fold(raceDecider, settling));
  assert.is(event?.type, 'RaceSettled');
  if (event?.type !== 'RaceSettled') return;
  const s = event.data;
  // the refunded purchase on echo is not in the pool: 12 tickets, as in the worked example
  assert.equal(
    [s.ticketsSold, s.grossPoolWei, s.rakeWei, s.creatorPoolWei, s.distributionPoolWei],
    [12, 12n * E16, 6n * 10n ** 15n, 6n * 10n ** 15n, 108n * 10n ** 15n],
  );
  assert.equal(
    s.ranking.map((r) => [r.cloneId, r.position, r.weightBps, r.tickets]),
    [
      ['alpha', 1, '5000', 7],
      ['bravo', 2, '2500', 3],
      ['charlie', 2, '2500', 0],
      ['delta', 4, '0', 2],
    ],
  );
  assert.equal(
    s.payouts.map((p) => [p.holder, p.cloneId, p.amountWei]),
    [
      [holders.a1, 'alpha', 30_857_142_857_142_855n],
      [holders.a2, 'alpha', 41_142_857_142_857_140n],
      [holders.a2, 'bravo', 36n * 10n ** 15n],
    ],
  );
  assert.equal(
    s.royalties.map((r) => r.amountWei),
    [3n * 10n ** 15n, 1_500_000_000_000_000n, 1_500_000_000_000_000n],
  );
  assert.is(s.breakageWei, 5n);
  assert.is(s.merkleRoot, workedExampleRoot);
  assert.equal(s.checkpoint, checkpoint, 'the ledger checkpoint covering the inputs is recorded');
  assert.equal(raceResultOf(s).entrants[0], {
    cloneId: 'alpha',
    position: 1,
    tickets: 7,
    startingEquityMicroUsd: 10_000n * USD,
    finalEquityMicroUsd: 11_000n * USD,
    royaltyWei: 3n * 10n ** 15n,
  });
});

test('settlement needs the close and exactly one final equity per entrant; then it is done', () => {
  spec
    .given([...accumulating, launched, live])
    .when(settleCmd)
    .thenThrows('race_not_settling');
  spec
    .given(settling)
    .when({ ...settleCmd, finalEquities: finalEquities.slice(1) })
    .thenThrows('race_final_equities_mismatch');
  spec
    .given(settling)
    .when({ ...settleCmd, finalEquities: [...finalEquities, { cloneId: 'echo', finalEquityMicroUsd: 1n }] })
    .thenThrows('race_final_equities_mismatch');
  const settled = raceDecider.decide(settleCmd, fold(raceDecider, settling));
  spec
    .given([...settling, ...settled])
    .when(settleCmd)
    .thenEmits([]);
  const archive = { type: 'ArchiveRace', raceId: R, at: 14 * HOUR } as const;
  spec.given(settling).when(archive).thenThrows('race_not_settled');
  spec
    .given([...settling, ...settled])
    .when(archive)
    .thenEmits([{ type: 'RaceArchived', data: { raceId: R, archivedAt: 14 * HOUR } }]);
  spec
    .given([...settling, ...settled, { type: 'RaceArchived', data: { raceId: R, archivedAt: 14 * HOUR } }])
    .when(archive)
    .thenEmits([]);
});

test.run();
