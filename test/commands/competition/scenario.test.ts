/**
 * The competition lifecycle on a real SQLite file: auditions pass, fail, retry and are voided;
 * the Promotion Queue fills the Arena; a launch is postponed; two races sell tickets, refund one
 * purchase, settle; strikes retire a clone, whose slot goes to the next approved queue head.
 * The test plays the process managers by hand. Read models are checked, then verified by replay.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { auditionStreamId } from '../../../commands/competition/audition-decider.ts';
import type { AuditionFigures } from '../../../commands/competition/audition-events.ts';
import { raceStreamId } from '../../../commands/competition/race-decider.ts';
import type { RaceEntrant } from '../../../commands/competition/race-events.ts';
import { raceResultOf } from '../../../commands/competition/race-settlement.ts';
import { verifyProjection } from '../../../core/projection-rebuild.ts';
import { competitionProjections } from '../../../projections/competition/index.ts';
import { tempDir } from '../../support/store.ts';
import { type CompetitionStore, openCompetitionStore, wallet } from './competition-store.ts';

const HOUR = 3_600_000;
const USD = 1_000_000n;
const E16 = 10n ** 16n;
const T0 = Date.UTC(2026, 0, 1);
const dir = tempDir();

const figures = (equityUsd: bigint, fills = 2): AuditionFigures => ({
  equityMicroUsd: equityUsd * USD,
  startOfDayEquityMicroUsd: 10_000n * USD,
  maxDrawdownMicroUsd: 0n,
  fills,
  dailyLossBreached: false,
  totalLossBreached: false,
});

/** Submit, open the account (as the process manager would) and evaluate at the window's end; a pass is queued. */
function audition(c: CompetitionStore, cloneId: string, equityUsd: bigint, at: number): string {
  const auditionId = `aud-${cloneId}`;
  const streamId = auditionStreamId(auditionId);
  c.auditions.handle({
    streamId,
    command: { type: 'SubmitAudition', auditionId, cloneId, strategyVersionId: `v-${cloneId}`, feePaymentId: `fee-${cloneId}`, at },
  });
  return runAttempt(c, auditionId, 1, equityUsd, at);
}

function runAttempt(c: CompetitionStore, auditionId: string, attempt: number, equityUsd: bigint, at: number): string {
  const streamId = auditionStreamId(auditionId);
  const propAccountId = `pa-${auditionId}-${attempt}`;
  c.auditions.handle({
    streamId,
    command: { type: 'RecordAuditionAccount', auditionId, attempt, propAccountId, startingEquityMicroUsd: 10_000n * USD, at },
  });
  const end = at + 24 * HOUR;
  const { events } = c.auditions.handle({
    streamId,
    command: { type: 'EvaluateAudition', auditionId, propAccountId, figures: figures(equityUsd), at: end },
  });
  for (const e of events) {
    if (e.type === 'AuditionPassed') {
      c.arena.handle({
        streamId: c.arenaStream,
        command: { type: 'QueueClone', cloneId: e.data.cloneId, auditionId, passedAt: e.data.passedAt, at: end },
      });
    }
  }
  return events[0]?.type ?? 'none';
}

const arenaClones = (c: CompetitionStore) =>
  c.store.db.prepare('SELECT clone_id FROM competition_arena_slots ORDER BY slot').pluck().all() as string[];
const queue = (c: CompetitionStore) =>
  c.store.db.prepare('SELECT clone_id FROM competition_queue ORDER BY passed_at, queued_position').pluck().all() as string[];

function entrantsNow(c: CompetitionStore, raceId: string): RaceEntrant[] {
  return arenaClones(c).map((cloneId) => ({
    cloneId,
    creator: wallet(`c${cloneId.slice(-1)}`),
    propAccountId: `pa-${raceId}-${cloneId}`,
    startingEquityMicroUsd: 10_000n * USD,
  }));
}

function buy(c: CompetitionStore, raceId: string, paymentId: string, holder: string, cloneId: string, tickets: number, at: number) {
  const cloneInArena = arenaClones(c).includes(cloneId);
  c.races.handle({
    streamId: raceStreamId(raceId),
    command: {
      type: 'BuyTickets',
      raceId,
      paymentId,
      holder: wallet(holder),
      cloneId,
      tickets,
      amountWei: BigInt(tickets) * E16,
      cloneInArena,
      at,
    },
  });
}

