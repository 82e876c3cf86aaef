/**
 * Economy configuration: a chain is configured whole or not at all; without one, tests get 503s;
 * in development without an RPC the server runs its own anvil with a fresh vault and stops it on
 * close; an RPC serving another chain id stops start-up.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ConfigError } from '../../core/config.ts';
import type { ClashError } from '../../core/errors.ts';
import { loadConfig } from '../../server/config.ts';
import { testKey } from '../support/chain.ts';
import { configProblems } from '../support/config.ts';
import { codeOf, startTestServer } from '../support/server.ts';

const answers = async (rpcUrl: string) =>
  fetch(rpcUrl, { method: 'POST', body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }) }).then(
    (r) => r.ok,
    () => false,
  );

test('a chain RPC needs its chain id and vault; prices are positive wei', () => {
  assert.equal(configProblems({ CHAIN_RPC_URL: 'http://127.0.0.1:8545' }), ['CHAIN_ID', 'VAULT_ADDRESS']);
  assert.equal(configProblems({ ECONOMY_AUDITION_FEE_WEI: '0.01' }), ['ECONOMY_AUDITION_FEE_WEI']);
  assert.equal(configProblems({ ECONOMY_AUDITION_FEE_WEI: '0' }), ['ECONOMY_AUDITION_FEE_WEI']);
  assert.equal(configProblems({ ECONOMY_TICKET_PRICE_WEI: (2n ** 256n).toString() }), ['ECONOMY_TICKET_PRICE_WEI']);
  assert.is(loadConfig({ ECONOMY_TICKET_PRICE_WEI: (2n ** 256n - 1n).toString() }).ECONOMY_TICKET_PRICE_WEI, 2n ** 256n - 1n);
  assert.equal(configProblems({ ECONOMY_AUDITION_GRANT_TIER: 'gold' }), ['ECONOMY_AUDITION_GRANT_TIER']);
  assert.is(loadConfig({ ECONOMY_TICKET_PRICE_WEI: '7' }).ECONOMY_TICKET_PRICE_WEI, 7n);
});

test('without a chain (tests), writing routes answer 503 and reads still work', async () => {
  const server = await startTestServer({ CLASH_DEV_IDENTITY: 'true' });
  const auth = `Dev 0x${'aa'.repeat(20)}`;
  const quote = await server.call('POST', '/api/v1/economy/quotes', {
    auth,
    body: { kind: 'race_tickets', raceId: 'r', cloneId: 'c', tickets: 1 },
  });
  assert.equal([quote.status, codeOf(quote.body)], [503, 'chain_not_configured']);
  assert.is((await server.call('GET', `/api/v1/economy/payments/0x${'00'.repeat(32)}`, { auth })).status, 404);
  const doc = (await server.call('GET', '/api/v1/openapi.json')).body as { paths: Record<string, Record<string, unknown>> };
  const routes = [
    ['post', '/api/v1/economy/quotes'],
    ['post', '/api/v1/economy/payments'],
    ['get', '/api/v1/economy/payments/{quoteId}'],
    ['get', '/api/v1/economy/withdrawals/{id}'],
    ['get', '/api/v1/me/withdrawals'],
  ] as const;
  for (const [method, path] of routes) assert.ok(doc.paths[path]?.[method], `${method} ${path}`);
  await server.stop();
});

test('development without an RPC: an embedded anvil with a fresh vault serves quotes, and stops with the server', async () => {
  const server = await startTestServer({ NODE_ENV: 'development', CLASH_DEV_IDENTITY: 'true' }, Date.now());
  const economy = server.economy;
  assert.ok(economy);
  assert.ok(await answers(economy.rpcUrl));
  const auth = `Dev 0x${'bb'.repeat(20)}`;
  const clone = (await server.call('POST', '/api/v1/clones', { auth, body: { name: 'Dev Clone', modelTier: 'basic' } })).body as {
    id: string;
  };
  const quote = await server.call('POST', '/api/v1/economy/quotes', { auth, body: { kind: 'audition_fee', cloneId: clone.id } });
  assert.is(quote.status, 201);
  assert.equal((quote.body as { vault: unknown }).vault, { chainId: 31337, address: economy.vault.address });

  // Another server pointed at this chain with the wrong chain id refuses to start.
  const wrong = await startTestServer({
    CHAIN_RPC_URL: economy.rpcUrl,
    CHAIN_ID: '1',
    VAULT_ADDRESS: economy.vault.address,
    CLASH_SIGNER_PRIVATE_KEY: testKey('backend-signer'),
  }).then(
    () => 'started',
    (error: ClashError) => error.code,
  );
  assert.is(wrong, 'chain_id_mismatch');
  const unsigned = await startTestServer({ CHAIN_RPC_URL: economy.rpcUrl, CHAIN_ID: '31337', VAULT_ADDRESS: economy.vault.address }).then(
    () => 'started',
    (error: ConfigError) => error.problems.join(),
  );
  assert.match(unsigned, /CLASH_SIGNER_PRIVATE_KEY/);

  await server.stop();
  assert.not.ok(await answers(economy.rpcUrl));
});

test.run();
