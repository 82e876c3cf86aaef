/**
 * Backtest routes (doc/backtesting.md): preflight judges every limit and appends nothing; a
 * request is 202 or 422 naming the limit (recorded either way); history, one run and a comparison
 * are read by the owner of the clone or an admin; bad input is a 400 naming the field.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { defaultBacktestPolicy } from '../../commands/backtests/limits.ts';
import { backtestPolicy } from '../../server/backtest-config.ts';
import { loadConfig } from '../../server/config.ts';
import { chainGraph } from '../support/graphs.ts';
import { codeOf, startTestServer } from '../support/server.ts';
import { newAccount, signIn } from '../support/siwe.ts';

const adminAccount = newAccount();
const server = await startTestServer({
  CLASH_DEV_IDENTITY: 'true',
  CLASH_ADMIN_ADDRESSES: adminAccount.address,
  BACKTEST_STARTER_DAILY_RUNS: '2',
});
const owner = await signIn(server, newAccount());
const stranger = await signIn(server, newAccount());
const admin = await signIn(server, adminAccount);

/** A clone of the owner with a published version (the development Starter grant unlocks publishing). */
async function publishedClone(name: string): Promise<{ cloneId: string; versionId: string }> {
  const created = await server.call('POST', '/api/v1/clones', { auth: owner.auth, body: { name, modelTier: 'basic' } });
  const cloneId = (created.body as { id: string }).id;
  await server.call('PUT', `/api/v1/clones/${cloneId}/draft`, { auth: owner.auth, body: { graph: chainGraph(), layout: {} } });
  await server.call('POST', `/api/v1/clones/${cloneId}/entitlement/dev-grant`, { auth: owner.auth });
  const published = await server.call('POST', `/api/v1/clones/${cloneId}/versions`, { auth: owner.auth });
  return { cloneId, versionId: (published.body as { versionId: string }).versionId };
}
const { cloneId, versionId } = await publishedClone('Tester');
const run = (o: Record<string, unknown> = {}, version = versionId) => ({
  strategy: { kind: 'version', versionId: version },
  from: '2025-12-31T18:00:00.000Z',
  to: '2026-01-01T00:00:00.000Z',
  assets: ['BTC', 'ETH'],
  ...o,
});
const base = `/api/v1/clones/${cloneId}/backtests`;
const post = (path: string, body: unknown, auth = owner.auth) => server.call('POST', path, { auth, body });
const get = (path: string, auth: string | undefined = owner.auth) => server.call('GET', path, auth ? { auth } : {});

interface Preflight {
  tier: string;
  allowed: boolean;
  limits: { dailyRuns: number };
  estimate: { replaySteps: number; decisionCalls: number; verdicts: { limit: string; ok: boolean }[] };
}

test('preflight: the Starter estimate with every verdict, the configured daily limit, nothing appended', async () => {
  const before = ((await get(base)).body as { backtests: unknown[] }).backtests.length;
  const res = await post(`${base}/preflight`, run());
  assert.is(res.status, 200, JSON.stringify(res.body));
  const p = res.body as Preflight;
  assert.equal([p.tier, p.allowed, p.limits.dailyRuns, p.estimate.replaySteps, p.estimate.decisionCalls], ['starter', true, 2, 72, 24]);
  assert.equal(
    p.estimate.verdicts.map((v) => v.limit),
    ['daily_runs', 'replay_steps', 'active_assets', 'decision_calls', 'estimated_tokens'],
  );
  const tooLong = (await post(`${base}/preflight`, run({ from: '2025-12-31T17:55:00.000Z' }))).body as Preflight;
  assert.is(tooLong.allowed, false);
  assert.is(tooLong.estimate.verdicts.find((v) => !v.ok)?.limit, 'replay_steps');
  assert.is(((await get(base)).body as { backtests: unknown[] }).backtests.length, before);
});

let ids: string[] = [];

