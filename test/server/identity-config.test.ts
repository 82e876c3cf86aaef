/** Identity configuration: safe development defaults, production refusals, and the OpenAPI document. */
import { generateKeyPairSync } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadConfig, servingConfig } from '../../server/config.ts';
import { listeningUrl } from '../../server/serve.ts';
import { configProblems } from '../support/config.ts';
import { codeOf, startTestServer, type TestServer } from '../support/server.ts';
import { formatMessage, newAccount, signIn } from '../support/siwe.ts';

const pem = (type: 'ed25519' | 'ec') =>
  generateKeyPairSync(type as 'ec', { namedCurve: 'P-256' })
    .privateKey.export({ type: 'pkcs8', format: 'pem' })
    .toString();
const production = {
  NODE_ENV: 'production',
  CLASH_PUBLIC_ORIGIN: 'https://clash.example',
  CLASH_SIWE_CHAIN_ID: '8453',
  CLASH_JWT_PRIVATE_KEY: pem('ed25519'),
  CLASH_LEDGER_SIGNING_KEY: pem('ed25519'),
  CHAIN_RPC_URL: 'https://rpc.example',
  CHAIN_ID: '8453',
  VAULT_ADDRESS: `0x${'11'.repeat(20)}`,
  CLASH_SIGNER_PRIVATE_KEY: `0x${'22'.repeat(32)}`,
};

test('development defaults need nothing; production needs a key and an https origin, and refuses the dev identity', () => {
  assert.equal(configProblems({}), []);
  assert.equal(configProblems(production), []);
  assert.equal(configProblems({ ...production, CLASH_DEV_IDENTITY: 'true' }), ['CLASH_DEV_IDENTITY']);
  assert.equal(configProblems({ NODE_ENV: 'production' }), [
    'CLASH_JWT_PRIVATE_KEY',
    'CLASH_LEDGER_SIGNING_KEY',
    'CLASH_PUBLIC_ORIGIN',
    'CLASH_SIWE_CHAIN_ID',
    'CHAIN_RPC_URL',
    'CHAIN_ID',
    'VAULT_ADDRESS',
    'CLASH_SIGNER_PRIVATE_KEY',
  ]);
  assert.equal(configProblems({ CLASH_ADMIN_ADDRESSES: '0x12' }), ['CLASH_ADMIN_ADDRESSES']);
  assert.equal(configProblems({ CLASH_PUBLIC_ORIGIN: 'localhost' }), ['CLASH_PUBLIC_ORIGIN']);
  assert.equal(configProblems({ CLASH_SIWE_CHAIN_ID: '0' }), ['CLASH_SIWE_CHAIN_ID']);
});

test('given no sign-in settings, then the origin is the listening address and the chain id CHAIN_ID, else the embedded chain', () => {
  const defaults = servingConfig(loadConfig({}), listeningUrl('127.0.0.1', 3000));
  assert.equal([defaults.CLASH_PUBLIC_ORIGIN, defaults.CLASH_SIWE_CHAIN_ID], ['http://127.0.0.1:3000', 31337]);
  assert.is(servingConfig(loadConfig({}), listeningUrl('0.0.0.0', 8080)).CLASH_PUBLIC_ORIGIN, 'http://127.0.0.1:8080');
  assert.is(servingConfig(loadConfig({}), listeningUrl('::', 8080)).CLASH_PUBLIC_ORIGIN, 'http://[::1]:8080');
  const chain = { CHAIN_RPC_URL: 'http://127.0.0.1:8545', CHAIN_ID: '8453', VAULT_ADDRESS: `0x${'11'.repeat(20)}` };
  assert.is(servingConfig(loadConfig(chain), 'http://127.0.0.1:1').CLASH_SIWE_CHAIN_ID, 8453);
  const configured = servingConfig(loadConfig({ CLASH_PUBLIC_ORIGIN: 'https://clash.example', CLASH_SIWE_CHAIN_ID: '10' }), 'http://x:1');
  assert.equal([configured.CLASH_PUBLIC_ORIGIN, configured.CLASH_SIWE_CHAIN_ID], ['https://clash.example', 10]);
});

