/**
 * Properties of the lifecycle summary over generated lifecycles (setup, entitlements,
 * auditions with their accounts, evaluations, retries and voids, the queue, the Arena, whole
 * or unfinished races with strikes, moderation) on a real ledger: the live read model equals
 * its replay (`clash projections verify`), and every summary agrees with the competition's own
 * read models and deciders — place, queue position, slot, strikes, the latest audition — and
 * with the state rule.
 */
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cloneDecider } from '../../../commands/clones/decider.ts';
import { emptyUniverse } from '../../../commands/clones/graph/asset-universe.ts';
import { ARENA_STREAM_ID, arenaDecider } from '../../../commands/competition/arena-decider.ts';
import { auditionDecider, auditionStreamId } from '../../../commands/competition/audition-decider.ts';
import { raceDecider, raceStreamId } from '../../../commands/competition/race-decider.ts';
import type { RaceEvent } from '../../../commands/competition/race-events.ts';
import { raceResultOf } from '../../../commands/competition/race-settlement.ts';
import { entitlementDecider } from '../../../commands/entitlements/decider.ts';
import { tiers } from '../../../commands/entitlements/tiers.ts';
import { ManualClock, SequentialIds } from '../../../core/clock.ts';
import { type Command, CommandHandler, type Decider } from '../../../core/decider.ts';
import { DomainError } from '../../../core/errors.ts';
import type { DomainEvent, RecordedEvent } from '../../../core/event-store.ts';
import { verifyProjection } from '../../../core/projection-rebuild.ts';
import { lifecycleProjection } from '../../../projections/clones/lifecycle.ts';
import { lifecycleStateOf } from '../../../projections/clones/lifecycle-state.ts';
import { lifecycleSummaryOf } from '../../../projections/clones/lifecycle-summary.ts';
import { profilesProjection } from '../../../projections/clones/profiles.ts';
import { CompetitionQueries } from '../../../projections/competition/queries.ts';
import { openLedger } from '../../../server/context.ts';
import { chainGraph } from '../../support/graphs.ts';
import { fcRuns, fcSeed, tempDir } from '../../support/store.ts';
import { wallet } from '../competition/competition-store.ts';

const CLONES = ['k0', 'k1', 'k2', 'k3'];
const AUDITIONS = ['a0', 'a1', 'a2', 'a3', 'a4', 'a5'];
/** Audition a_i belongs to clone k_(i mod 4). */
const cloneOf = (auditionId: string) => CLONES[Number(auditionId.slice(1)) % CLONES.length] as string;
const HOUR = 3_600_000;
const START = 10_000_000_000n;
const dir = tempDir('clash-lifecycle-');
let files = 0;

const figures = fc.record({
  equityMicroUsd: fc.bigInt({ min: 8_000_000_000n, max: 12_000_000_000n }),
  fills: fc.integer({ min: 0, max: 3 }),
  breach: fc.boolean(),
});
const clone = fc.constantFrom(...CLONES);
const audition = fc.constantFrom(...AUDITIONS);
const arbitraryStep = fc.oneof(
  fc.record({ kind: fc.constant('publish' as const), clone }),
  fc.record({ kind: fc.constant('grant' as const), clone, revoke: fc.boolean() }),
  fc.record({ kind: fc.constant('submit' as const), audition }),
  fc.record({ kind: fc.constant('openAccount' as const), audition }),
  fc.record({ kind: fc.constant('evaluate' as const), audition, figures, windowEnded: fc.boolean() }),
  fc.record({ kind: fc.constant('retry' as const), audition }),
  fc.record({ kind: fc.constant('void' as const), audition }),
  fc.record({ kind: fc.constant('queue' as const), audition }),
  /** The whole way in, weighted so that generated lifecycles reach the Arena and its races. */
  { arbitrary: fc.record({ kind: fc.constant('pass' as const), audition }), weight: 5 },
  { arbitrary: fc.record({ kind: fc.constant('admit' as const), approved: fc.subarray(CLONES) }), weight: 4 },
  fc.record({ kind: fc.constant('takeOut' as const), clone, retire: fc.boolean() }),
  {
    arbitrary: fc.record({
      kind: fc.constant('race' as const),
      tickets: fc.array(fc.tuple(clone, fc.integer({ min: 1, max: 5 })), { maxLength: 4 }),
      finals: fc.array(fc.bigInt({ min: 9_000_000_000n, max: 11_000_000_000n }), { minLength: 4, maxLength: 4 }),
      finish: fc.boolean(),
    }),
    weight: 4,
  },
  fc.record({ kind: fc.constant('moderate' as const), clone, action: fc.constantFrom('report', 'retire', 'reinstate') }),
);
type Step = typeof arbitraryStep extends fc.Arbitrary<infer T> ? T : never;

