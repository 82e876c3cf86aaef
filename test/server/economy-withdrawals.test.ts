/**
 * After a verified payment: audition credits consumed once per audition, withdrawals authorized
 * (refund, payout), read by their owner only, redeemed on the local chain for exactly their
 * amount; and `clash economy reconcile` finding and completing a deposit nobody submitted.
 */

import pino from 'pino';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { type Hex, parseEther } from 'viem';
import { reconcile } from '../../commands/economy/reconcile.ts';
import { withdrawalIdFor } from '../../commands/economy/withdrawals.ts';
import { ClashError } from '../../core/errors.ts';
import type { WorkerDefinition } from '../../core/operations/worker-loop.ts';
import { economyReads } from '../../projections/economy/queries.ts';
import { entitlementOf } from '../../projections/entitlements/entitlements.ts';
import { loadConfig } from '../../server/config.ts';
import { workerCatalog } from '../../server/workers.ts';
import { startChainFixture } from '../support/chain.ts';
import { clash } from '../support/cli.ts';
import { FEE, quoteOf, startEconomyServer, ticketDoubles, userWithWallet, type WireQuote } from '../support/economy.ts';
import { codeOf } from '../support/server.ts';

const chain = await startChainFixture();
const server = await startEconomyServer(chain, ticketDoubles().ports);
const economy = server.economy;
if (!economy) throw new Error('the economy needs its chain');
const alice = await userWithWallet(server, chain, 'alice');
const bob = await userWithWallet(server, chain, 'bob');
const clone = ((await alice.call('POST', '/api/v1/clones', { name: 'Alice Alpha', modelTier: 'basic' })).body as { id: string }).id;
const head = () => server.ledger.store.headPosition();
const balance = (address: Hex) => chain.client.getBalance({ address });

async function paidFee(): Promise<WireQuote> {
  const q = await alice.quote({ kind: 'audition_fee', cloneId: clone });
  const tx = await alice.pay(q);
  await chain.testClient.mine({ blocks: 2 });
  assert.is((await alice.submit(q.quote.id, tx)).status, 200);
  return q;
}

const refusal = (call: () => unknown) => {
  try {
    call();
  } catch (error) {
    if (error instanceof ClashError) return error.code;
    throw error;
  }
  return 'none';
};

test('an audition credit is consumed by one audition; the same audition again gets the same payment', async () => {
  const fee = await paidFee();
  assert.equal(economy.credits.consume({ cloneId: clone, auditionId: 'audition-1' }, 'test'), { paymentId: fee.quote.id });
  const after = head();
  assert.equal(economy.credits.consume({ cloneId: clone, auditionId: 'audition-1' }, 'test'), { paymentId: fee.quote.id });
  assert.is(head(), after);
  assert.is(
    refusal(() => economy.credits.consume({ cloneId: clone, auditionId: 'audition-2' }, 'test')),
    'audition_credit_missing',
  );
  const shown = (await alice.call('GET', `/api/v1/economy/payments/${fee.quote.id}`)).body as { auditionCredit: string };
  assert.is(shown.auditionCredit, 'consumed');
});

test('a voided audition refund: authorized once, read by its owner only, redeemed by anyone for exactly the fee', async () => {
  const fee = await paidFee();
  const request = {
    withdrawalId: withdrawalIdFor(`audition-refund:${fee.quote.id}`),
    owner: alice.userId,
    recipient: alice.account.address,
    amountWei: FEE,
    purpose: 'audition_refund' as const,
    reference: fee.quote.id,
  };
  const id = await economy.withdrawals.authorize(request, 'test');
  const after = head();
  assert.is(await economy.withdrawals.authorize(request, 'test'), id);
  assert.is(head(), after, 'the same authorization again appends nothing');

  const res = await alice.call('GET', `/api/v1/economy/withdrawals/${id}`);
  assert.is(res.status, 200);
  const w = res.body as { purpose: string; authorization: { id: Hex; recipient: Hex; amount: string; deadline: string }; signature: Hex };
  assert.equal([w.purpose, w.authorization.recipient, w.authorization.amount], ['audition_refund', alice.account.address, FEE.toString()]);
  assert.is(codeOf((await bob.call('GET', `/api/v1/economy/withdrawals/${id}`)).body), 'forbidden');
  assert.is((await bob.call('GET', `/api/v1/economy/withdrawals/${withdrawalIdFor('nothing')}`)).status, 404);
  assert.is(((await alice.call('GET', `/api/v1/economy/payments/${fee.quote.id}`)).body as { status: string }).status, 'refunded');

  const before = await balance(alice.account.address);
  const authorization = { ...w.authorization, amount: BigInt(w.authorization.amount), deadline: BigInt(w.authorization.deadline) };
  await chain.withdraw(bob.wallet, authorization, w.signature);
  assert.is((await balance(alice.account.address)) - before, FEE);

  const twice = (async () => economy.withdrawals.authorize({ ...request, withdrawalId: withdrawalIdFor('another') }, 'test'))();
  assert.is(
    await twice.then(
      () => 'none',
      (e: ClashError) => e.code,
    ),
    'refund_exists',
  );
});

