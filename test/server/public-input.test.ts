/**
 * Public text, avatar URLs, graph and layout bounds, wei amounts and service-token
 * configuration (issue 10): each refusal is a 400 naming the field and appends nothing.
 */
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { publicUrlProblem } from '../../core/public-url.ts';
import { publicTextProblem } from '../../core/text.ts';
import { loadConfig } from '../../server/config.ts';
import { chainGraph, dataStream } from '../support/graphs.ts';
import { startTestServer } from '../support/server.ts';
import { newAccount } from '../support/siwe.ts';
import { fcRuns, fcSeed } from '../support/store.ts';
import { SessionUser } from '../support/users.ts';

const SERVICE_SECRET = 'svc:with:colons-0123456789abcdef';
const server = await startTestServer({ CLASH_SERVICE_TOKENS: `worker:${SERVICE_SECRET}` });
const owner = await SessionUser.signIn(server, newAccount());
const cloneId = ((await owner.call('POST', '/api/v1/clones', { name: 'Plain', modelTier: 'basic' })).body as { id: string }).id;
const head = () => server.ledger.store.headPosition();

/** The fields a 400 names. */
const fieldsOf = (body: unknown) =>
  ((body as { error?: { details?: { issues?: { path: string }[] } } }).error?.details?.issues ?? []).map((i) => i.path);

async function refused(method: string, path: string, body: unknown, field: string, auth = owner.auth) {
  const before = head();
  const res = await server.call(method, path, { auth, body });
  assert.is(res.status, 400, `${path} ${JSON.stringify(body).slice(0, 120)} → ${res.status}`);
  assert.ok(fieldsOf(res.body).includes(field), `${field} in ${JSON.stringify(res.body).slice(0, 300)}`);
  assert.is(head(), before, 'a refused request appends nothing');
}

const profile = { name: 'Trend Rider', description: 'Rides trends.\nLine two.', avatarUrl: null, capabilitySignals: ['majors'] };
const BAD_TEXT = ['nul\u0000byte', 'ansi \u001b[31mred', 'bidi \u202eevil', 'isolate \u2066x', 'lone \ud800 surrogate', 'c1 \u0085'];

test('public text fields refuse control, bidi-override and lone-surrogate characters', async () => {
  for (const bad of BAD_TEXT) {
    await refused('POST', '/api/v1/clones', { name: bad, modelTier: 'basic' }, 'json.name');
    await refused('PUT', `/api/v1/clones/${cloneId}/profile`, { ...profile, name: bad }, 'json.name');
    await refused('PUT', `/api/v1/clones/${cloneId}/profile`, { ...profile, description: bad }, 'json.description');
    await refused('PUT', `/api/v1/clones/${cloneId}/profile`, { ...profile, capabilitySignals: [bad] }, 'json.capabilitySignals.0');
    await refused('POST', `/api/v1/clones/${cloneId}/reports`, { reason: `report ${bad}` }, 'json.reason');
  }
  await refused('PUT', `/api/v1/clones/${cloneId}/profile`, { ...profile, name: 'two\nlines' }, 'json.name');
  assert.is((await owner.call('PUT', `/api/v1/clones/${cloneId}/profile`, { ...profile, name: 'Ünïcødé 🚀 ok' })).status, 204);
});

test('property: publicTextProblem refuses exactly the strings holding a forbidden code unit', () => {
  const forbidden = (s: string, multiline: boolean) =>
    [...s].some((ch) => {
      const c = ch.codePointAt(0) as number;
      if (ch.length === 1 && c >= 0xd800 && c <= 0xdfff) return true;
      if ((c === 9 || c === 10) && multiline) return false;
      return c < 0x20 || (c >= 0x7f && c <= 0x9f) || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
    });
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 30 }), fc.boolean(), (s, multiline) => {
      assert.is(publicTextProblem(s, multiline) !== null, forbidden(s, multiline), JSON.stringify(s));
    }),
    { seed: fcSeed, numRuns: fcRuns * 10 },
  );
});

