/**
 * Request limits over real HTTP (issue 10): body size (413 before parsing), URL length (414),
 * oversized header sets (431 in the standard shape, not Node's empty answer), rate limits (429
 * with Retry-After) per client address and per user, client request ids, authentication before
 * validation, and a full disk (503 storage_full). Every refusal appends nothing.
 */
import { connect } from 'node:net';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { codeOf, startTestServer, type TestServer } from '../support/server.ts';
import { newAccount } from '../support/siwe.ts';
import { SessionUser } from '../support/users.ts';

const server = await startTestServer({ CLASH_MAX_BODY_BYTES: '4096' });
const alice = await SessionUser.signIn(server, newAccount());

const head = (s: TestServer = server) => s.ledger.store.headPosition();

/** Sends raw bytes and returns the status line, the headers and the body of the answer. */
function raw(url: string, request: string): Promise<{ status: number; headers: string; body: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.end(request));
    let text = '';
    socket.on('data', (d) => {
      text += d.toString();
    });
    socket.on('error', reject);
    socket.on('close', () => {
      const [headers = '', body = ''] = text.split('\r\n\r\n');
      resolve({ status: Number(headers.split(' ')[1]), headers, body });
    });
  });
}

/** POSTs `text` to /api/v1/clones as alice in chunks of `chunk` bytes, with no Content-Length (a streamed body). */
const postStreamed = (text: string, chunk: number) => {
  const bytes = new TextEncoder().encode(text);
  return fetch(`${server.url}/api/v1/clones`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: alice.auth },
    body: new ReadableStream({
      start(controller) {
        for (let i = 0; i < bytes.length; i += chunk) controller.enqueue(bytes.slice(i, i + chunk));
        controller.close();
      },
    }),
    duplex: 'half',
  } as RequestInit);
};

test('a body over CLASH_MAX_BODY_BYTES is 413 payload_too_large before it is parsed, declared or streamed', async () => {
  const before = head();
  const big = JSON.stringify({ name: 'x'.repeat(5000), modelTier: 'standard' });
  const declared = await server.call('POST', '/api/v1/clones', { auth: alice.auth, body: JSON.parse(big) });
  assert.is(declared.status, 413);
  assert.is(codeOf(declared.body), 'payload_too_large');
  assert.equal((declared.body as { error: { details: unknown } }).error.details, { maxBytes: 4096 });

  const streamed = await postStreamed(big, 1000);
  assert.is(streamed.status, 413);
  assert.is(codeOf(await streamed.json()), 'payload_too_large');

  // Under the limit, a streamed body reaches the route whole: an invalid clone is refused naming its field.
  const streamedSmall = await postStreamed(JSON.stringify({ name: '', modelTier: 'standard' }), 10);
  assert.is(streamedSmall.status, 400);
  assert.match(JSON.stringify(await streamedSmall.json()), 'name');

  const anonymous = await server.call('PUT', '/api/v1/clones/c1/draft', { body: { graph: 'x'.repeat(10_000) } });
  assert.is(anonymous.status, 413, 'the limit holds before authentication too');
  assert.is(head(), before);
});

test('a URL over 4096 characters is 414 uri_too_long (answered before a route is chosen, so not in any route of the document)', async () => {
  const res = await fetch(`${server.url}/api/v1/races?limit=1&pad=${'a'.repeat(5000)}`);
  assert.is(res.status, 414);
  assert.is(codeOf(await res.json()), 'uri_too_long');
});

test('a header set over 16 KiB is 431 in the standard error shape, and a malformed request a 400', async () => {
  const big = await raw(server.url, `GET /api/v1/health HTTP/1.1\r\nHost: x\r\nX-Pad: ${'a'.repeat(20_000)}\r\n\r\n`);
  assert.is(big.status, 431);
  assert.match(big.headers, /content-type: application\/json/i);
  assert.is((JSON.parse(big.body) as { error: { code: string } }).error.code, 'headers_too_large');

  const garbage = await raw(server.url, 'NOT HTTP AT ALL\r\n\r\n');
  assert.is(garbage.status, 400);
  assert.is((JSON.parse(garbage.body) as { error: { code: string } }).error.code, 'bad_request');
});

test('an anonymous call to a protected route is 401, never a 400 describing the body', async () => {
  const before = head();
  for (const [method, path, body] of [
    ['POST', '/api/v1/clones', { name: 42 }],
    ['PUT', '/api/v1/clones/whatever/draft', { graph: { nodes: 'no' } }],
    ['POST', '/api/v1/prop-accounts', { cloneId: '__proto__' }],
    ['POST', '/api/v1/economy/payments', { quoteId: 'nope' }],
    ['GET', '/api/v1/prop-accounts/x/fills?limit=-4', undefined],
  ] as const) {
    const res = await server.call(method, path, body === undefined ? {} : { body });
    assert.is(res.status, 401, `${method} ${path}`);
    assert.is(codeOf(res.body), 'unauthorized');
  }
  assert.is(head(), before);
});

