/**
 * The lifecycle summary over HTTP on a manual clock: given a clone walked through setup, an
 * audition that fails, is retried and voided, and (for other clones) auditions that pass, the
 * queue, the Arena, a race and its strikes, then the owner's read says the state, the next step
 * and the figures against the targets, and the public read says the same without one private field.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CompetitionWorker } from '../../commands/competition/worker.ts';
import { verifyProjection } from '../../core/projection-rebuild.ts';
import { lifecycleProjection } from '../../projections/clones/lifecycle.ts';
import { CompetitionQueries } from '../../projections/competition/queries.ts';
import { competitionDeps } from '../../server/competition.ts';
import { TestEconomy } from '../support/competition-economy.ts';
import { competitionClient, startCompetitionServer } from '../support/competition-http.ts';
import { chainGraph } from '../support/graphs.ts';
import { px, TestMarket } from '../support/prop-trading.ts';
import { newAccount } from '../support/siwe.ts';
import { SessionUser } from '../support/users.ts';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 0, 5, 0, 0);
const SERVICE = 'worker-secret-0123456789abcdef';

const economy = new TestEconomy();
const { server, adminAccount } = await startCompetitionServer(T0, SERVICE, economy);
const market = new TestMarket();
/** Auditions submitted through the worker pass on any figures without a breach: no fills, no profit needed. */
const worker = new CompetitionWorker({
  ...competitionDeps(server.ledger, economy),
  market,
  rules: { audition: { minFills: 0, profitTargetBps: 0 }, arena: { slots: 2 }, race: { liveWindowMs: HOUR } },
});
const queries = new CompetitionQueries(server.ledger.store.db);
const admin = await SessionUser.signIn(server, adminAccount);
const alice = await SessionUser.signIn(server, newAccount());
const bob = await SessionUser.signIn(server, newAccount());
const users = [admin, alice, bob];
const api = competitionClient(server, SERVICE);

async function at(ms: number) {
  server.clock.set(ms);
  market.setPrice('BTC', px('100000'), ms);
  for (const u of users) await u.renew();
  await worker.tick(ms);
}

interface Lifecycle {
  state: string;
  nextStep: { code: string; message: string; until: string | null };
  setup: { hasDraft: boolean; activeVersion: number | null; entitlementTier: string | null };
  audition: null | {
    auditionId: string;
    status: string;
    attempt: number;
    retriesLeft: number;
    windowEndsAt: string | null;
    failureReason: string | null;
    voidReason: string | null;
    feeRefundOwed: boolean;
    targets: { minFills: number; profitTargetBps: number; startingEquityMicroUsd: string };
    figures: { fills: number; equityMicroUsd: string } | null;
    checks: {
      fills: { fills: number; minFills: number; met: boolean };
      profit: { profitMicroUsd: string; targetBps: number; met: boolean };
    } | null;
  };
  place: string;
  queue: { position: number; queuedAt: string } | null;
  arena: { slot: number } | null;
  strikes: { inARow: number; total: number; toRetire: number | null };
  currentRace: { raceId: string; stage: string; closesAt: string | null } | null;
  lastRace: { raceId: string; position: number; entrants: number; pnlMicroUsd: string; returnBps: number | null } | null;
  career: { races: number; placements: { position: number; count: number }[] };
}
const owned = (user: SessionUser, id: string) => api.ok<Lifecycle>(200, 'GET', `/api/v1/clones/${id}/lifecycle`, { auth: user.auth });
const shown = (id: string) => api.ok<Record<string, unknown>>(200, 'GET', `/api/v1/public/clones/${id}/lifecycle`);

/** Every key anywhere in a JSON value. */
function keysOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(keysOf);
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => [k, ...keysOf(v)]);
  return [];
}
const privateFields = [
  'nextStep',
  'setup',
  'auditionId',
  'strategyVersionId',
  'propAccountId',
  'figures',
  'checks',
  'targets',
  'failureReason',
  'voidReason',
  'reason',
  'feeRefundOwed',
];

