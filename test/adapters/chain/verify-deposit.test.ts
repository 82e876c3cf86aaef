import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { type Address, type Hash, parseEther } from 'viem';
import { signedVaultAbi } from '../../../adapters/chain/signed-vault-artifact.ts';
import { QUOTE_PURPOSE, type Quote } from '../../../adapters/chain/typed-data.ts';
import { createDepositVerifier, type DepositVerifier } from '../../../adapters/chain/verify-deposit.ts';
import { ValidationError } from '../../../core/errors.ts';
import { type ChainFixture, id32, startChainFixture, testAccount } from '../../support/chain.ts';

// Top-level await, not test.before: uvu swallows a failing before hook, and a chain that cannot
// start must fail the run loudly.
const chain: ChainFixture = await startChainFixture();
const verifier: DepositVerifier = createDepositVerifier(chain.client, chain.vault.address);
test.after(() => chain.stop());

/** A paid quote: the deposit is mined at once (automine), so it has one confirmation. */
async function paid(name: string, overrides: Partial<Quote> = {}) {
  const payer = await chain.wallet(name);
  const quote = await chain.quote(payer.account.address, overrides);
  const receipt = await chain.deposit(payer, quote, await chain.signer.signQuote(quote));
  return { payer, quote, txHash: receipt.transactionHash, receipt };
}

const once = { confirmations: 1 };

test('verified: the deposit matches the quote, with its payer, amount and block', async () => {
  const { quote, txHash, receipt } = await paid('verified', { amount: 10_000_000_000_000_001n });
  assert.equal(await verifier.verifyDeposit(txHash, quote, once), {
    status: 'verified',
    txHash,
    quoteId: quote.id,
    payer: quote.payer,
    amount: 10_000_000_000_000_001n,
    blockNumber: receipt.blockNumber,
    blockHash: receipt.blockHash,
    logIndex: 0,
    confirmations: 1n,
  });
  // Hashes and addresses in any spelling are the same transaction and the same quote.
  const shouted = await verifier.verifyDeposit(
    txHash.toUpperCase().replace('0X', '0x') as Hash,
    { ...quote, payer: quote.payer.toLowerCase() as Address },
    once,
  );
  assert.is(shouted.status, 'verified');
});

test('pending until the required confirmations, then verified', async () => {
  const { quote, txHash } = await paid('confirmations');
  assert.equal(await verifier.verifyDeposit(txHash, quote, { confirmations: 3 }), {
    status: 'pending',
    txHash,
    reason: 'awaiting_confirmations',
    confirmations: 1n,
    required: 3n,
  });
  await chain.testClient.mine({ blocks: 1 });
  assert.is((await verifier.verifyDeposit(txHash, quote, { confirmations: 3 })).status, 'pending');
  await chain.testClient.mine({ blocks: 1 });
  const verified = await verifier.verifyDeposit(txHash, quote, { confirmations: 3 });
  assert.is(verified.status, 'verified');
  assert.is(verified.status === 'verified' && verified.confirmations, 3n);
});

test('pending while the transaction waits in the mempool; unknown transactions are pending too', async () => {
  const payer = await chain.wallet('mempool');
  const quote = await chain.quote(payer.account.address);
  const signature = await chain.signer.signQuote(quote);
  await chain.testClient.setAutomine(false);
  try {
    const txHash = await payer.writeContract({
      address: chain.vault.address,
      abi: signedVaultAbi,
      functionName: 'deposit',
      args: [quote, signature],
      value: quote.amount,
      gas: 200_000n,
    });
    assert.equal(await verifier.verifyDeposit(txHash, quote, once), {
      status: 'pending',
      txHash,
      reason: 'not_mined',
      confirmations: 0n,
      required: 1n,
    });
    await chain.testClient.mine({ blocks: 1 });
    assert.is((await verifier.verifyDeposit(txHash, quote, once)).status, 'verified');
  } finally {
    await chain.testClient.setAutomine(true);
  }
  const unknown = id32('never sent');
  assert.equal(await verifier.verifyDeposit(unknown, quote, once), {
    status: 'pending',
    txHash: unknown,
    reason: 'not_found',
    confirmations: 0n,
    required: 1n,
  });
});

test('reorg: a deposit that disappears before its confirmations is never verified', async () => {
  const snapshot = await chain.testClient.snapshot();
  const { quote, txHash } = await paid('reorg');
  await chain.testClient.mine({ blocks: 1 });
  assert.equal(await verifier.verifyDeposit(txHash, quote, { confirmations: 3 }), {
    status: 'pending',
    txHash,
    reason: 'awaiting_confirmations',
    confirmations: 2n,
    required: 3n,
  });
  await chain.testClient.revert({ id: snapshot });
  await chain.testClient.mine({ blocks: 5 });
  const after = await verifier.verifyDeposit(txHash, quote, { confirmations: 3 });
  assert.equal(after, { status: 'pending', txHash, reason: 'not_found', confirmations: 0n, required: 3n });
});