/** Signs in with a message written by hand for `host` (as a wallet would for the README's address), not the nonce's fields. */
async function signInAt(server: TestServer, host: string) {
  const account = newAccount();
  const challenge = (await server.call('GET', '/api/v1/auth/nonce')).body as { nonce: string; domain: string; chainId: number };
  const message = formatMessage({
    domain: host,
    address: account.address,
    statement: 'Sign in to Clash of Clones',
    uri: `http://${host}`,
    version: '1',
    chainId: 31337,
    nonce: challenge.nonce,
    issuedAt: new Date(server.clock.now()).toISOString(),
  });
  const res = await server.call('POST', '/api/v1/auth/verify', { body: { message, signature: await account.signMessage({ message }) } });
  return { challenge, res };
}

test('given a default development server on 127.0.0.1:3000, a SIWE message for 127.0.0.1:3000 on chain 31337 signs in', async () => {
  const server = await startTestServer({ NODE_ENV: 'development', PORT: '3000' }, Date.now()).catch((e: NodeJS.ErrnoException) => {
    if (e.code !== 'EADDRINUSE') throw e;
    console.log('  (skipped: port 3000 is taken on this machine; the PORT=0 case below covers the same default)');
    return undefined;
  });
  if (!server) return;
  try {
    const { challenge, res } = await signInAt(server, '127.0.0.1:3000');
    assert.equal([challenge.domain, challenge.chainId], ['127.0.0.1:3000', 31337]);
    assert.is(res.status, 200, JSON.stringify(res.body));
  } finally {
    await server.stop();
  }
});

test('given PORT=0, the default origin names the real port: a message for it signs in, one for localhost:3000 is refused', async () => {
  const server = await startTestServer({ NODE_ENV: 'development' }, Date.now());
  try {
    const host = new URL(server.url).host;
    assert.not.equal(new URL(server.url).port, '0');
    const { challenge, res } = await signInAt(server, host);
    assert.equal([challenge.domain, challenge.chainId], [host, 31337]);
    assert.is(res.status, 200, JSON.stringify(res.body));
    const wrong = await signInAt(server, 'localhost:3000');
    assert.equal([wrong.res.status, codeOf(wrong.res.body)], [401, 'siwe_domain_mismatch']);
  } finally {
    await server.stop();
  }
});

test('a configured P-256 key (PEM with \\n escapes) signs tokens that the server accepts', async () => {
  const server = await startTestServer({ CLASH_JWT_PRIVATE_KEY: pem('ec').replaceAll('\n', '\\n') });
  const s = await signIn(server, newAccount());
  assert.is(JSON.parse(Buffer.from(s.accessToken.split('.')[0] as string, 'base64url').toString()).alg, 'ES256');
  assert.is((await server.call('GET', '/api/v1/me', { auth: s.auth })).status, 200);
  await server.stop();
});

test('every identity and clone route is in the OpenAPI document', async () => {
  const server = await startTestServer({ CLASH_DEV_IDENTITY: 'true' });
  const doc = (await server.call('GET', '/api/v1/openapi.json')).body as { paths: Record<string, Record<string, unknown>> };
  const expected = [
    'get /api/v1/auth/nonce',
    'post /api/v1/auth/verify',
    'post /api/v1/auth/refresh',
    'post /api/v1/auth/logout',
    'get /api/v1/me',
    'post /api/v1/clones',
    'get /api/v1/clones',
    'get /api/v1/clones/{id}',
    'put /api/v1/clones/{id}/profile',
    'put /api/v1/clones/{id}/model',
    'get /api/v1/clones/{id}/draft',
    'put /api/v1/clones/{id}/draft',
    'post /api/v1/clones/{id}/versions',
    'get /api/v1/clones/{id}/versions',
    'get /api/v1/clones/{id}/versions/{number}',
    'get /api/v1/clones/{id}/entitlement',
    'post /api/v1/clones/{id}/entitlement/dev-grant',
    'get /api/v1/public/clones/{id}',
    'post /api/v1/clones/{id}/reports',
    'get /api/v1/admin/clones/{id}/reports',
    'post /api/v1/admin/clones/{id}/retire',
    'post /api/v1/admin/clones/{id}/reinstate',
    'post /api/v1/admin/clones/{id}/entitlement',
    'post /api/v1/admin/clones/{id}/entitlement/revoke',
  ];
  const missing = expected.filter((r) => {
    const [method, path] = r.split(' ') as [string, string];
    return doc.paths[path]?.[method] === undefined;
  });
  assert.equal(missing, []);
  await server.stop();
});

test.run();