function run(steps: readonly Step[]) {
  const clock = new ManualClock(0);
  const ledger = openLedger({ dbPath: dir.file(`life-${++files}.db`), synchronous: 'NORMAL', clock, ids: new SequentialIds() });
  const store = ledger.store;
  const handler = <C extends Command, S, E extends DomainEvent>(decider: Decider<C, S, E>) => new CommandHandler(store, decider);
  const clones = handler(cloneDecider);
  const entitlements = handler(entitlementDecider);
  const auditions = handler(auditionDecider);
  const arena = handler(arenaDecider);
  const races = handler(raceDecider);
  let now = 0;
  let raceCount = 0;
  let reports = 0;
  /** Runs a command at the next time; a refusal is part of the game. */
  const attempt = (send: (at: number) => unknown) => {
    now += HOUR;
    clock.set(now);
    try {
      send(now);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
    }
  };
  const approvedAll = () => [...CLONES];
  attempt((at) => arena.handle({ streamId: ARENA_STREAM_ID, command: { type: 'OpenArena', rules: { slots: 2, strikesToRetire: 2 }, at } }));
  for (const cloneId of CLONES) {
    attempt((at) =>
      clones.handle({
        streamId: `clone-${cloneId}`,
        command: { type: 'CreateClone', cloneId, ownerUserId: `u-${cloneId}`, name: cloneId, modelTier: 'basic', at },
      }),
    );
  }
  const onAudition = (auditionId: string, command: Parameters<typeof auditions.handle>[0]['command']) =>
    attempt(() => auditions.handle({ streamId: auditionStreamId(auditionId), command }));
  const passing = { equityMicroUsd: START + START / 5n, fills: 2, breach: false };
  const perform = (s: Step): void => {
    switch (s.kind) {
      case 'pass':
        for (const kind of ['submit', 'openAccount'] as const) perform({ kind, audition: s.audition });
        perform({ kind: 'evaluate', audition: s.audition, figures: passing, windowEnded: true });
        perform({ kind: 'queue', audition: s.audition });
        break;
      case 'publish':
        attempt((at) =>
          clones.handle({
            streamId: `clone-${s.clone}`,
            command: {
              type: 'SaveDraft',
              cloneId: s.clone,
              byUserId: `u-${s.clone}`,
              graph: chainGraph(),
              layout: {},
              limits: tiers.pro,
              universe: emptyUniverse,
              at,
            },
          }),
        );
        attempt((at) =>
          clones.handle({
            streamId: `clone-${s.clone}`,
            command: {
              type: 'PublishVersion',
              cloneId: s.clone,
              byUserId: `u-${s.clone}`,
              versionId: `v-${at}`,
              limits: tiers.pro,
              universe: emptyUniverse,
              at,
            },
          }),
        );
        break;
      case 'grant':
        attempt((at) =>
          entitlements.handle({
            streamId: `entitlement-${s.clone}`,
            command: s.revoke
              ? { type: 'RevokeEntitlement', cloneId: s.clone, justification: { kind: 'admin', adminUserId: 'op', reason: 'test' }, at }
              : {
                  type: 'GrantEntitlement',
                  cloneId: s.clone,
                  tier: 'starter',
                  justification: { kind: 'admin', adminUserId: 'op', reason: 'test' },
                  at,
                },
          }),
        );
        break;
      case 'submit':
        onAudition(s.audition, {
          type: 'SubmitAudition',
          auditionId: s.audition,
          cloneId: cloneOf(s.audition),
          strategyVersionId: 'v',
          feePaymentId: `fee-${s.audition}`,
          at: now + HOUR,
        });
        break;
      case 'openAccount': {
        const a = auditions.load(auditionStreamId(s.audition)).state;
        onAudition(s.audition, {
          type: 'RecordAuditionAccount',
          auditionId: s.audition,
          attempt: a?.attempt ?? 1,
          propAccountId: `pa-${s.audition}-${a?.attempt ?? 1}`,
          startingEquityMicroUsd: START,
          at: now + HOUR,
        });
        break;
      }
      case 'evaluate': {
        const a = auditions.load(auditionStreamId(s.audition)).state;
        const at = s.windowEnded ? (a?.account?.windowEndsAt ?? now) + HOUR : now + HOUR;
        const f = s.figures;
        onAudition(s.audition, {
          type: 'EvaluateAudition',
          auditionId: s.audition,
          propAccountId: a?.account?.propAccountId ?? 'none',
          figures: {
            equityMicroUsd: f.equityMicroUsd,
            startOfDayEquityMicroUsd: START,
            maxDrawdownMicroUsd: 0n,
            fills: f.fills,
            dailyLossBreached: false,
            totalLossBreached: f.breach,
          },
          at,
        });
        now = Math.max(now, at);
        break;
      }
      case 'retry':
        onAudition(s.audition, { type: 'RetryAudition', auditionId: s.audition, strategyVersionId: 'v', at: now + HOUR });
        break;
      case 'void':
        onAudition(s.audition, { type: 'VoidAudition', auditionId: s.audition, reason: 'test', operator: 'op', at: now + HOUR });
        break;
      case 'queue': {
        const a = auditions.load(auditionStreamId(s.audition)).state;
        if (a?.status !== 'passed') break;
        attempt((at) =>
          arena.handle({
            streamId: ARENA_STREAM_ID,
            command: { type: 'QueueClone', cloneId: a.cloneId, auditionId: a.auditionId, passedAt: at, at },
          }),
        );
        break;
      }
      case 'admit':
        attempt((at) => arena.handle({ streamId: ARENA_STREAM_ID, command: { type: 'AdmitFromQueue', approvedCloneIds: s.approved, at } }));
        break;
      case 'takeOut':
        attempt((at) =>
          arena.handle({
            streamId: ARENA_STREAM_ID,
            command: {
              type: s.retire ? 'RetireClone' : 'RemoveClone',
              cloneId: s.clone,
              operator: 'op',
              reason: 'test',
              approvedCloneIds: approvedAll(),
              at,
            },
          }),
        );
        break;
      case 'race': {
        const raceId = `r${++raceCount}`;
        const seated = arena.load(ARENA_STREAM_ID).state.slots.map((x) => x.cloneId);
        const race = (command: Parameters<typeof races.handle>[0]['command']) =>
          attempt(() => races.handle({ streamId: raceStreamId(raceId), command }));
        attempt((at) => arena.handle({ streamId: ARENA_STREAM_ID, command: { type: 'ScheduleRace', raceId, at } }));
        const sequence = arena.load(ARENA_STREAM_ID).state.races.find((r) => r.raceId === raceId)?.sequence ?? raceCount;
        race({ type: 'OpenRace', raceId, sequence, launchAt: now + HOUR, at: now + HOUR });
        for (const [i, [cloneId, tickets]] of s.tickets.entries()) {
          race({
            type: 'BuyTickets',
            raceId,
            paymentId: `pay-${raceId}-${i}`,
            holder: wallet('b1'),
            cloneId,
            tickets,
            amountWei: BigInt(tickets) * 10n ** 16n,
            cloneInArena: seated.includes(cloneId),
            at: now + HOUR,
          });
        }
        const entrants = seated.map((cloneId) => ({
          cloneId,
          creator: wallet('c4'),
          propAccountId: `pa-${raceId}-${cloneId}`,
          startingEquityMicroUsd: START,
        }));
        race({ type: 'LaunchRace', raceId, entrants, at: now + HOUR });
        attempt((at) => arena.handle({ streamId: ARENA_STREAM_ID, command: { type: 'RecordRaceLaunch', raceId, at } }));
        race({ type: 'StartRace', raceId, at: now + HOUR });
        if (!s.finish) break;
        now += 6 * HOUR;
        race({ type: 'CloseRace', raceId, at: now + HOUR });
        const finalEquities = seated.map((cloneId, i) => ({ cloneId, finalEquityMicroUsd: s.finals[i] ?? START }));
        const checkpoint = { treeSize: store.headPosition(), rootHash: store.merkle.rootAt(store.headPosition()).toString('hex') };
        race({ type: 'SettleRace', raceId, finalEquities, checkpoint, at: now + HOUR });
        const settled = store.readStream(raceStreamId(raceId)).find((e) => e.type === 'RaceSettled') as
          | RecordedEvent<RaceEvent>
          | undefined;
        if (settled?.type === 'RaceSettled') {
          const result = raceResultOf(settled.data);
          attempt((at) =>
            arena.handle({
              streamId: ARENA_STREAM_ID,
              command: { type: 'RecordRaceResult', ...result, approvedCloneIds: approvedAll(), at },
            }),
          );
        }
        break;
      }
      case 'moderate': {
        const base = { cloneId: s.clone, at: now + HOUR };
        attempt(() =>
          clones.handle({
            streamId: `clone-${s.clone}`,
            command:
              s.action === 'report'
                ? { ...base, type: 'ReportClone', reportId: `rep-${++reports}`, reporterUserId: `r-${reports}`, reason: 'test' }
                : { ...base, type: s.action === 'retire' ? 'RetireProfile' : 'ReinstateProfile', adminUserId: 'op', reason: 'test' },
          }),
        );
        break;
      }
    }
  };
  for (const s of steps) perform(s);
  return { ledger, arena, auditions };
}