test('reorg: a stale receipt (a lagging node) whose block is no longer canonical is not verified', async () => {
  const snapshot = await chain.testClient.snapshot();
  const { quote, txHash } = await paid('stale-receipt');
  const stale = await chain.client.getTransactionReceipt({ hash: txHash });
  await chain.testClient.revert({ id: snapshot });
  await chain.testClient.mine({ blocks: 3 }); // other blocks at the same heights
  const laggingNode = { ...chain.client, getTransactionReceipt: async () => stale };
  const result = await createDepositVerifier(laggingNode, chain.vault.address).verifyDeposit(txHash, quote, once);
  assert.is(result.status, 'pending');
  assert.is(result.status === 'pending' && result.reason, 'reorged');
});

test('refused: the transaction reverted', async () => {
  const payer = await chain.wallet('reverted');
  const quote = await chain.quote(payer.account.address);
  const receipt = await chain.deposit(payer, quote, await chain.signer.signQuote(quote), { value: quote.amount - 1n, gas: 200_000n });
  assert.is(receipt.status, 'reverted');
  const result = await verifier.verifyDeposit(receipt.transactionHash, quote, once);
  assert.is(result.status === 'refused' && result.code, 'tx_failed');
});

test('refused: the transaction went to another address', async () => {
  const payer = await chain.wallet('elsewhere');
  const quote = await chain.quote(payer.account.address);
  const hash = await payer.sendTransaction({ to: testAccount('someone').address, value: quote.amount });
  await chain.client.waitForTransactionReceipt({ hash });
  const result = await verifier.verifyDeposit(hash, quote, once);
  assert.is(result.status === 'refused' && result.code, 'wrong_contract');
  // a verifier for another vault refuses a real deposit into this one
  const { quote: q2, txHash } = await paid('other-vault');
  const other = createDepositVerifier(chain.client, testAccount('not-a-vault').address);
  const refused = await other.verifyDeposit(txHash, q2, once);
  assert.is(refused.status === 'refused' && refused.code, 'wrong_contract');
});

test('refused: a vault transaction without a Deposit event (a withdrawal)', async () => {
  await paid('funds-for-withdrawal', { amount: parseEther('1') });
  const relayer = await chain.wallet('withdrawal-relayer');
  const w = await chain.withdrawal(relayer.account.address);
  const receipt = await chain.withdraw(relayer, w, await chain.signer.signWithdrawal(w));
  const quote = await chain.quote(relayer.account.address);
  const result = await verifier.verifyDeposit(receipt.transactionHash, quote, once);
  assert.is(result.status === 'refused' && result.code, 'no_deposit_log');
});

test('refused: the Deposit event differs from the quote (id, payer, amount, purpose, ref)', async () => {
  const { quote, txHash } = await paid('mismatch');
  const cases: [Partial<Quote>, string, string, string][] = [
    [{ id: id32('another quote') }, 'quote_id_mismatch', id32('another quote'), quote.id],
    [{ payer: testAccount('someone-else').address }, 'payer_mismatch', testAccount('someone-else').address, quote.payer],
    [{ amount: quote.amount + 1n }, 'amount_mismatch', String(quote.amount + 1n), String(quote.amount)],
    [{ purpose: QUOTE_PURPOSE.raceTickets }, 'purpose_mismatch', String(QUOTE_PURPOSE.raceTickets), String(quote.purpose)],
    [{ ref: id32('another clone') }, 'ref_mismatch', id32('another clone'), quote.ref],
  ];
  for (const [change, code, expected, actual] of cases) {
    const result = await verifier.verifyDeposit(txHash, { ...quote, ...change }, once);
    assert.is(result.status === 'refused' && result.code, code);
    assert.equal(result.status === 'refused' && result.info, { expected, actual });
  }
});

test('bad input is a ValidationError naming the field', async () => {
  const { quote, txHash } = await paid('bad-input');
  const refusesWith = async (call: Promise<unknown>, source: string) => {
    try {
      await call;
    } catch (error) {
      assert.instance(error, ValidationError);
      assert.is((error as ValidationError).source, source);
      return;
    }
    assert.unreachable(`expected a ValidationError for ${source}`);
  };
  await refusesWith(verifier.verifyDeposit('0x1234', quote, once), 'txHash');
  await refusesWith(verifier.verifyDeposit(txHash, { ...quote, amount: 0n }, once), 'quote');
  await refusesWith(verifier.verifyDeposit(txHash, quote, { confirmations: 0 }), 'options');
});

test.run();