test('a race payout: listed for its owner, redeemed by the owner for exactly the amount (gas apart)', async () => {
  const amount = parseEther('0.005');
  const id = await economy.withdrawals.authorize(
    {
      withdrawalId: withdrawalIdFor('race-1:payout:bob'),
      owner: bob.userId,
      recipient: bob.account.address,
      amountWei: amount,
      purpose: 'race_payout',
      reference: 'race-1',
    },
    'test',
  );
  const mine = (await bob.call('GET', '/api/v1/me/withdrawals')).body as {
    withdrawals: { withdrawalId: string; authorization: { amount: string; deadline: string; id: Hex; recipient: Hex }; signature: Hex }[];
  };
  assert.equal(
    mine.withdrawals.map((x) => x.withdrawalId),
    [id],
  );
  assert.equal(((await alice.call('GET', '/api/v1/me/withdrawals')).body as { withdrawals: unknown[] }).withdrawals.length, 1);
  const w = mine.withdrawals[0] as (typeof mine.withdrawals)[number];
  const before = await balance(bob.account.address);
  const receipt = await chain.withdraw(
    bob.wallet,
    { ...w.authorization, amount: BigInt(w.authorization.amount), deadline: BigInt(w.authorization.deadline) },
    w.signature,
  );
  const gas = receipt.gasUsed * receipt.effectiveGasPrice;
  assert.is((await balance(bob.account.address)) - before, amount - gas);
});

test('the reconciliation worker reads redeemed withdrawals back from the vault and shows them redeemed', async () => {
  const config = loadConfig({
    NODE_ENV: 'test',
    CHAIN_RPC_URL: chain.anvil.rpcUrl,
    CHAIN_ID: String(chain.vault.chainId),
    VAULT_ADDRESS: chain.vault.address,
  });
  const worker = workerCatalog.reconciliation?.({
    ledger: server.ledger,
    config,
    log: pino({ level: 'silent' }),
    ops: server.ops,
    economy,
    competitionEconomy: server.competitionEconomy,
    competing: true,
  }) as WorkerDefinition;
  const before = ((await bob.call('GET', '/api/v1/me/withdrawals')).body as { withdrawals: { redeemedAt: string | null }[] }).withdrawals;
  assert.equal(
    before.map((w) => w.redeemedAt),
    [null],
  );
  const report = await worker.tick(server.clock.now());
  assert.is(report?.signals?.redeemed, 2, 'the refund and the payout redeemed above');
  const mine = (await bob.call('GET', '/api/v1/me/withdrawals')).body as {
    withdrawals: { withdrawalId: string; redeemedAt: string | null; redeemedTxHash: string | null }[];
  };
  assert.is(mine.withdrawals[0]?.redeemedAt, new Date(server.clock.now()).toISOString());
  assert.match(mine.withdrawals[0]?.redeemedTxHash ?? '', /^0x[0-9a-f]{64}$/);
  const refunds = (await alice.call('GET', '/api/v1/me/withdrawals')).body as {
    withdrawals: { purpose: string; redeemedAt: string | null }[];
  };
  assert.ok(refunds.withdrawals.every((w) => w.redeemedAt !== null));
  const head = server.ledger.store.headPosition();
  assert.is((await worker.tick(server.clock.now()))?.signals?.redeemed, 0, 'read back once');
  assert.is(server.ledger.store.headPosition(), head);
});

