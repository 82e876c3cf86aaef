/** CORS: preflight for every route from allowed origins, nothing for refused ones, and the configuration checks. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { corsOrigins, loadConfig } from '../../server/config.ts';
import { originAllowed } from '../../server/cors.ts';
import { configProblems } from '../support/config.ts';
import { startTestServer } from '../support/server.ts';

const server = await startTestServer({ CLASH_CORS_ORIGINS: 'https://app.clash.example, http://localhost:*' });
const local = await startTestServer();

const preflight = (url: string, path: string, origin: string, method = 'POST') =>
  fetch(url + path, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': 'authorization,content-type' },
  });

test('Given an allowed origin, When it preflights any route, Then methods and headers are allowed for it', async () => {
  for (const path of ['/api/v1/clones', '/api/v1/prop-accounts/a-1/actions', '/api/v1/economy/payments']) {
    const res = await preflight(server.url, path, 'https://app.clash.example');
    assert.is(res.status, 204, path);
    assert.is(res.headers.get('access-control-allow-origin'), 'https://app.clash.example');
    assert.is(res.headers.get('access-control-allow-methods'), 'GET,POST,PUT');
    assert.is(res.headers.get('access-control-allow-headers'), 'Authorization,Content-Type,Idempotency-Key,X-Request-Id');
  }
  const anyPort = await preflight(server.url, '/api/v1/clones', 'http://localhost:5173');
  assert.is(anyPort.headers.get('access-control-allow-origin'), 'http://localhost:5173');
  const read = await fetch(`${server.url}/api/v1/health`, { headers: { origin: 'https://app.clash.example' } });
  assert.is(read.headers.get('access-control-allow-origin'), 'https://app.clash.example');
  assert.match(read.headers.get('access-control-expose-headers') ?? '', 'X-Request-Id');
  assert.is(read.headers.get('vary'), 'Origin');
});

test('Given any origin or none, When a route answers or fails, Then the answer varies by Origin and keeps its request id', async () => {
  for (const headers of [{}, { origin: 'https://app.clash.example' }, { origin: 'https://evil.example' }] as Record<string, string>[]) {
    for (const [path, status] of [
      ['/api/v1/health', 200],
      ['/api/v1/prop-accounts/none', 401],
      ['/api/v1/no-such-route', 404],
    ] as const) {
      const res = await fetch(server.url + path, { headers: { ...headers, 'x-request-id': 'req-cors-1' } });
      assert.is(res.status, status, path);
      assert.is(res.headers.get('vary'), 'Origin', path);
      assert.is(res.headers.get('x-request-id'), 'req-cors-1', path);
      assert.is(
        res.headers.get('access-control-allow-origin'),
        headers.origin === 'https://app.clash.example' ? headers.origin : null,
        path,
      );
      assert.is(res.headers.get('content-type'), 'application/json', path);
    }
  }
});

test('Given a refused origin, When it preflights or reads, Then no response allows it', async () => {
  for (const origin of ['https://evil.example', 'https://app.clash.example.evil.example', 'http://127.0.0.1:5173']) {
    const res = await preflight(server.url, '/api/v1/clones', origin);
    assert.is(res.headers.get('access-control-allow-origin'), null, origin);
  }
  const read = await fetch(`${server.url}/api/v1/health`, { headers: { origin: 'https://evil.example' } });
  assert.is(read.status, 200);
  assert.is(read.headers.get('access-control-allow-origin'), null);
});

test('Given no CLASH_CORS_ORIGINS, Then development allows local frontends on any port and production allows none', async () => {
  const res = await preflight(local.url, '/api/v1/auth/verify', 'http://127.0.0.1:5173');
  assert.is(res.headers.get('access-control-allow-origin'), 'http://127.0.0.1:5173');
  assert.is(
    (await preflight(local.url, '/api/v1/auth/verify', 'https://app.clash.example')).headers.get('access-control-allow-origin'),
    null,
  );
  assert.equal(corsOrigins(loadConfig({})), ['http://localhost:*', 'http://127.0.0.1:*']);
  const production = {
    NODE_ENV: 'production',
    CLASH_PUBLIC_ORIGIN: 'https://clash.example',
    CLASH_SIWE_CHAIN_ID: '8453',
    CLASH_JWT_PRIVATE_KEY: 'configured',
    CLASH_LEDGER_SIGNING_KEY: 'configured',
    CHAIN_RPC_URL: 'https://rpc.example',
    CHAIN_ID: '8453',
    VAULT_ADDRESS: `0x${'11'.repeat(20)}`,
    CLASH_SIGNER_PRIVATE_KEY: `0x${'22'.repeat(32)}`,
  };
  assert.equal(corsOrigins(loadConfig(production)), []);
  assert.equal(corsOrigins(loadConfig({ ...production, CLASH_CORS_ORIGINS: 'https://clash.example' })), ['https://clash.example']);
  assert.equal(corsOrigins(loadConfig({ NODE_ENV: 'test', CLASH_CORS_ORIGINS: '' })), []);
  assert.ok(!originAllowed([], 'http://localhost:3000'));
  assert.ok(!originAllowed(['http://localhost:*'], 'http://localhost:3000/x'));
});

test('Given a bad CLASH_CORS_ORIGINS, Then start-up stops naming the variable', () => {
  for (const bad of ['*', 'app.clash.example', 'https://app.clash.example/path', 'https://*.clash.example', 'ftp://x.example']) {
    assert.equal(configProblems({ CLASH_CORS_ORIGINS: bad }), ['CLASH_CORS_ORIGINS'], bad);
  }
  assert.equal(configProblems({ CLASH_CORS_ORIGINS: 'https://app.clash.example,http://localhost:*' }), []);
});

test.after(async () => {
  await server.stop();
  await local.stop();
});
test.run();
