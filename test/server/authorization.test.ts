/**
 * The authorization table: every route of the identity and clone modules (the lifecycle reads
 * and the moderation queue included), called by every kind of caller, answers the status the
 * table says. Writes use bodies that would succeed for the right caller, so a 2xx/4xx
 * difference can only come from who is calling.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chainGraph } from '../support/graphs.ts';
import { startTestServer } from '../support/server.ts';
import { newAccount, signIn } from '../support/siwe.ts';

const serviceToken = 'worker:0123456789abcdefghijklmnop';
const adminAccount = newAccount();
const server = await startTestServer({
  CLASH_DEV_IDENTITY: 'true',
  CLASH_ADMIN_ADDRESSES: adminAccount.address,
  CLASH_SERVICE_TOKENS: serviceToken,
});
const owner = await signIn(server, newAccount());
const stranger = await signIn(server, newAccount());
const admin = await signIn(server, adminAccount);

type Caller = 'anonymous' | 'owner' | 'stranger' | 'admin' | 'service';
const auth: Record<Caller, string | undefined> = {
  anonymous: undefined,
  owner: owner.auth,
  stranger: stranger.auth,
  admin: admin.auth,
  service: `Bearer ${serviceToken.split(':')[1]}`,
};

/** A fresh clone of `owner` per row, so rows never depend on each other. */
async function freshClone(): Promise<string> {
  const res = await server.call('POST', '/api/v1/clones', { auth: owner.auth, body: { name: 'Table', modelTier: 'basic' } });
  const id = (res.body as { id: string }).id;
  await server.call('PUT', `/api/v1/clones/${id}/draft`, { auth: owner.auth, body: { graph: chainGraph(), layout: {} } });
  await server.call('POST', `/api/v1/clones/${id}/entitlement/dev-grant`, { auth: owner.auth });
  return id;
}

/** The clone's first version, published by its owner (a backtest names one of the clone's versions). */
async function publish(id: string): Promise<string> {
  const res = await server.call('POST', `/api/v1/clones/${id}/versions`, { auth: owner.auth });
  return (res.body as { versionId: string }).versionId;
}
const backtestRun = async (id: string) => ({
  strategy: { kind: 'version', versionId: await publish(id) },
  from: '2026-01-04T18:00:00.000Z',
  to: '2026-01-05T00:00:00.000Z',
  assets: ['BTC'],
});
const profile = { name: 'Renamed', description: '', avatarUrl: null, capabilitySignals: [] };
/** A body, or how to make one for the row's fresh clone. */
type Body = unknown | ((id: string) => Promise<unknown>);
type Row = [method: string, path: (id: string) => string, body: Body, expected: Record<Caller, number>];
const ownerOnly = (ok: number) => ({ anonymous: 401, owner: ok, stranger: 403, admin: 403, service: 403 });
const adminOnly = (ok: number) => ({ anonymous: 401, owner: 403, stranger: 403, admin: ok, service: 403 });
const anyUser = (ok: number) => ({ anonymous: 401, owner: ok, stranger: ok, admin: ok, service: 403 });
const anyone = (ok: number) => ({ anonymous: ok, owner: ok, stranger: ok, admin: ok, service: ok });

