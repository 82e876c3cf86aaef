/**
 * Development state survives a restart: a real `clash serve` process in development (embedded
 * chain, generated keys) is signed in to, paid an audition fee on its embedded chain, stopped
 * with SIGTERM and started again on the same data folder. The old access and refresh tokens
 * still work, the payment is still verified, the vault has the same address and still holds
 * the fee, and a refund authorized after the restart is redeemed at that vault.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  type Abi,
  createPublicClient,
  createTestClient,
  createWalletClient,
  defineChain,
  type Hex,
  http,
  type LocalAccount,
  parseEther,
} from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import type { ChainDetails } from '../../server/routes/economy-chain.ts';
import { testKey } from '../support/chain.ts';
import { chainGraph } from '../support/graphs.ts';
import { type Call, httpCall } from '../support/server.ts';
import { type SignedIn, signIn } from '../support/siwe.ts';
import { tempDir } from '../support/store.ts';

const dir = tempDir('clash-dev-restart-');
const alice = privateKeyToAccount(testKey('restart-alice'));
const admin = privateKeyToAccount(testKey('restart-admin'));
const relayer = privateKeyToAccount(testKey('restart-relayer'));

/** A port that was free a moment ago: both runs listen on it, since the sign-in origin (the JWT issuer) names it. */
const port = await new Promise<number>((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => {
    const address = s.address();
    s.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
  });
});

interface Running {
  readonly child: ChildProcess;
  readonly call: Call;
  readonly logs: () => string;
}