test('X-Request-Id is echoed only when it matches the safe pattern; otherwise a new id is made', async () => {
  const id = async (given: string) =>
    (await fetch(`${server.url}/api/v1/health`, { headers: { 'x-request-id': given } })).headers.get('x-request-id');
  assert.is(await id('client-trace_01=='), 'client-trace_01==');
  for (const bad of ['has space', '<script>', 'a'.repeat(129), 'semi;colon', 'ünïcode']) {
    const answered = await id(bad);
    assert.is.not(answered, bad);
    assert.match(answered ?? '', /^[0-9a-f-]{36}$/);
  }
});

test('a full disk answers 503 storage_full with Retry-After, appends nothing, and writes resume once there is room', async () => {
  const s = await startTestServer();
  const bob = await SessionUser.signIn(s, newAccount());
  const db = s.ledger.store.db;
  const pages = db.pragma('page_count', { simple: true }) as number;
  db.pragma(`max_page_count = ${pages}`);
  const before = head(s);
  const refused = await bob.call('POST', '/api/v1/clones', { name: 'x'.repeat(80), modelTier: 'standard' });
  let full = refused;
  // The first write may still fit in a free page; fill until SQLite says the file is full.
  for (let i = 0; i < 50 && full.status === 201; i++) {
    full = await bob.call('POST', '/api/v1/clones', { name: 'y'.repeat(80), modelTier: 'standard' });
  }
  assert.is(full.status, 503);
  assert.is(codeOf(full.body), 'storage_full');
  assert.equal((full.body as { error: { details: unknown } }).error.details, { retryable: true, retryAfterSeconds: 30 });
  const atFull = head(s);
  assert.ok(atFull >= before);
  const again = await fetch(`${s.url}/api/v1/clones`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: bob.auth },
    body: JSON.stringify({ name: 'z', modelTier: 'standard' }),
  });
  assert.is(again.status, 503);
  assert.is(again.headers.get('retry-after'), '30');
  assert.is(head(s), atFull, 'a refused write appends nothing');
  db.pragma('max_page_count = 1073741823');
  assert.is((await bob.call('POST', '/api/v1/clones', { name: 'after', modelTier: 'standard' })).status, 201);
  await s.stop();
});

test('rate limits: per client address on the anonymous routes, per user on writes; 429 with Retry-After', async () => {
  const s = await startTestServer({ CLASH_RATE_LIMIT_ANONYMOUS: '12', CLASH_RATE_LIMIT_USER_WRITES: '3' });
  const carol = await SessionUser.signIn(s, newAccount()); // a nonce and a verify: 2 of 12
  const dave = await SessionUser.signIn(s, newAccount()); // 4 of 12
  const nonces = () => (s.ledger.store.db.prepare('SELECT count(*) AS n FROM siwe_nonces').get() as { n: number }).n;
  const statuses: number[] = [];
  for (let i = 0; i < 10; i++) statuses.push((await s.call('GET', '/api/v1/auth/nonce')).status);
  assert.equal(statuses, [200, 200, 200, 200, 200, 200, 200, 200, 429, 429]);
  assert.is(nonces(), 2 + 8, 'a refused nonce request leaves no row');
  const limited = await fetch(`${s.url}/api/v1/auth/refresh`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ refreshToken: 'x' }),
  });
  assert.is(limited.status, 429);
  const retryAfter = Number(limited.headers.get('retry-after'));
  assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`);
  const body = (await limited.json()) as { error: { code: string; details: { limit: number; retryAfterSeconds: number } } };
  assert.is(body.error.code, 'rate_limited');
  assert.is(body.error.details.limit, 12);

  const before = s.ledger.store.headPosition();
  const writes: number[] = [];
  for (let i = 0; i < 4; i++) writes.push((await carol.call('POST', '/api/v1/clones', { name: `c${i}`, modelTier: 'standard' })).status);
  assert.equal(writes, [201, 201, 201, 429]);
  assert.is(s.ledger.store.headPosition(), before + 3, 'the refused write appended nothing');
  assert.is((await carol.call('GET', '/api/v1/clones')).status, 200, 'reads are not limited');
  assert.is(
    (await dave.call('POST', '/api/v1/clones', { name: 'd', modelTier: 'standard' })).status,
    201,
    'another user has their own window',
  );
  await s.stop();
});

test.after(() => server.stop());
test.run();
