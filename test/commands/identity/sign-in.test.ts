/** Sign-in through the real endpoint with viem local accounts: success, and every refusal with its code. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { codeOf, startTestServer, T0 } from '../../support/server.ts';
import { challengeFor, type MessageFields, newAccount, signIn } from '../../support/siwe.ts';

const server = await startTestServer({ CLASH_PUBLIC_ORIGIN: 'https://clash.example', CLASH_SIWE_CHAIN_ID: '8453' });
const iso = (ms: number) => new Date(ms).toISOString();

async function attempt(overrides: Partial<MessageFields> = {}) {
  const account = newAccount();
  const message = await challengeFor(server, account, overrides);
  const signature = await account.signMessage({ message });
  return server.call('POST', '/api/v1/auth/verify', { body: { message, signature } });
}

test('the challenge names this server: domain, uri, chain id, a five-minute expiry', async () => {
  server.clock.set(T0);
  const { body } = await server.call('GET', '/api/v1/auth/nonce');
  assert.equal(body, {
    nonce: (body as { nonce: string }).nonce,
    domain: 'clash.example',
    uri: 'https://clash.example',
    chainId: 8453,
    issuedAt: iso(T0),
    expiresAt: iso(T0 + 300_000),
  });
  assert.match((body as { nonce: string }).nonce, /^[0-9a-f]{24}$/);
});

test('sign in, then /me; the user is the same on the next sign-in of the wallet', async () => {
  const account = newAccount();
  const first = await signIn(server, account);
  assert.is(first.user.address, account.address);
  const me = await server.call('GET', '/api/v1/me', { auth: first.auth });
  assert.is(me.status, 200);
  assert.equal(me.body, { id: first.user.id, address: account.address, admin: false, registeredAt: iso(server.clock.now()) });
  assert.is((await signIn(server, account)).user.id, first.user.id);
});

test('every refusal has its own code and appends nothing', async () => {
  const now = server.clock.now();
  const cases: [string, Partial<MessageFields>, string, number][] = [
    ['domain', { domain: 'evil.example' }, 'siwe_domain_mismatch', 401],
    ['uri', { uri: 'https://evil.example/login' }, 'siwe_uri_mismatch', 401],
    ['chain id', { chainId: 1 }, 'siwe_chain_id_mismatch', 401],
    ['issued in the future', { issuedAt: iso(now + 120_000) }, 'siwe_issued_in_future', 401],
    ['not yet valid', { notBefore: iso(now + 120_000) }, 'siwe_not_yet_valid', 401],
    ['expired', { expirationTime: iso(now - 120_000) }, 'siwe_expired', 401],
    ['unknown nonce', { nonce: 'abcdefgh1234' }, 'siwe_nonce_unknown', 401],
    ['version', { version: '2' }, 'siwe_parse_failed', 400],
  ];
  for (const [name, overrides, code, status] of cases) {
    const head = server.ledger.store.headPosition();
    const res = await attempt(overrides);
    assert.is(codeOf(res.body), code, name);
    assert.is(res.status, status, name);
    assert.is(server.ledger.store.headPosition(), head, name);
  }
});

test('small clock differences are tolerated (skew 60 s)', async () => {
  const now = server.clock.now();
  assert.is((await attempt({ issuedAt: iso(now + 30_000), expirationTime: iso(now - 30_000 + 60_000) })).status, 200);
});

test('a signature by another wallet is refused', async () => {
  const account = newAccount();
  const message = await challengeFor(server, account);
  const signature = await newAccount().signMessage({ message });
  const res = await server.call('POST', '/api/v1/auth/verify', { body: { message, signature } });
  assert.is(codeOf(res.body), 'siwe_signature_invalid');
});

test('a nonce is single use and expires after five minutes', async () => {
  const account = newAccount();
  const message = await challengeFor(server, account);
  const signature = await account.signMessage({ message });
  assert.is((await server.call('POST', '/api/v1/auth/verify', { body: { message, signature } })).status, 200);
  assert.is(codeOf((await server.call('POST', '/api/v1/auth/verify', { body: { message, signature } })).body), 'siwe_nonce_used');
  const late = await challengeFor(server, account);
  server.clock.advance(300_001);
  const lateSig = await account.signMessage({ message: late });
  assert.is(
    codeOf((await server.call('POST', '/api/v1/auth/verify', { body: { message: late, signature: lateSig } })).body),
    'siwe_nonce_expired',
  );
});

test('a malformed body is a 400 naming the field', async () => {
  const res = await server.call('POST', '/api/v1/auth/verify', { body: { message: 'x', signature: 'nothex' } });
  assert.is(res.status, 400);
  assert.match(JSON.stringify(res.body), 'json.signature');
});

test.after(() => server.stop());
test.run();
