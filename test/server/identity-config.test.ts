/** Identity configuration: safe development defaults, production refusals, and the OpenAPI document. */
import { generateKeyPairSync } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { configProblems } from '../support/config.ts';
import { startTestServer } from '../support/server.ts';
import { newAccount, signIn } from '../support/siwe.ts';

const pem = (type: 'ed25519' | 'ec') =>
  generateKeyPairSync(type as 'ec', { namedCurve: 'P-256' })
    .privateKey.export({ type: 'pkcs8', format: 'pem' })
    .toString();
const production = {
  NODE_ENV: 'production',
  CLASH_PUBLIC_ORIGIN: 'https://clash.example',
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
    'CHAIN_RPC_URL',
    'CHAIN_ID',
    'VAULT_ADDRESS',
    'CLASH_SIGNER_PRIVATE_KEY',
  ]);
  assert.equal(configProblems({ CLASH_ADMIN_ADDRESSES: '0x12' }), ['CLASH_ADMIN_ADDRESSES']);
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