/** `clash serve` as `npm start` runs it, in development, on the test's data folder; resolves once it listens. */
async function start(): Promise<Running> {
  const child = spawn(process.execPath, ['replay/bin.mjs', 'serve'], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: {
      ...process.env,
      NODE_ENV: 'development',
      CLASH_DB: dir.file('clash.db'),
      PORT: String(port),
      LOG_LEVEL: 'info',
      CLASH_ADMIN_ADDRESSES: admin.address,
      CLASH_COMPETITION_TICK_MS: '100',
    },
  });
  let out = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => {
    out += d;
  });
  const deadline = Date.now() + 30_000;
  while (!out.includes('"clash ledger listening"')) {
    if (child.exitCode !== null) throw new Error(`clash serve exited ${child.exitCode}: ${out}`);
    if (Date.now() > deadline) throw new Error(`clash serve did not listen within 30 s: ${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { child, call: httpCall(`http://127.0.0.1:${port}`), logs: () => out };
}

async function stop(server: Running): Promise<void> {
  const exited = once(server.child, 'exit');
  server.child.kill('SIGTERM');
  const [code] = (await exited) as [number];
  assert.is(code, 0, 'a graceful stop');
  assert.match(server.logs(), /clash ledger stopped/);
}

async function ok<T>(call: Call, status: number, method: string, path: string, options: { body?: unknown; auth?: string } = {}) {
  const res = await call(method, path, options);
  assert.is(res.status, status, `${method} ${path}: ${JSON.stringify(res.body)}`);
  return res.body as T;
}

/** Viem clients on the chain the server says wallets should use. */
function walletsOn(details: ChainDetails) {
  const rpcUrl = details.rpcUrl as string;
  const chain = defineChain({
    id: details.chainId,
    name: 'embedded',
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  });
  const transport = http(rpcUrl);
  const client = createPublicClient({ chain, transport, pollingInterval: 20 });
  const send = async (account: LocalAccount, functionName: 'deposit' | 'withdraw', args: readonly unknown[], value = 0n) => {
    const wallet = createWalletClient({ account, chain, transport, pollingInterval: 20 });
    const hash = await wallet.writeContract({
      address: details.vaultAddress as Hex,
      abi: details.abi as unknown as Abi,
      functionName,
      args,
      value,
    });
    const receipt = await client.waitForTransactionReceipt({ hash });
    assert.is(receipt.status, 'success', `${functionName} ${hash}`);
    return hash;
  };
  const fund = (account: LocalAccount) =>
    createTestClient({ mode: 'anvil', chain, transport }).setBalance({ address: account.address, value: parseEther('10') });
  return { client, send, fund };
}

interface WireQuote {
  quote: { id: Hex; payer: Hex; amount: string; purpose: number; ref: Hex; deadline: string };
  signature: Hex;
}
interface Withdrawal {
  purpose: string;
  reference: string;
  authorization: { id: Hex; recipient: Hex; amount: string; deadline: string };
  signature: Hex;
}

test('given a development server with a session, a paid audition fee and an audition, when it restarts on the same data folder, then all of it is still valid', async () => {
  // First run: sign in, pay the audition fee on the embedded chain, publish, audition.
  const first = await start();
  let session: SignedIn;
  let chain: ChainDetails;
  let quoteId: Hex;
  let auditionId: string;
  let fee: bigint;
  try {
    session = await signIn(first, alice);
    chain = await ok<ChainDetails>(first.call, 200, 'GET', '/api/v1/economy/chain');
    assert.is(chain.chainId, 31337);
    assert.ok(chain.rpcUrl, 'development serves the embedded chain’s RPC URL');
    const wallets = walletsOn(chain);
    await wallets.fund(alice);
    const auth = session.auth;
    const { id: cloneId } = await ok<{ id: string }>(first.call, 201, 'POST', '/api/v1/clones', {
      auth,
      body: { name: 'Restart', modelTier: 'basic' },
    });
    await ok(first.call, 200, 'PUT', `/api/v1/clones/${cloneId}/draft`, { auth, body: { graph: chainGraph(), layout: {} } });
    const q = await ok<WireQuote>(first.call, 201, 'POST', '/api/v1/economy/quotes', { auth, body: { kind: 'audition_fee', cloneId } });
    quoteId = q.quote.id;
    fee = BigInt(q.quote.amount);
    const quote = { ...q.quote, amount: fee, deadline: BigInt(q.quote.deadline) };
    const txHash = await wallets.send(alice, 'deposit', [quote, q.signature], fee);
    const paid = await ok<{ status: string }>(first.call, 200, 'POST', '/api/v1/economy/payments', { auth, body: { quoteId, txHash } });
    assert.is(paid.status, 'verified');
    await ok(first.call, 201, 'POST', `/api/v1/clones/${cloneId}/versions`, { auth });
    auditionId = (await ok<{ auditionId: string }>(first.call, 201, 'POST', `/api/v1/clones/${cloneId}/auditions`, { auth })).auditionId;
    assert.is(await wallets.client.getBalance({ address: chain.vaultAddress as Hex }), fee);
  } finally {
    await stop(first);
  }

  // Second run on the same folder.
  const second = await start();
  try {
    assert.match(second.logs(), /"reused":true/);
    const again = await ok<ChainDetails>(second.call, 200, 'GET', '/api/v1/economy/chain');
    assert.equal([again.chainId, again.vaultAddress], [chain.chainId, chain.vaultAddress], 'the same vault');
    const wallets = walletsOn(again);
    assert.is(await wallets.client.getBalance({ address: again.vaultAddress as Hex }), fee, 'the vault still holds the fee');

    // The session of the first run: its access token, then its refresh token.
    const me = await ok<{ address: string }>(second.call, 200, 'GET', '/api/v1/me', { auth: session.auth });
    assert.is(me.address.toLowerCase(), alice.address.toLowerCase());
    const refreshed = await ok<{ accessToken: string }>(second.call, 200, 'POST', '/api/v1/auth/refresh', {
      body: { refreshToken: session.refreshToken },
    });
    const auth = `Bearer ${refreshed.accessToken}`;
    const payment = await ok<{ status: string }>(second.call, 200, 'GET', `/api/v1/economy/payments/${quoteId}`, { auth });
    assert.is(payment.status, 'verified');

    // A refund authorized now is redeemable at the same vault.
    const adminSession = await signIn(second, admin);
    await ok(second.call, 200, 'POST', `/api/v1/admin/auditions/${auditionId}/void`, {
      auth: adminSession.auth,
      body: { reason: 'restart test' },
    });
    let refund: Withdrawal | undefined;
    const deadline = Date.now() + 15_000;
    while (!refund && Date.now() < deadline) {
      const mine = await ok<{ withdrawals: Withdrawal[] }>(second.call, 200, 'GET', '/api/v1/me/withdrawals', { auth });
      refund = mine.withdrawals.find((w) => w.purpose === 'audition_refund');
      if (!refund) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(refund, 'the competition worker authorized the fee refund');
    assert.equal([refund.reference, refund.authorization.amount], [quoteId, fee.toString()]);
    await wallets.fund(relayer);
    const before = await wallets.client.getBalance({ address: alice.address });
    const { authorization } = refund;
    await wallets.send(relayer, 'withdraw', [
      { ...authorization, amount: BigInt(authorization.amount), deadline: BigInt(authorization.deadline) },
      refund.signature,
    ]);
    assert.is((await wallets.client.getBalance({ address: alice.address })) - before, fee, 'the refund is paid out');
    assert.is(await wallets.client.getBalance({ address: again.vaultAddress as Hex }), 0n);
  } finally {
    await stop(second);
  }
});

test.after(() => dir.remove());
test.run();
