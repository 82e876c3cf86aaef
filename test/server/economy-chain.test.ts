/**
 * GET /api/v1/economy/chain: a wallet pays an audition fee using nothing but what the route
 * serves (chain id, RPC URL, vault address, confirmations, the deposit fragment), and the served
 * withdraw fragment encodes calls exactly as the full artifact does. Without a chain: 503.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { type Abi, createPublicClient, createWalletClient, defineChain, encodeFunctionData, type Hex, http } from 'viem';
import { signedVaultAbi } from '../../adapters/chain/signed-vault-artifact.ts';
import type { ChainDetails } from '../../server/routes/economy-chain.ts';
import { id32, startChainFixture, testAccount } from '../support/chain.ts';
import { quoteOf, startEconomyServer, ticketDoubles, userWithWallet } from '../support/economy.ts';
import { codeOf, startTestServer } from '../support/server.ts';

const chain = await startChainFixture();

test('given no chain is configured, when a client asks for the chain details, then 503 chain_not_configured', async () => {
  const server = await startTestServer();
  try {
    const res = await server.call('GET', '/api/v1/economy/chain');
    assert.equal([res.status, codeOf(res.body)], [503, 'chain_not_configured']);
    const doc = (await server.call('GET', '/api/v1/openapi.json')).body as {
      paths: Record<string, { get?: { security?: unknown; responses: Record<string, unknown> } }>;
      components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
    };
    assert.ok(doc.paths['/api/v1/economy/chain']?.get?.responses['200'], 'the route is in the document');
    assert.equal(Object.keys(doc.components.schemas.Chain?.properties ?? {}), [
      'chainId',
      'rpcUrl',
      'vaultAddress',
      'confirmations',
      'abi',
    ]);
    assert.ok(doc.components.schemas.AbiFunction?.properties?.inputs, 'the ABI fragments are typed');
  } finally {
    await server.stop();
  }
});

test('given a configured chain without a public RPC URL, then the details name the vault and no RPC (the server’s may hold a key)', async () => {
  const server = await startEconomyServer(chain, ticketDoubles().ports);
  try {
    const res = await server.call('GET', '/api/v1/economy/chain');
    assert.is(res.status, 200);
    const details = res.body as ChainDetails;
    assert.equal(
      { chainId: details.chainId, rpcUrl: details.rpcUrl, vaultAddress: details.vaultAddress, confirmations: details.confirmations },
      { chainId: 31337, rpcUrl: null, vaultAddress: chain.vault.address, confirmations: 3 },
    );
    assert.equal(
      details.abi.map((f) => f.name),
      ['deposit', 'withdraw'],
    );
  } finally {
    await server.stop();
  }
});

test('given ECONOMY_PUBLIC_RPC_URL, when a wallet pays an audition fee with only the served details, then the payment verifies', async () => {
  const server = await startEconomyServer(chain, ticketDoubles().ports, { ECONOMY_PUBLIC_RPC_URL: chain.anvil.rpcUrl });
  try {
    const details = (await server.call('GET', '/api/v1/economy/chain')).body as ChainDetails;
    assert.is(details.rpcUrl, chain.anvil.rpcUrl);
    const abi = details.abi as unknown as Abi;

    const alice = await userWithWallet(server, chain, 'chain-route-alice');
    const clone = ((await alice.call('POST', '/api/v1/clones', { name: 'Chain Route', modelTier: 'basic' })).body as { id: string }).id;
    const q = await alice.quote({ kind: 'audition_fee', cloneId: clone });

    const served = defineChain({
      id: details.chainId,
      name: 'served',
      nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
      rpcUrls: { default: { http: [details.rpcUrl as string] } },
    });
    const wallet = createWalletClient({
      account: testAccount('chain-route-alice'),
      chain: served,
      transport: http(details.rpcUrl as string),
    });
    const quote = quoteOf(q);
    const txHash = await wallet.writeContract({
      address: details.vaultAddress as Hex,
      abi,
      functionName: 'deposit',
      args: [quote, q.signature],
      value: quote.amount,
    });
    await createPublicClient({ chain: served, transport: http(details.rpcUrl as string) }).waitForTransactionReceipt({ hash: txHash });
    await chain.testClient.mine({ blocks: details.confirmations - 1 });
    const paid = await alice.submit(q.quote.id, txHash);
    assert.is(paid.status, 200, JSON.stringify(paid.body));
    assert.is((paid.body as { status: string }).status, 'verified');

    const authorization = { id: id32('w'), recipient: alice.account.address, amount: 1n, deadline: 2n };
    const signature = `0x${'11'.repeat(65)}` as Hex;
    assert.is(
      encodeFunctionData({ abi, functionName: 'withdraw', args: [authorization, signature] }),
      encodeFunctionData({ abi: signedVaultAbi, functionName: 'withdraw', args: [authorization, signature] }),
    );
  } finally {
    await server.stop();
  }
});

test.after(() => chain.stop());
test.run();
