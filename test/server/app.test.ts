import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { healthRoutes } from '../../server/routes/health.ts';
import { operationsRoutes } from '../../server/routes/operations.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { walletComposition } from '../support/wallet/composition.ts';
import { walletRoutes } from '../support/wallet/routes.ts';

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(server.url + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

const SERVICE = 'app-test-secret-0123456789abcdef';
const server: TestServer = await startTestServer({ CLASH_SERVICE_TOKENS: `ops:${SERVICE}` }, Date.UTC(2026, 0, 1), {
  composition: walletComposition,
  routes: [healthRoutes, operationsRoutes, walletRoutes],
});
const json = async (response: Response) => ({ status: response.status, body: (await response.json()) as Record<string, unknown> });

test('public health says only up or degraded; responses carry a request id', async () => {
  await post('/api/v1/test/wallets/a/deposits', { amount: '5', memo: 'x' });
  const res = await fetch(`${server.url}/api/v1/health`);
  assert.ok(res.headers.get('x-request-id'));
  const { status, body } = await json(res);
  assert.is(status, 200);
  assert.equal(body, { status: 'up' });
});

test('a bad body is a 400 naming each bad field, and appends nothing', async () => {
  const head = server.ledger.store.headPosition();
  const { status, body } = await json(await post('/api/v1/test/wallets/a/deposits', { amount: '-3', memo: 7 }));
  assert.is(status, 400);
  const error = body.error as { code: string; details: { issues: { path: string }[] } };
  assert.is(error.code, 'validation_failed');
  assert.equal(error.details.issues.map((i) => i.path).sort(), ['json.amount', 'json.memo']);
  const malformed = await json(await post('/api/v1/test/wallets/a/deposits', '{"amount": '));
  assert.is(malformed.status, 400);
  assert.is((malformed.body.error as { code: string }).code, 'bad_request');
  const badParam = await json(await post('/api/v1/test/wallets/waaaaaaaaaaaaaaaaaaaaaaaaaay-too-long/deposits', { amount: '1', memo: '' }));
  assert.is(badParam.status, 400);
  assert.is(server.ledger.store.headPosition(), head);
});

test('a ConcurrencyError is a 409 with the versions; nothing appended', async () => {
  const head = server.ledger.store.headPosition();
  const { status, body } = await json(await post('/api/v1/test/wallets/a/deposits', { amount: '1', memo: '', expectedVersion: 0 }));
  assert.is(status, 409);
  assert.equal(body.error, {
    code: 'concurrency_conflict',
    message: 'stream wallet-a is at version 2, expected 0',
    details: { streamId: 'wallet-a', expected: 0, actual: 2 },
  });
  assert.is(server.ledger.store.headPosition(), head);
});

test('an idempotency key replays the first answer; another payload under it is a 422', async () => {
  const first = await json(await post('/api/v1/test/wallets/b/deposits', { amount: '10', memo: '' }, { 'idempotency-key': 'k-1' }));
  const again = await json(await post('/api/v1/test/wallets/b/deposits', { amount: '10', memo: '' }, { 'idempotency-key': 'k-1' }));
  assert.is(first.status, 201);
  assert.equal(again.body, first.body);
  const other = await json(await post('/api/v1/test/wallets/b/deposits', { amount: '11', memo: '' }, { 'idempotency-key': 'k-1' }));
  assert.is(other.status, 422);
  assert.is((other.body.error as { code: string }).code, 'idempotency_conflict');
  assert.is(server.ledger.store.streamVersion('wallet-b'), 2);
});

test('an unknown error is a 500 that leaks nothing', async () => {
  const res = await fetch(`${server.url}/api/v1/test/boom`);
  const text = await res.text();
  assert.is(res.status, 500);
  assert.equal(JSON.parse(text), { error: { code: 'internal', message: 'internal error', details: {} } });
  assert.not.match(text, /secret|passwd/);
});

test('unknown routes are a 404 in the same error shape', async () => {
  const { status, body } = await json(await fetch(`${server.url}/api/v1/nope`));
  assert.is(status, 404);
  assert.is((body.error as { code: string }).code, 'not_found');
});

test('the OpenAPI document describes the routes and their schemas', async () => {
  const { status, body } = await json(await fetch(`${server.url}/api/v1/openapi.json`));
  assert.is(status, 200);
  assert.is(body.openapi, '3.1.0');
  const paths = body.paths as Record<string, unknown>;
  assert.ok(paths['/api/v1/health']);
  assert.ok(paths['/api/v1/test/wallets/{walletId}/deposits']);
});

test.after(() => server.stop());
test('a corrupt event row: health says degraded (the internal route names it); a command on its stream is a 500 event_corrupt (runs last)', async () => {
  const db = server.ledger.store.db;
  const head = server.ledger.store.headPosition();
  db.prepare(
    `INSERT INTO events (position, stream_id, stream_version, event_id, type, schema_version, data, metadata, recorded_at)
     VALUES (?, 'wallet-c', 1, 'corrupt-1', 'WalletOpened', 1, '{"walletId":7}', '{}', 0)`,
  ).run(head + 1);
  assert.is((await json(await fetch(`${server.url}/api/v1/health`))).body.status, 'up', 'not met yet');
  const deposit = await json(await post('/api/v1/test/wallets/c/deposits', { amount: '1', memo: '' }));
  assert.is(deposit.status, 500);
  assert.is((deposit.body.error as { code: string }).code, 'event_corrupt');
  assert.equal((await json(await fetch(`${server.url}/api/v1/health`))).body, { status: 'degraded' }, 'the public says only that');
  const { body } = await json(
    await fetch(`${server.url}/api/v1/internal/health/workers`, { headers: { authorization: `Bearer ${SERVICE}` } }),
  );
  assert.is(body.status, 'degraded');
  assert.equal(
    { ...(body.corruptEvent as Record<string, unknown>), reason: undefined },
    { position: head + 1, streamId: 'wallet-c', type: 'WalletOpened', reason: undefined },
  );
});

test.run();
