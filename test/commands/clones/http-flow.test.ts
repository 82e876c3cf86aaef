import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chainGraph } from '../../support/graphs.ts';
import { codeOf, startTestServer } from '../../support/server.ts';
import { newAccount, signIn } from '../../support/siwe.ts';

const adminAccount = newAccount();
const server = await startTestServer({ CLASH_DEV_IDENTITY: 'true', CLASH_ADMIN_ADDRESSES: adminAccount.address });
const owner = await signIn(server, newAccount());
const admin = await signIn(server, adminAccount);
const other = await signIn(server, newAccount());

async function newClone(): Promise<string> {
  const { status, body } = await server.call('POST', '/api/v1/clones', {
    auth: owner.auth,
    body: { name: 'Trend Rider', modelTier: 'basic' },
  });
  assert.is(status, 201);
  return (body as { id: string }).id;
}

test('create, configure, publish: the lifecycle moves from setup_required to configured', async () => {
  const id = await newClone();
  const get = async () => (await server.call('GET', `/api/v1/clones/${id}`, { auth: owner.auth })).body as { lifecycleState: string };
  assert.is((await get()).lifecycleState, 'setup_required');
  const profile = {
    name: 'Trend Rider',
    description: 'Rides trends.',
    avatarUrl: 'https://img.example/a.png',
    capabilitySignals: ['majors'],
  };
  assert.is((await server.call('PUT', `/api/v1/clones/${id}/profile`, { auth: owner.auth, body: profile })).status, 204);
  const saved = await server.call('PUT', `/api/v1/clones/${id}/draft`, { auth: owner.auth, body: { graph: chainGraph(), layout: {} } });
  assert.is(saved.status, 200);
  assert.is((saved.body as { revision: number }).revision, 1);
  const refused = await server.call('POST', `/api/v1/clones/${id}/versions`, { auth: owner.auth });
  assert.is(refused.status, 422);
  assert.is(codeOf(refused.body), 'entitlement_required');
  assert.is((await server.call('POST', `/api/v1/clones/${id}/entitlement/dev-grant`, { auth: owner.auth })).status, 201);
  const published = await server.call('POST', `/api/v1/clones/${id}/versions`, { auth: owner.auth });
  assert.is(published.status, 201);
  assert.is((published.body as { number: number; active: boolean }).number, 1);
  assert.is((await get()).lifecycleState, 'configured');
  const again = await server.call('POST', `/api/v1/clones/${id}/versions`, { auth: owner.auth });
  assert.is(codeOf(again.body), 'version_unchanged');
  const pub = await server.call('GET', `/api/v1/public/clones/${id}`);
  assert.is(pub.status, 200);
  assert.equal(Object.keys(pub.body as object).sort(), [
    'avatarUrl',
    'capabilitySignals',
    'cloneId',
    'description',
    'moderationStatus',
    'name',
    'updatedAt',
  ]);
  assert.not.ok(JSON.stringify(pub.body).includes('Trade the trend'), 'the public profile never shows the prompt');
});

test('reports and moderation: anyone signed in reports once, admins retire and reinstate, the status is public', async () => {
  const id = await newClone();
  assert.is((await server.call('POST', `/api/v1/clones/${id}/reports`, { auth: other.auth, body: { reason: 'spam name' } })).status, 201);
  const twice = await server.call('POST', `/api/v1/clones/${id}/reports`, { auth: other.auth, body: { reason: 'spam name' } });
  assert.is(codeOf(twice.body), 'already_reported');
  const reports = await server.call('GET', `/api/v1/admin/clones/${id}/reports`, { auth: admin.auth });
  assert.is((reports.body as { reports: unknown[] }).reports.length, 1);
  const retired = await server.call('POST', `/api/v1/admin/clones/${id}/retire`, { auth: admin.auth, body: { reason: 'spam' } });
  assert.is((retired.body as { moderationStatus: string }).moderationStatus, 'retired');
  assert.is(((await server.call('GET', `/api/v1/public/clones/${id}`)).body as { moderationStatus: string }).moderationStatus, 'retired');
  const reinstated = await server.call('POST', `/api/v1/admin/clones/${id}/reinstate`, { auth: admin.auth, body: { reason: 'appeal ok' } });
  assert.is((reinstated.body as { moderationStatus: string }).moderationStatus, 'active');
});

test('a graph over the entitlement capacity is refused naming the node and rule, and nothing is appended', async () => {
  const id = await newClone();
  const head = server.ledger.store.headPosition();
  const res = await server.call('PUT', `/api/v1/clones/${id}/draft`, {
    auth: owner.auth,
    body: { graph: chainGraph(['BTC', 'ETH', 'SOL', 'DOGE']), layout: {} },
  });
  assert.is(res.status, 422);
  assert.is(codeOf(res.body), 'graph_invalid');
  assert.equal((res.body as { error: { details: { problems: unknown[] } } }).error.details.problems, [
    { nodeId: 'assets', rule: 'asset_capacity_exceeded', message: '4 active assets by asset selection assets; the entitlement allows 3' },
  ]);
  assert.is(server.ledger.store.headPosition(), head);
});

test('a bad body is a 400 naming the field, and appends nothing', async () => {
  const id = await newClone();
  const head = server.ledger.store.headPosition();
  const graph = chainGraph();
  const res = await server.call('PUT', `/api/v1/clones/${id}/draft`, {
    auth: owner.auth,
    body: { graph: { ...graph, nodes: [{ ...graph.nodes[0], type: 'oracle' }] }, layout: {} },
  });
  assert.is(res.status, 400);
  assert.match(JSON.stringify(res.body), 'json.graph.nodes.0');
  assert.is(server.ledger.store.headPosition(), head);
});

test('admin grants a tier with a reason and revokes it', async () => {
  const id = await newClone();
  const granted = await server.call('POST', `/api/v1/admin/clones/${id}/entitlement`, {
    auth: admin.auth,
    body: { tier: 'pro', reason: 'partner' },
  });
  assert.is(granted.status, 201);
  assert.is((granted.body as { limits: { activeAssets: number } }).limits.activeAssets, 10);
  const revoked = await server.call('POST', `/api/v1/admin/clones/${id}/entitlement/revoke`, {
    auth: admin.auth,
    body: { reason: 'ended' },
  });
  assert.is((revoked.body as { active: boolean }).active, false);
});

test('the dev fallback identity header signs in a wallet without a signature', async () => {
  const me = await server.call('GET', '/api/v1/me', { auth: `Dev ${adminAccount.address}` });
  assert.is(me.status, 200);
  assert.equal((me.body as { id: string; admin: boolean }).admin, true);
  assert.is((me.body as { id: string }).id, admin.user.id);
});

test.after(() => server.stop());
test.run();