test('refunding the fee that granted the clone its entitlement revokes it, with the refund as the reason', async () => {
  const db = server.ledger.store.db;
  const before = entitlementOf(db, clone);
  assert.is(before?.revokedAt, null);
  if (before?.justification.kind !== 'payment') throw new Error('the first verified fee granted Starter');
  const quoteId = before.justification.paymentId as Hex;
  await economy.withdrawals.authorize(
    {
      withdrawalId: withdrawalIdFor(`audition-refund:${quoteId}`),
      owner: alice.userId,
      recipient: alice.account.address,
      amountWei: FEE,
      purpose: 'audition_refund',
      reference: quoteId,
    },
    'test',
  );
  assert.ok(entitlementOf(db, clone)?.revokedAt, 'no longer active');
  const last = server.ledger.store.readStream(`entitlement-${clone}`).slice(-2);
  assert.equal(
    last.map((e) => [e.type, e.data]),
    [
      ['EntitlementPaymentRefunded', { cloneId: clone, paymentId: quoteId, refundedAt: last[0]?.recordedAt }],
      ['EntitlementRevoked', { cloneId: clone, justification: { kind: 'refund', paymentId: quoteId }, revokedAt: last[0]?.recordedAt }],
    ],
  );
});

test('clash economy reconcile finds a deposit never submitted, and --complete records it', async () => {
  const q = await alice.quote({ kind: 'audition_fee', cloneId: clone });
  const tx = await chain.deposit(alice.wallet, quoteOf(q), q.signature);
  await chain.testClient.mine({ blocks: 2 });
  const env = {
    CLASH_DB: server.ledger.store.db.name,
    CHAIN_RPC_URL: chain.anvil.rpcUrl,
    CHAIN_ID: String(chain.vault.chainId),
    VAULT_ADDRESS: chain.vault.address,
    CHAIN_CONFIRMATIONS: '3',
  };
  const report = await clash(['economy', 'reconcile', '--json'], undefined, env);
  assert.is(report.code, 1, report.stderr);
  const found = JSON.parse(report.stdout) as { findings: { kind: string; quoteId: string; txHash: string; status: string }[] };
  assert.equal(found.findings, [{ kind: 'unrecorded_deposit', quoteId: q.quote.id, txHash: tx.transactionHash, status: 'quoted' }]);

  const done = await clash(['economy', 'reconcile', '--complete', '--json'], undefined, env);
  assert.is(done.code, 0, done.stderr);
  assert.equal(
    (JSON.parse(done.stdout) as { findings: { outcome: string }[] }).findings.map((f) => f.outcome),
    ['verified'],
  );
  assert.is(((await alice.call('GET', `/api/v1/economy/payments/${q.quote.id}`)).body as { status: string }).status, 'verified');
  assert.equal(JSON.parse((await clash(['economy', 'reconcile', '--json'], undefined, env)).stdout).findings, []);
});

test('reconciliation reports a payment pending past the bound, and completing it reports why it still waits', async () => {
  const q = await alice.quote({ kind: 'audition_fee', cloneId: clone });
  const tx = `0x${'77'.repeat(32)}` as Hex;
  assert.is((await alice.submit(q.quote.id, tx)).status, 202);
  const deps = { payments: economy.payments, reads: economyReads(server.ledger.store.db) };
  const request = { deposits: [], pendingBefore: server.clock.now() + 1, complete: false, actor: 'test' };
  assert.equal(await reconcile(deps, request), [{ kind: 'stale_pending', quoteId: q.quote.id, txHash: tx, status: 'pending' }]);
  assert.equal(await reconcile(deps, { ...request, pendingBefore: server.clock.now() }), []);
  const completed = await reconcile(deps, { ...request, complete: true });
  assert.is(completed[0]?.outcome, 'pending:not_found');
});

test.after(async () => {
  await server.stop();
  await chain.stop();
});
test.run();