test('setup: each step names what the clone needs next, and the public read hides it', async () => {
  await at(T0);
  const { id } = await api.ok<{ id: string }>(201, 'POST', '/api/v1/clones', {
    auth: alice.auth,
    body: { name: 'Setup', modelTier: 'basic' },
  });
  const steps: [string, string][] = [];
  const record = async () => {
    const l = await owned(alice, id);
    steps.push([l.state, l.nextStep.code]);
  };
  await record();
  await api.ok(200, 'PUT', `/api/v1/clones/${id}/draft`, { auth: alice.auth, body: { graph: chainGraph(), layout: {} } });
  await record();
  await api.ok(201, 'POST', `/api/v1/clones/${id}/entitlement/dev-grant`, { auth: alice.auth });
  await record();
  await api.publish(alice.auth, id);
  await record();
  assert.equal(steps, [
    ['setup_required', 'save_draft'],
    ['setup_required', 'get_entitlement'],
    ['setup_required', 'publish_version'],
    ['configured', 'submit_audition'],
  ]);
  assert.equal((await owned(alice, id)).setup, { hasDraft: true, activeVersion: 1, entitlementTier: 'starter' });
  const pub = await shown(id);
  assert.equal([pub.state, pub.audition, pub.place], ['configured', null, 'none']);
  assert.equal(
    keysOf(pub).filter((k) => privateFields.includes(k)),
    [],
  );
});

test('an audition fails on its figures, is retried, then voided: state, next step, figures against targets', async () => {
  await at(T0 + HOUR);
  const id = await api.draftClone(alice.auth, 'Tryout');
  await api.ok(201, 'POST', `/api/v1/clones/${id}/entitlement/dev-grant`, { auth: alice.auth });
  await api.publish(alice.auth, id);
  economy.grantAuditionCredit(id);
  const submitted = await api.submitAudition(alice.auth, id);
  const running = await owned(alice, id);
  assert.equal([running.state, running.nextStep.code, running.audition?.status], ['audition_running', 'wait_for_audition', 'running']);
  assert.is(running.nextStep.until, new Date(T0 + 25 * HOUR).toISOString());
  assert.is(running.audition?.windowEndsAt, running.nextStep.until);

  await at(T0 + 25 * HOUR);
  const failed = await owned(alice, id);
  assert.equal(
    [failed.state, failed.nextStep.code, failed.audition?.failureReason],
    ['audition_failed', 'retry_audition', 'too_few_fills'],
  );
  assert.is(failed.audition?.retriesLeft, 1);
  assert.equal(failed.audition?.figures?.fills, 0);
  assert.equal(failed.audition?.checks?.fills, { fills: 0, minFills: 1, met: false });
  assert.equal(failed.audition?.checks?.profit, { profitMicroUsd: '0', targetBps: 1000, met: false });
  const pub = await shown(id);
  assert.equal((pub.audition as { status: string }).status, 'failed');
  assert.equal(
    keysOf(pub).filter((k) => privateFields.includes(k)),
    [],
  );

  await api.ok(200, 'POST', `/api/v1/auditions/${submitted.auditionId}/retry`, { auth: alice.auth });
  const retried = await owned(alice, id);
  assert.equal(
    [retried.state, retried.audition?.attempt, retried.audition?.retriesLeft, retried.audition?.figures],
    ['audition_running', 2, 0, null],
  );

  await api.ok(200, 'POST', `/api/v1/admin/auditions/${submitted.auditionId}/void`, {
    auth: admin.auth,
    body: { reason: 'copied strategy' },
  });
  const voided = await owned(admin, id);
  assert.equal([voided.state, voided.nextStep.code], ['audition_voided', 'submit_audition']);
  assert.equal([voided.audition?.voidReason, voided.audition?.feeRefundOwed], ['copied strategy', true]);
  assert.is(
    (await api.ok<{ lifecycleState: string }>(200, 'GET', `/api/v1/clones/${id}`, { auth: alice.auth })).lifecycleState,
    'audition_voided',
  );
});