/** Launch (the PM opened the race accounts), go live, close, settle from final equities, record the result in the arena, archive. */
function runRace(c: CompetitionStore, raceId: string, launchAt: number, finals: Record<string, bigint>, approved: string[]) {
  const streamId = raceStreamId(raceId);
  const launched = c.races.handle({ streamId, command: { type: 'LaunchRace', raceId, entrants: entrantsNow(c, raceId), at: launchAt } });
  c.arena.handle({ streamId: c.arenaStream, command: { type: 'RecordRaceLaunch', raceId, at: launchAt } });
  c.races.handle({ streamId, command: { type: 'StartRace', raceId, at: launchAt } });
  c.races.handle({ streamId, command: { type: 'CloseRace', raceId, at: launchAt + 6 * HOUR } });
  const finalEquities = Object.entries(finals).map(([cloneId, usd]) => ({ cloneId, finalEquityMicroUsd: usd * USD }));
  const checkpoint = { treeSize: c.store.headPosition(), rootHash: c.store.merkle.rootAt(c.store.headPosition()).toString('hex') };
  const { events } = c.races.handle({
    streamId,
    command: { type: 'SettleRace', raceId, finalEquities, checkpoint, at: launchAt + 6 * HOUR + 1 },
  });
  const settled = events.find((e) => e.type === 'RaceSettled');
  if (settled?.type !== 'RaceSettled') throw new Error('not settled');
  const result = raceResultOf(settled.data);
  const arena = c.arena.handle({
    streamId: c.arenaStream,
    command: { type: 'RecordRaceResult', ...result, approvedCloneIds: approved, at: launchAt + 6 * HOUR + 2 },
  });
  c.races.handle({ streamId, command: { type: 'ArchiveRace', raceId, at: launchAt + 7 * HOUR } });
  return { launched: launched.events, settled: settled.data, arena: arena.events };
}