test('requests: 202 until the daily quota, then 422 naming the limit; a per-run limit refuses too', async () => {
  const first = await post(base, run());
  const second = await post(base, run({ engine: 'none' }));
  assert.equal([first.status, second.status], [202, 202]);
  ids = [first, second].map((r) => (r.body as { backtestId: string }).backtestId);
  const third = await post(base, run());
  assert.is(third.status, 422);
  assert.is(codeOf(third.body), 'backtest_refused');
  assert.equal(
    (third.body as { error: { details: { limit: string; allowed: number; requested: number } } }).error.details.limit,
    'daily_runs',
  );
  // on another clone the quota is fresh: four assets break the Starter asset limit
  const other = await publishedClone('Other');
  const assets = await post(`/api/v1/clones/${other.cloneId}/backtests`, run({ assets: ['A', 'B', 'C', 'D'] }, other.versionId));
  assert.is(assets.status, 422);
  assert.equal((assets.body as { error: { details: unknown } }).error.details, {
    backtestId: (assets.body as { error: { details: { backtestId: string } } }).error.details.backtestId,
    limit: 'active_assets',
    allowed: 3,
    requested: 4,
  });
});

test('history lists accepted and refused runs, newest first, with frozen limits', async () => {
  const res = await get(base);
  assert.is(res.status, 200);
  const list = (
    res.body as { backtests: { backtestId: string; status: string; refusal: { limit: string } | null; limits: { dailyRuns: number } }[] }
  ).backtests;
  assert.equal(
    list.map((b) => b.status),
    ['refused', 'queued', 'queued'],
  );
  assert.ok(list.every((b) => b.limits.dailyRuns === 2));
  assert.is(list[0]?.refusal?.limit, 'daily_runs');
  assert.is((await get(base, admin.auth)).status, 200);
  assert.is((await get(base, stranger.auth)).status, 403);
});

test('one run: owner and admin read it, a stranger is refused, an unknown id is 404', async () => {
  const path = `/api/v1/backtests/${ids[0]}`;
  const res = await get(path);
  assert.is(res.status, 200);
  const b = res.body as { status: string; run: { from: string; engine: string }; progress: { stepsTotal: number } };
  assert.equal([b.status, b.run.from, b.run.engine, b.progress.stepsTotal], ['queued', '2025-12-31T18:00:00.000Z', 'rules', 72]);
  assert.is((await get(path, admin.auth)).status, 200);
  assert.is((await get(path, stranger.auth)).status, 403);
  assert.is((await server.call('GET', path)).status, 401);
  assert.is((await get('/api/v1/backtests/nope')).status, 404);
});

test('compare: runs in the order asked; bad id lists are 400; a stranger is refused', async () => {
  const res = await get(`/api/v1/backtests/compare?ids=${ids[1]},${ids[0]}`);
  assert.is(res.status, 200);
  assert.equal(
    (res.body as { backtests: { backtestId: string }[] }).backtests.map((b) => b.backtestId),
    [ids[1], ids[0]],
  );
  assert.is((await get(`/api/v1/backtests/compare?ids=${ids[0]}`)).status, 400);
  assert.is((await get(`/api/v1/backtests/compare?ids=${ids[0]},${ids[0]}`)).status, 400);
  assert.is((await get(`/api/v1/backtests/compare?ids=${ids[0]},${ids[1]}`, stranger.auth)).status, 403);
});