const table: Row[] = [
  ['GET', () => '/api/v1/me', undefined, anyUser(200)],
  ['GET', () => '/api/v1/clones', undefined, anyUser(200)],
  ['POST', () => '/api/v1/clones', { name: 'Mine', modelTier: 'basic' }, anyUser(201)],
  ['GET', (id) => `/api/v1/clones/${id}`, undefined, ownerOnly(200)],
  ['PUT', (id) => `/api/v1/clones/${id}/profile`, profile, ownerOnly(204)],
  ['PUT', (id) => `/api/v1/clones/${id}/model`, { modelTier: 'basic' }, ownerOnly(204)],
  ['GET', (id) => `/api/v1/clones/${id}/draft`, undefined, ownerOnly(200)],
  ['PUT', (id) => `/api/v1/clones/${id}/draft`, { graph: chainGraph(['SOL']), layout: {} }, ownerOnly(200)],
  ['GET', (id) => `/api/v1/clones/${id}/versions`, undefined, ownerOnly(200)],
  ['POST', (id) => `/api/v1/clones/${id}/versions`, undefined, ownerOnly(201)],
  ['GET', (id) => `/api/v1/clones/${id}/entitlement`, undefined, ownerOnly(200)],
  ['POST', (id) => `/api/v1/clones/${id}/pipeline/preview`, {}, ownerOnly(200)],
  ['GET', (id) => `/api/v1/clones/${id}/latest-data?asset=SOL&block=hyperliquid.ohlcv.SOL`, undefined, ownerOnly(404)],
  ['GET', (id) => `/api/v1/clones/${id}/decisions`, undefined, ownerOnly(200)],
  // a run's owner reads it (test/server/decision-reads.test.ts); here: no such run, so signed-in users get 404
  ['GET', () => '/api/v1/decisions/no-such-run', undefined, { ...anyUser(404) }],
  ['GET', () => '/api/v1/admin/decision-costs', undefined, adminOnly(200)],
  ['POST', (id) => `/api/v1/clones/${id}/entitlement/dev-grant`, undefined, { ...ownerOnly(409) }],
  ['GET', (id) => `/api/v1/public/clones/${id}`, undefined, anyone(200)],
  ['GET', (id) => `/api/v1/clones/${id}/lifecycle`, undefined, { ...ownerOnly(200), admin: 200 }],
  ['GET', (id) => `/api/v1/public/clones/${id}/lifecycle`, undefined, anyone(200)],
  ['GET', () => '/api/v1/admin/moderation', undefined, adminOnly(200)],
  ['POST', (id) => `/api/v1/clones/${id}/reports`, { reason: 'looks off' }, anyUser(201)],
  ['GET', (id) => `/api/v1/admin/clones/${id}/reports`, undefined, adminOnly(200)],
  ['POST', (id) => `/api/v1/admin/clones/${id}/retire`, { reason: 'policy' }, adminOnly(200)],
  ['POST', (id) => `/api/v1/admin/clones/${id}/entitlement`, { tier: 'builder', reason: 'partner' }, adminOnly(201)],
  ['POST', (id) => `/api/v1/admin/clones/${id}/entitlement/revoke`, { reason: 'ended' }, adminOnly(200)],
  ['GET', () => '/api/v1/internal/health/ingestion', undefined, { ...adminOnly(200), service: 200 }],
  ['GET', () => '/api/v1/admin/decisions/pauses', undefined, { ...adminOnly(200), service: 200 }],
  ['POST', (id) => `/api/v1/clones/${id}/backtests/preflight`, backtestRun, ownerOnly(200)],
  ['POST', (id) => `/api/v1/clones/${id}/backtests`, backtestRun, ownerOnly(202)],
  ['GET', (id) => `/api/v1/clones/${id}/backtests`, undefined, { ...ownerOnly(200), admin: 200 }],
  [
    'POST',
    (id) => `/api/v1/clones/${id}/decision-backtests`,
    async (id: string) => ({ versionId: await publish(id), assets: ['BTC'] }),
    ownerOnly(202),
  ],
];

test('every (route, caller) pair answers the status of the table', async () => {
  const wrong: string[] = [];
  for (const [method, path, body, expected] of table) {
    for (const caller of Object.keys(expected) as Caller[]) {
      const id = await freshClone();
      const p = path(id);
      const sent = typeof body === 'function' ? await (body as (id: string) => Promise<unknown>)(id) : body;
      const res = await server.call(method, p, {
        ...(sent === undefined ? {} : { body: sent }),
        ...(auth[caller] ? { auth: auth[caller] } : {}),
      });
      if (res.status !== expected[caller])
        wrong.push(`${method} ${p} as ${caller}: ${res.status}, expected ${expected[caller]} ${JSON.stringify(res.body)}`);
    }
  }
  assert.equal(wrong, []);
});

test('an unknown clone is a 404 for its owner-only, public and admin routes', async () => {
  for (const [method, path, who] of [
    ['GET', '/api/v1/clones/nope', owner.auth],
    ['GET', '/api/v1/public/clones/nope', undefined],
    ['GET', '/api/v1/clones/nope/lifecycle', admin.auth],
    ['GET', '/api/v1/public/clones/nope/lifecycle', undefined],
    ['POST', '/api/v1/admin/clones/nope/entitlement/revoke', admin.auth],
  ] as const) {
    const body = method === 'POST' ? { reason: 'none here' } : undefined;
    const res = await server.call(method, path, { ...(body ? { body } : {}), ...(who ? { auth: who } : {}) });
    assert.is(res.status, 404, path);
  }
});

test('without the dev identity flag the fallback header is ignored and the dev grant route does not exist', async () => {
  const plain = await startTestServer();
  assert.is((await plain.call('GET', '/api/v1/me', { auth: `Dev ${adminAccount.address}` })).status, 401);
  const s = await signIn(plain, newAccount());
  const created = await plain.call('POST', '/api/v1/clones', { auth: s.auth, body: { name: 'x', modelTier: 'basic' } });
  const id = (created.body as { id: string }).id;
  assert.is((await plain.call('POST', `/api/v1/clones/${id}/entitlement/dev-grant`, { auth: s.auth })).status, 404);
  await plain.stop();
});

test.after(() => server.stop());
test.run();