test('auditions, queue, Arena, two races with tickets, settlement, strikes and a retirement', () => {
  const c = openCompetitionStore(dir.file('scenario.db'));
  c.arena.handle({ streamId: c.arenaStream, command: { type: 'OpenArena', rules: { slots: 4, strikesToRetire: 2 }, at: T0 } });

  // The first race is scheduled before anyone is in the Arena: its launch is postponed one period.
  c.arena.handle({ streamId: c.arenaStream, command: { type: 'ScheduleRace', raceId: 'r1', at: T0 } });
  assert.throws(() => c.arena.handle({ streamId: c.arenaStream, command: { type: 'ScheduleRace', raceId: 'r2', at: T0 } }), /accumulating/);
  c.races.handle({
    streamId: raceStreamId('r1'),
    command: { type: 'OpenRace', raceId: 'r1', sequence: 1, launchAt: T0 + 6 * HOUR, at: T0 },
  });
  c.races.handle({ streamId: raceStreamId('r1'), command: { type: 'PostponeLaunch', raceId: 'r1', arenaClones: 0, at: T0 + 6 * HOUR } });

  // Auditions: clone-3 passes before clone-4 but its profile is not approved yet; clone-5 fails once and passes on retry.
  assert.is(audition(c, 'clone-1', 11_000n, T0), 'AuditionPassed');
  assert.is(audition(c, 'clone-3', 11_500n, T0 + 1), 'AuditionPassed');
  assert.is(audition(c, 'clone-2', 11_200n, T0 + 2), 'AuditionPassed');
  assert.is(audition(c, 'clone-4', 11_000n, T0 + 3), 'AuditionPassed');
  assert.is(audition(c, 'clone-5', 10_500n, T0 + 4), 'AuditionFailed');
  c.auditions.handle({
    streamId: auditionStreamId('aud-clone-5'),
    command: { type: 'RetryAudition', auditionId: 'aud-clone-5', strategyVersionId: 'v2-clone-5', at: T0 + 25 * HOUR },
  });
  assert.is(runAttempt(c, 'aud-clone-5', 2, 12_000n, T0 + 25 * HOUR), 'AuditionPassed');
  c.auditions.handle({
    streamId: auditionStreamId('aud-clone-6'),
    command: {
      type: 'SubmitAudition',
      auditionId: 'aud-clone-6',
      cloneId: 'clone-6',
      strategyVersionId: 'v',
      feePaymentId: 'fee-6',
      at: T0,
    },
  });
  c.auditions.handle({
    streamId: auditionStreamId('aud-clone-6'),
    command: { type: 'VoidAudition', auditionId: 'aud-clone-6', reason: 'prop outage', operator: 'op-1', at: T0 + HOUR },
  });

  assert.equal(queue(c), ['clone-1', 'clone-3', 'clone-2', 'clone-4', 'clone-5']);
  const admit = c.arena.handle({
    streamId: c.arenaStream,
    command: { type: 'AdmitFromQueue', approvedCloneIds: ['clone-1', 'clone-2', 'clone-4', 'clone-5'], at: T0 + 50 * HOUR },
  });
  assert.is(admit.events.length, 4);
  assert.equal(arenaClones(c), ['clone-1', 'clone-2', 'clone-4', 'clone-5']);
  assert.equal(queue(c), ['clone-3']);

  // Race 1: tickets (one refused: clone-3 is not in the Arena), clone-5 removed before launch → its ticket is refunded.
  buy(c, 'r1', 'pay-1', 'a1', 'clone-1', 60, T0 + 51 * HOUR);
  buy(c, 'r1', 'pay-2', 'a2', 'clone-2', 38, T0 + 51 * HOUR);
  buy(c, 'r1', 'pay-3', 'a3', 'clone-4', 1, T0 + 51 * HOUR);
  buy(c, 'r1', 'pay-4', 'a3', 'clone-5', 1, T0 + 51 * HOUR);
  buy(c, 'r1', 'pay-4', 'a3', 'clone-5', 1, T0 + 52 * HOUR); // a repeated payment: no-op
  assert.throws(() => buy(c, 'r1', 'pay-5', 'a3', 'clone-3', 1, T0 + 51 * HOUR), /no Arena slot/);
  c.arena.handle({
    streamId: c.arenaStream,
    command: { type: 'RemoveClone', cloneId: 'clone-5', operator: 'op-1', reason: 'rule breach', approvedCloneIds: [], at: T0 + 53 * HOUR },
  });
  const launch1 = T0 + 60 * HOUR; // past the postponed launch time (T0 + 12 h): a launch may come late
  const r1 = runRace(c, 'r1', launch1, { 'clone-1': 10_800n, 'clone-2': 10_100n, 'clone-4': 9_900n }, []);
  assert.equal(
    r1.launched.filter((e) => e.type === 'TicketRefundOwed').map((e) => (e.data as { paymentId: string }).paymentId),
    ['pay-4'],
  );
  assert.is(r1.settled.ticketsSold, 99);
  assert.is(r1.settled.grossPoolWei, 99n * E16);
  assert.equal(
    r1.arena.map((e) => e.type),
    ['RaceResultRecorded', 'StrikeGiven'],
  ); // clone-4: 1 of 99 < 2%

  // Race 2: clone-4 is weakly backed again → second strike → retired; clone-3 still unapproved, clone-7 takes the slot.
  assert.is(audition(c, 'clone-7', 11_100n, T0 + 60 * HOUR), 'AuditionPassed');
  c.arena.handle({ streamId: c.arenaStream, command: { type: 'ScheduleRace', raceId: 'r2', at: launch1 } });
  const launch2 = launch1 + 6 * HOUR;
  c.races.handle({
    streamId: raceStreamId('r2'),
    command: { type: 'OpenRace', raceId: 'r2', sequence: 2, launchAt: launch2, at: launch1 },
  });
  buy(c, 'r2', 'pay-6', 'a1', 'clone-1', 50, launch1 + 1);
  buy(c, 'r2', 'pay-7', 'a2', 'clone-2', 49, launch1 + 1);
  buy(c, 'r2', 'pay-8', 'a1', 'clone-4', 1, launch1 + 1);
  buy(c, 'r2', 'pay-9', 'a3', 'clone-2', 1, launch1 + 1);
  const r2 = runRace(c, 'r2', launch2, { 'clone-1': 9_000n, 'clone-2': 10_400n, 'clone-4': 10_100n }, ['clone-7']);
  assert.equal(
    r2.arena.map((e) => e.type),
    ['RaceResultRecorded', 'StrikeGiven', 'CloneRetired', 'CloneAdmitted'],
  );
  assert.equal(arenaClones(c), ['clone-1', 'clone-2', 'clone-7']);
  assert.equal(queue(c), ['clone-3']);

  const db = c.store.db;
  // auditions
  assert.equal(
    db
      .prepare('SELECT audition_id, status, attempt, retries_left, fee_refund_owed FROM competition_auditions ORDER BY audition_id')
      .raw()
      .all(),
    [
      ['aud-clone-1', 'passed', 1, 1, 0],
      ['aud-clone-2', 'passed', 1, 1, 0],
      ['aud-clone-3', 'passed', 1, 1, 0],
      ['aud-clone-4', 'passed', 1, 1, 0],
      ['aud-clone-5', 'passed', 2, 0, 0],
      ['aud-clone-6', 'voided', 1, 1, 1],
      ['aud-clone-7', 'passed', 1, 1, 0],
    ],
  );
  assert.equal(
    db
      .prepare(`SELECT outcome, failure_reason FROM competition_audition_attempts WHERE audition_id = 'aud-clone-5' ORDER BY attempt`)
      .raw()
      .all(),
    [
      ['failed', 'target_not_met'],
      ['passed', null],
    ],
  );
  // races, pools and ticket positions
  assert.equal(db.prepare('SELECT race_id, stage, tickets, pool_wei FROM competition_races ORDER BY sequence').raw().all(), [
    ['r1', 'archived', 99, (99n * E16).toString()],
    ['r2', 'archived', 101, (101n * E16).toString()],
  ]);
  assert.equal(db.prepare(`SELECT clone_id, tickets FROM competition_race_pool WHERE race_id = 'r1' ORDER BY clone_id`).raw().all(), [
    ['clone-1', 60],
    ['clone-2', 38],
    ['clone-4', 1],
    ['clone-5', 0],
  ]);
  assert.equal(db.prepare(`SELECT status FROM competition_ticket_purchases WHERE payment_id = 'pay-4'`).pluck().get(), 'refund_owed');
  assert.equal(
    db
      .prepare(`SELECT race_id, clone_id, tickets FROM competition_ticket_positions WHERE holder = ? ORDER BY race_id, clone_id`)
      .raw()
      .all(wallet('a3')),
    [
      ['r1', 'clone-4', 1],
      ['r2', 'clone-2', 1],
    ],
  );
  // settlement tables: conservation per race, claims add up to payouts, royalty totals per creator
  for (const s of [r1.settled, r2.settled]) {
    const row = db
      .prepare('SELECT gross_pool_wei, rake_wei, breakage_wei, merkle_root FROM competition_settlements WHERE race_id = ?')
      .get(s.raceId) as Record<string, string>;
    const payouts = (
      db.prepare('SELECT amount_wei FROM competition_race_payouts WHERE race_id = ?').pluck().all(s.raceId) as string[]
    ).reduce((a, b) => a + BigInt(b), 0n);
    const claims = (
      db.prepare('SELECT amount_wei FROM competition_payout_claims WHERE race_id = ?').pluck().all(s.raceId) as string[]
    ).reduce((a, b) => a + BigInt(b), 0n);
    const royalties = (
      db.prepare('SELECT amount_wei FROM competition_royalties WHERE race_id = ?').pluck().all(s.raceId) as string[]
    ).reduce((a, b) => a + BigInt(b), 0n);
    assert.is(BigInt(row.rake_wei ?? '') + royalties + payouts + BigInt(row.breakage_wei ?? ''), BigInt(row.gross_pool_wei ?? ''));
    assert.is(claims, payouts);
    assert.is(row.merkle_root, s.merkleRoot);
  }
  const creator1 = db.prepare('SELECT races, amount_wei FROM competition_creator_royalties WHERE creator = ?').get(wallet('c1')) as {
    races: number;
    amount_wei: string;
  };
  const expected1 = [r1.settled, r2.settled]
    .flatMap((s) => s.royalties)
    .filter((r) => r.cloneId === 'clone-1')
    .reduce((a, r) => a + r.amountWei, 0n);
  assert.equal(creator1, { races: 2, amount_wei: expected1.toString() });
  // strikes, careers, Hall of Fame
  assert.equal(db.prepare('SELECT clone_id, strikes, total_strikes FROM competition_strikes').raw().all(), [['clone-4', 0, 2]]);
  assert.equal(
    db.prepare(`SELECT place FROM competition_clone_places WHERE clone_id IN ('clone-4', 'clone-5') ORDER BY clone_id`).pluck().all(),
    ['retired', 'removed'],
  );
  const fame = db
    .prepare(`SELECT cause, race_id, races, placements, tickets_attracted, total_pnl_micro_usd FROM competition_hall_of_fame`)
    .raw()
    .all();
  // clone-4: r1 3rd of 3 (−1%), r2 2nd of 3 (+1%)
  assert.equal(fame, [['strikes', 'r2', 2, '[{"position":2,"count":1},{"position":3,"count":1}]', 2, '0']]);
  const career1 = db
    .prepare(`SELECT races, best_return_race_id, tickets_attracted FROM competition_careers WHERE clone_id = 'clone-1'`)
    .raw()
    .get();
  assert.equal(career1, [2, 'r1', 110]);

  for (const p of competitionProjections) {
    const v = verifyProjection(c.store, p);
    assert.ok(v.ok, `${p.name}: ${JSON.stringify(v.firstDifference)}`);
  }
  c.store.close();
});

test.after(() => dir.remove());
test.run();