test('replay equals live, and each summary agrees with the competition read models and deciders', () => {
  fc.assert(
    fc.property(fc.array(arbitraryStep, { minLength: 10, maxLength: 40 }), (steps) => {
      const { ledger, arena, auditions } = run(steps);
      const db = ledger.store.db;
      try {
        for (const p of [lifecycleProjection, profilesProjection]) {
          const v = verifyProjection(ledger.store, p);
          assert.ok(v.ok, `${p.name}: ${JSON.stringify(v.firstDifference)}`);
        }
        const queries = new CompetitionQueries(db);
        const queue = queries.queue().map((q) => q.cloneId);
        const slots = queries.slots();
        const decided = arena.load(ARENA_STREAM_ID).state;
        for (const cloneId of CLONES) {
          const s = lifecycleSummaryOf(db, cloneId);
          assert.ok(s, cloneId);
          if (!s) continue;
          const c = s.clone;
          assert.is(s.state, lifecycleStateOf(c.facts));
          const place = queries.placeOf(cloneId) ?? 'none';
          assert.is(c.place, place, `${cloneId} place`);
          assert.is(s.queuePosition, queue.includes(cloneId) ? queue.indexOf(cloneId) + 1 : null, `${cloneId} queue position`);
          assert.is(c.arena?.slot ?? null, slots.find((x) => x.cloneId === cloneId)?.slot ?? null, `${cloneId} slot`);
          assert.is(c.strikes.inARow, decided.strikes.get(cloneId) ?? 0, `${cloneId} strikes`);
          assert.equal(c.career, decided.careers.get(cloneId) ?? c.career, `${cloneId} career`);
          if (place === 'arena') assert.is(s.state, 'competing');
          if (place === 'retired') assert.is(s.state, 'retired');
          if (s.audition) {
            const a = auditions.load(auditionStreamId(s.audition.auditionId)).state;
            assert.equal([s.audition.status, s.audition.attempt], [a?.status, a?.attempt], `${cloneId} latest audition`);
          }
        }
      } finally {
        ledger.close();
      }
    }),
    { seed: fcSeed, numRuns: Math.max(5, Math.floor(fcRuns / 4)) },
  );
});

test('a voided latest audition shows audition_voided; a void of an older audition does not change the state', () => {
  const voidedLatest = run([
    { kind: 'submit', audition: 'a0' },
    { kind: 'openAccount', audition: 'a0' },
    { kind: 'void', audition: 'a0' },
  ]);
  assert.is(lifecycleSummaryOf(voidedLatest.ledger.store.db, 'k0')?.state, 'audition_voided');
  voidedLatest.ledger.close();
  const failed = {
    kind: 'evaluate',
    audition: 'a0',
    windowEnded: true,
    figures: { equityMicroUsd: START, fills: 0, breach: false },
  } as const;
  const older = run([
    { kind: 'submit', audition: 'a0' },
    { kind: 'openAccount', audition: 'a0' },
    failed,
    { kind: 'submit', audition: 'a4' },
    { kind: 'void', audition: 'a0' },
  ]);
  const s = lifecycleSummaryOf(older.ledger.store.db, 'k0');
  assert.equal([s?.state, s?.audition?.auditionId, s?.audition?.status], ['audition_running', 'a4', 'awaiting_account']);
  older.ledger.close();
});

test.after(() => dir.remove());
test.run();