test('legacy decision-backtest route: the same job as POST /backtests (last 6 hours, 5-minute steps); read by owner and admin only', async () => {
  const { cloneId, versionId } = await publishedClone('Legacy');
  const res = await post(`/api/v1/clones/${cloneId}/decision-backtests`, { versionId, assets: ['BTC'] });
  assert.is(res.status, 202, JSON.stringify(res.body));
  const { backtestId } = res.body as { backtestId: string };
  const legacy = await get(`/api/v1/clones/${cloneId}/decision-backtests/${backtestId}`);
  assert.is(legacy.status, 200);
  const run = (legacy.body as { run: { from: string; to: string; stepMs: number; decisionIntervalMs: number; engine: string } }).run;
  assert.equal(
    [Date.parse(run.to) - Date.parse(run.from), run.stepMs, run.decisionIntervalMs, run.engine],
    [6 * 3_600_000, 300_000, 900_000, 'rules'],
  );
  assert.is(Date.parse(run.to) % 300_000, 0, 'the window ends on a step');
  assert.equal(legacy.body, (await get(`/api/v1/backtests/${backtestId}`)).body, 'one job behind both routes');
  assert.is((await get(`/api/v1/clones/${cloneId}/decision-backtests/${backtestId}`, admin.auth)).status, 200);
  assert.is((await get(`/api/v1/clones/${cloneId}/decision-backtests/${backtestId}`, stranger.auth)).status, 403);
  assert.is((await get(`/api/v1/clones/other/decision-backtests/${backtestId}`)).status, 404);
  const bad = await post(`/api/v1/clones/${cloneId}/decision-backtests`, { versionId, assets: ['btc'] });
  assert.is(bad.status, 400);
  assert.match(JSON.stringify(bad.body), /assets/);
});

test('a version that is not one of the clone’s is a 404 before the run is judged: nothing recorded, no daily run spent', async () => {
  const fresh = await publishedClone('Versions');
  const path = `/api/v1/clones/${fresh.cloneId}/backtests`;
  for (const version of ['no-such-version', versionId]) {
    for (const res of [
      await post(path, run({}, version)),
      await post(`${path}/preflight`, run({}, version)),
      await post(`/api/v1/clones/${fresh.cloneId}/decision-backtests`, { versionId: version, assets: ['BTC'] }),
    ]) {
      assert.is(res.status, 404, JSON.stringify(res.body));
      assert.is(codeOf(res.body), 'version_not_found');
    }
  }
  assert.equal(((await get(path)).body as { backtests: unknown[] }).backtests, []);
  const preflight = (await post(`${path}/preflight`, run({}, fresh.versionId))).body as Preflight;
  assert.equal(
    preflight.estimate.verdicts.find((v) => v.limit === 'daily_runs'),
    { limit: 'daily_runs', allowed: 2, requested: 1, ok: true },
  );
});

test('bad input is a 400 naming the field and appends nothing', async () => {
  const before = ((await get(base)).body as { backtests: unknown[] }).backtests.length;
  const backwards = await post(base, run({ from: '2026-01-01T00:00:00.000Z', to: '2025-12-31T18:00:00.000Z' }));
  assert.is(backwards.status, 400);
  assert.ok(JSON.stringify(backwards.body).includes('json.to'), JSON.stringify(backwards.body));
  const odd = await post(base, run({ decisionIntervalMs: 7 * 60_000 }));
  assert.ok(odd.status === 400 && JSON.stringify(odd.body).includes('json.decisionIntervalMs'), JSON.stringify(odd.body));
  assert.is((await post(base, run({ assets: ['btc'] }))).status, 400);
  assert.is((await post(base, run({ engine: 'gpt' }))).status, 400);
  // times no calendar has are refused, not rolled over into March or NaN
  for (const from of ['2025-02-30T00:00:00.000Z', '2025-12-31T24:30:00.000Z']) {
    const unreal = await post(base, run({ from }));
    assert.is(unreal.status, 400, from);
    assert.equal((unreal.body as { error: { details: { issues: { path: string }[] } } }).error.details.issues[0]?.path, 'json.from');
  }
  assert.is(((await get(base)).body as { backtests: unknown[] }).backtests.length, before);
});

test('configuration: defaults are the policy defaults; every value can be set; a bad value stops start-up naming it', () => {
  assert.equal(backtestPolicy(loadConfig({})), defaultBacktestPolicy);
  const set = backtestPolicy(loadConfig({ BACKTEST_PRO_ACTIVE_ASSETS: '12', BACKTEST_TOKENS_PER_ASSET: '800' }));
  assert.equal([set.limits.pro.activeAssets, set.estimate.tokensPerAsset, set.limits.builder.activeAssets], [12, 800, 6]);
  assert.throws(() => loadConfig({ BACKTEST_PRO_REPLAY_STEPS: '0' }), /BACKTEST_PRO_REPLAY_STEPS/);
});

test.after(() => server.stop());
test.run();