test('passed auditions: queue position, Arena slot, a race with placing, return and strikes, career', async () => {
  const start = T0 + 2 * HOUR;
  await at(start);
  const ids: string[] = [];
  for (const [owner, name] of [
    [alice, 'One'],
    [bob, 'Two'],
    [bob, 'Three'],
  ] as const) {
    const id = await api.draftClone(owner.auth, name);
    await api.ok(201, 'POST', `/api/v1/clones/${id}/entitlement/dev-grant`, { auth: owner.auth });
    await api.publish(owner.auth, id);
    economy.grantAuditionCredit(id);
    worker.competition.submitAudition({ userId: owner.userId, address: owner.address }, id);
    ids.push(id);
    await at(server.clock.now() + 60_000);
  }
  const [one, two, three] = ids as [string, string, string];
  await at(start + 25 * HOUR);
  await at(start + 25 * HOUR + 60_000);
  const [l1, l3] = [await owned(alice, one), await owned(bob, three)];
  assert.equal([l1.state, l1.place, l1.arena?.slot, l1.nextStep.code], ['competing', 'arena', 1, 'compete']);
  assert.equal([l3.state, l3.place, l3.queue?.position, l3.nextStep.code], ['competition_eligible', 'queue', 1, 'wait_for_arena_slot']);
  assert.equal((await shown(three)).queue, l3.queue);

  // Moderation blocks admission: the queued clone's next step says so.
  await api.ok(200, 'POST', `/api/v1/admin/clones/${three}/retire`, { auth: admin.auth, body: { reason: 'offensive name' } });
  assert.is((await owned(bob, three)).nextStep.code, 'restore_profile');

  const race = queries.racesAt('accumulating')[0];
  assert.ok(race);
  if (!race) return;
  economy.buyTickets(worker.competition, race.raceId, alice.address, one, 5, 10n ** 16n);
  await at(race.launchAt);
  const live = await owned(alice, one);
  assert.equal([live.currentRace?.raceId, live.currentRace?.stage], [race.raceId, 'live']);
  assert.is(live.currentRace?.closesAt, new Date(race.launchAt + HOUR).toISOString());
  assert.is(live.nextStep.until, live.currentRace?.closesAt);

  await at(race.launchAt + HOUR);
  await at(race.launchAt + HOUR + 60_000);
  const [after1, after2] = [await owned(alice, one), await owned(bob, two)];
  assert.equal(after1.currentRace, null);
  assert.equal(
    [after1.lastRace?.raceId, after1.lastRace?.entrants, after1.lastRace?.pnlMicroUsd, after1.lastRace?.returnBps],
    [race.raceId, 2, '0', 0],
  );
  assert.equal(after1.career.races, 1);
  assert.equal(after1.strikes, { inARow: 0, total: 0, toRetire: 3 });
  assert.equal(after2.strikes, { inARow: 1, total: 1, toRetire: 3 }, 'no tickets backed Two: a strike');
  const settlement = await api.ok<{ ranking: { cloneId: string; position: number }[] }>(
    200,
    'GET',
    `/api/v1/races/${race.raceId}/settlement`,
  );
  for (const [id, l] of [
    [one, after1],
    [two, after2],
  ] as const) {
    assert.is(l.lastRace?.position, settlement.ranking.find((r) => r.cloneId === id)?.position, 'the placing is the settlement’s');
    assert.equal((await shown(id)).lastRace, l.lastRace);
  }

  // An operator retires Two: retired, nothing left to do.
  await api.ok(200, 'POST', `/api/v1/admin/arena/${two}/retire`, { auth: admin.auth, body: { reason: 'creator asked' } });
  const retired = await owned(bob, two);
  assert.equal([retired.state, retired.place, retired.nextStep.code, retired.arena], ['retired', 'retired', 'none', null]);
  assert.equal((await shown(two)).exit, {
    kind: 'retired',
    from: 'arena',
    cause: 'admin',
    raceId: null,
    at: new Date(server.clock.now()).toISOString(),
  });

  const v = verifyProjection(server.ledger.store, lifecycleProjection);
  assert.ok(v.ok, JSON.stringify(v.firstDifference));
});

test('who may read: the owner and admins the full summary; anyone the public one; unknown clones 404', async () => {
  const id = await api.draftClone(alice.auth, 'Access');
  assert.is((await server.call('GET', `/api/v1/clones/${id}/lifecycle`, { auth: bob.auth })).status, 403);
  assert.is((await server.call('GET', `/api/v1/clones/${id}/lifecycle`)).status, 401);
  assert.is((await server.call('GET', `/api/v1/clones/${id}/lifecycle`, { auth: `Bearer ${SERVICE}` })).status, 403);
  assert.is((await server.call('GET', `/api/v1/clones/${id}/lifecycle`, { auth: admin.auth })).status, 200);
  assert.is((await server.call('GET', '/api/v1/clones/nope/lifecycle', { auth: admin.auth })).status, 404);
  assert.is((await server.call('GET', '/api/v1/public/clones/nope/lifecycle')).status, 404);
});

test.after(() => server.stop());
test.run();