test('avatar URLs: https to a public host only; never loopback, private, link-local or internal names', async () => {
  for (const url of [
    'http://img.example/a.png',
    'https://127.0.0.1/a.png',
    'https://localhost/a.png',
    'https://10.1.2.3/a.png',
    'https://192.168.0.1/a.png',
    'https://172.16.5.5/a.png',
    'https://169.254.169.254/latest/meta-data',
    'https://[::1]/a.png',
    'https://[fd00::1]/a.png',
    'https://[::ffff:127.0.0.1]/a.png',
    'https://0.0.0.0/a.png',
    'https://intranet/a.png',
    'https://printer.local/a.png',
    'https://db.internal/a.png',
    'https://user:pw@img.example/a.png',
    'javascript:alert(1)',
    'not a url',
  ]) {
    await refused('PUT', `/api/v1/clones/${cloneId}/profile`, { ...profile, avatarUrl: url }, 'json.avatarUrl');
  }
  assert.is(
    (await owner.call('PUT', `/api/v1/clones/${cloneId}/profile`, { ...profile, avatarUrl: 'https://img.example/a.png' })).status,
    204,
  );
  assert.is(publicUrlProblem(new URL('http://img.example/a.png'), true), null, 'http is allowed in development');
  assert.is.not(publicUrlProblem(new URL('http://127.0.0.1/a.png'), true), null);
});

test('a layout may only name nodes of its graph; node and edge counts are bounded', async () => {
  const draft = `/api/v1/clones/${cloneId}/draft`;
  const stranger = await owner.call('PUT', draft, { graph: chainGraph(), layout: { nodePositions: { ghost: { x: 1, y: 2 } } } });
  assert.is(stranger.status, 422);
  const problems = (stranger.body as { error: { details: { problems: { rule: string; nodeId: string }[] } } }).error.details.problems;
  assert.equal(
    problems.map((p) => [p.rule, p.nodeId]),
    [['layout_unknown_node', 'ghost']],
  );
  const positions = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`n${i}`, { x: i, y: i }]));
  await refused('PUT', draft, { graph: chainGraph(), layout: { nodePositions: positions } }, 'json.layout.nodePositions');
  const nodes = Array.from({ length: 101 }, (_, i) => dataStream(`d${i}`));
  await refused('PUT', draft, { graph: { nodes, edges: [] }, layout: {} }, 'json.graph.nodes');
  const edges = Array.from({ length: 401 }, (_, i) => ({ source: `a${i}`, target: `b${i}` }));
  await refused('PUT', draft, { graph: { nodes: [], edges }, layout: {} }, 'json.graph.edges');
  const placed = Object.fromEntries(chainGraph().nodes.map((n, i) => [n.id, { x: i, y: 0 }]));
  assert.is((await owner.call('PUT', draft, { graph: chainGraph(), layout: { nodePositions: placed } })).status, 200);
});

test('wei amounts: at most 78 digits and below 2^256, refused naming the field', async () => {
  const service = `Bearer ${SERVICE_SECRET}`;
  const body = (amountWei: string) => ({
    paymentId: 'pay-1',
    cloneId,
    holder: '0x0000000000000000000000000000000000000001',
    count: 1,
    amountWei,
  });
  for (const amount of ['1'.repeat(100_000), (2n ** 256n).toString(), '-1', '1.5']) {
    await refused('POST', '/api/v1/races/r1/tickets', body(amount), 'json.amountWei', service);
  }
  const atMax = await server.call('POST', '/api/v1/races/r1/tickets', { auth: service, body: body((2n ** 256n - 1n).toString()) });
  assert.is.not(atMax.status, 400, 'the largest uint256 passes validation (the race decides the rest)');
});

test('service tokens are split at the first colon: a secret may contain colons', async () => {
  assert.equal(loadConfig({ CLASH_SERVICE_TOKENS: `worker:${SERVICE_SECRET}` }).CLASH_SERVICE_TOKENS, [
    { name: 'worker', secret: SERVICE_SECRET },
  ]);
  const me = await server.call('POST', '/api/v1/prop-accounts', { auth: `Bearer ${SERVICE_SECRET}`, body: { cloneId: '__proto__' } });
  assert.is(me.status, 400, 'the full secret authenticates as the service (its body is then validated)');
  const cut = await server.call('POST', '/api/v1/prop-accounts', { auth: 'Bearer svc', body: {} });
  assert.is(cut.status, 401, 'the part before a colon of the secret is not a token');
  assert.throws(() => loadConfig({ CLASH_SERVICE_TOKENS: 'worker:short' }), /24\+ printable/);
  assert.throws(() => loadConfig({ CLASH_SERVICE_TOKENS: 'bad name:0123456789abcdefghijklmnop' }), /names of letters/);
});

test.after(() => server.stop());
test.run();
