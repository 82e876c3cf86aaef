import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { type Address, bytesToHex, getAddress, type Hex, hashTypedData, maxUint256, parseEther, parseEventLogs } from 'viem';
import { deployVault } from '../../../adapters/chain/deploy.ts';
import { signedVaultAbi } from '../../../adapters/chain/signed-vault-artifact.ts';
import { createVaultSigner } from '../../../adapters/chain/signer.ts';
import {
  QUOTE_PURPOSE,
  type Quote,
  quoteTypedData,
  type WithdrawalAuthorization,
  withdrawalTypedData,
} from '../../../adapters/chain/typed-data.ts';
import { type ChainFixture, revertOf, startChainFixture, testAccount } from '../../support/chain.ts';
import { fcRuns, fcSeed } from '../../support/store.ts';

// Top-level await, not test.before: uvu swallows a failing before hook, and a chain that cannot
// start must fail the run loudly.
const chain: ChainFixture = await startChainFixture();
test.after(() => chain.stop());

const quoteUsed = (id: Hex) =>
  chain.client.readContract({ address: chain.vault.address, abi: signedVaultAbi, functionName: 'quoteUsed', args: [id] });
const withdrawalUsed = (id: Hex) =>
  chain.client.readContract({ address: chain.vault.address, abi: signedVaultAbi, functionName: 'withdrawalUsed', args: [id] });

/** Simulates a deposit (nothing is mined) and returns its revert. */
async function depositRevert(from: Address, q: Quote, signature: Hex, value = q.amount) {
  return revertOf(
    chain.client.simulateContract({
      account: from,
      address: chain.vault.address,
      abi: signedVaultAbi,
      functionName: 'deposit',
      args: [q, signature],
      value,
    }),
  );
}

test('the vault was deployed with the backend signer', async () => {
  assert.is(
    await chain.client.readContract({ address: chain.vault.address, abi: signedVaultAbi, functionName: 'signer' }),
    chain.backend.address,
  );
});

test('property: for any field values the contract and viem compute the same digests', async () => {
  const bytes32 = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => bytesToHex(b));
  const address = fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => getAddress(bytesToHex(b)));
  const uint256 = fc.bigInt({ min: 0n, max: maxUint256 });
  const contract = { address: chain.vault.address, abi: signedVaultAbi } as const;
  await fc.assert(
    fc.asyncProperty(
      fc.record({
        id: bytes32,
        payer: address,
        amount: fc.bigInt({ min: 1n, max: maxUint256 }),
        purpose: fc.nat(255),
        ref: bytes32,
        deadline: uint256,
      }),
      async (q) => {
        const w = { id: q.id, recipient: q.payer, amount: q.amount, deadline: q.deadline };
        assert.is(
          await chain.client.readContract({ ...contract, functionName: 'quoteDigest', args: [q] }),
          hashTypedData(quoteTypedData(chain.vault, q)),
        );
        assert.is(
          await chain.client.readContract({ ...contract, functionName: 'withdrawalDigest', args: [w] }),
          hashTypedData(withdrawalTypedData(chain.vault, w)),
        );
      },
    ),
    { seed: fcSeed, numRuns: fcRuns },
  );
});

test('deposit: a signed quote paid by its payer moves exactly the amount into the vault and emits Deposit', async () => {
  const payer = await chain.wallet('happy-payer');
  const q = await chain.quote(payer.account.address, { amount: 123_456_789_000_000_001n, purpose: QUOTE_PURPOSE.raceTickets });
  const before = await chain.client.getBalance({ address: chain.vault.address });
  const receipt = await chain.deposit(payer, q, await chain.signer.signQuote(q));
  assert.is(receipt.status, 'success');
  assert.is((await chain.client.getBalance({ address: chain.vault.address })) - before, q.amount);
  assert.is(await quoteUsed(q.id), true);
  const [event] = parseEventLogs({ abi: signedVaultAbi, logs: receipt.logs, eventName: 'Deposit' });
  assert.equal(event?.args, { quoteId: q.id, payer: q.payer, amount: q.amount, purpose: q.purpose, ref: q.ref });
});

test('deposit refusals: wrong signer, bad or malleable signature, tampered quote, wrong payer, wrong amount, expired, reused', async () => {
  const payer = await chain.wallet('refused-payer');
  const from = payer.account.address;
  const q = await chain.quote(from);
  const good = await chain.signer.signQuote(q);

  const impostor = createVaultSigner(testAccount('impostor'), chain.vault);
  assert.equal(await depositRevert(from, q, await impostor.signQuote(q)), { name: 'InvalidSignature', args: [] });
  assert.equal(await depositRevert(from, q, good.slice(0, 130) as Hex), { name: 'InvalidSignature', args: [] });
  assert.equal(await depositRevert(from, q, highS(good)), { name: 'InvalidSignature', args: [] });
  const cheaper = { ...q, amount: q.amount - 1n };
  assert.equal(await depositRevert(from, cheaper, good), { name: 'InvalidSignature', args: [] });

  const stranger = testAccount('stranger').address;
  await chain.testClient.setBalance({ address: stranger, value: parseEther('1') });
  assert.equal(await depositRevert(stranger, q, good), { name: 'WrongPayer', args: [from, stranger] });
  assert.equal(await depositRevert(from, q, good, q.amount + 1n), { name: 'WrongAmount', args: [q.amount, q.amount + 1n] });
  assert.equal(await depositRevert(from, q, good, 0n), { name: 'WrongAmount', args: [q.amount, 0n] });

  const now = await chain.now();
  const stale = await chain.quote(from, { deadline: now - 1n });
  const stalePayment = await depositRevert(from, stale, await chain.signer.signQuote(stale));
  assert.is(stalePayment.name, 'QuoteExpired');
  assert.is(stalePayment.args[0], now - 1n);

  await chain.deposit(payer, q, good);
  assert.equal(await depositRevert(from, q, good), { name: 'QuoteAlreadyUsed', args: [q.id] });
});

test('deposit: a quote is payable in a block stamped exactly at its deadline', async () => {
  const payer = await chain.wallet('deadline-payer');
  const deadline = (await chain.now()) + 100n;
  const q = await chain.quote(payer.account.address, { deadline });
  await chain.testClient.setNextBlockTimestamp({ timestamp: deadline });
  const receipt = await chain.deposit(payer, q, await chain.signer.signQuote(q), { gas: 200_000n });
  assert.is(receipt.status, 'success');
  assert.is((await chain.client.getBlock({ blockNumber: receipt.blockNumber })).timestamp, deadline);
});

test('a signature for one vault is refused by another vault of the same signer', async () => {
  const payer = await chain.wallet('domain-payer');
  const q = await chain.quote(payer.account.address);
  const deployer = await chain.wallet('second-deployer');
  const other = await deployVault(deployer, chain.client, chain.backend.address);
  const signature = await chain.signer.signQuote(q);
  const call = chain.client.simulateContract({
    account: payer.account.address,
    address: other.address,
    abi: signedVaultAbi,
    functionName: 'deposit',
    args: [q, signature],
    value: q.amount,
  });
  assert.equal(await revertOf(call), { name: 'InvalidSignature', args: [] });
});

test('plain ETH sent to the vault is refused', async () => {
  const payer = await chain.wallet('plain-sender');
  try {
    await payer.sendTransaction({ to: chain.vault.address, value: 1n });
    assert.unreachable('a plain transfer must revert');
  } catch (error) {
    assert.match(String(error), /revert/i);
  }
});

test('withdraw: pays the authorized amount to the recipient, whoever submits it, and emits Withdrawal', async () => {
  await fundVault(parseEther('1'));
  const recipient = testAccount('recipient').address;
  const relayer = await chain.wallet('relayer');
  const w = await chain.withdrawal(recipient, { amount: parseEther('0.25') });
  const before = await chain.client.getBalance({ address: recipient });
  const receipt = await chain.withdraw(relayer, w, await chain.signer.signWithdrawal(w));
  assert.is((await chain.client.getBalance({ address: recipient })) - before, parseEther('0.25'));
  assert.is(await withdrawalUsed(w.id), true);
  const [event] = parseEventLogs({ abi: signedVaultAbi, logs: receipt.logs, eventName: 'Withdrawal' });
  assert.equal(event?.args, { withdrawalId: w.id, recipient, amount: w.amount });
});

test('withdraw refusals: wrong signer, tampered, expired, reused, more than the vault holds, recipient refusing ETH', async () => {
  await fundVault(parseEther('1'));
  const relayer = await chain.wallet('refused-relayer');
  const from = relayer.account.address;
  const recipient = testAccount('refused-recipient').address;
  const attempt = (w: WithdrawalAuthorization, signature: Hex) =>
    revertOf(
      chain.client.simulateContract({
        account: from,
        address: chain.vault.address,
        abi: signedVaultAbi,
        functionName: 'withdraw',
        args: [w, signature],
      }),
    );
  const w = await chain.withdrawal(recipient);
  const good = await chain.signer.signWithdrawal(w);
  const impostor = createVaultSigner(testAccount('impostor'), chain.vault);
  assert.equal(await attempt(w, await impostor.signWithdrawal(w)), { name: 'InvalidSignature', args: [] });
  assert.equal(await attempt({ ...w, amount: w.amount * 2n }, good), { name: 'InvalidSignature', args: [] });
  assert.equal(await attempt({ ...w, recipient: from }, good), { name: 'InvalidSignature', args: [] });

  const now = await chain.now();
  const stale = await chain.withdrawal(recipient, { deadline: now - 1n });
  assert.is((await attempt(stale, await chain.signer.signWithdrawal(stale))).name, 'WithdrawalExpired');

  const balance = await chain.client.getBalance({ address: chain.vault.address });
  const huge = await chain.withdrawal(recipient, { amount: balance + 1n });
  assert.equal(await attempt(huge, await chain.signer.signWithdrawal(huge)), {
    name: 'InsufficientBalance',
    args: [balance, balance + 1n],
  });

  // The vault itself accepts no ETH: the payout fails and the id stays unused.
  const toVault = await chain.withdrawal(chain.vault.address);
  assert.equal(await attempt(toVault, await chain.signer.signWithdrawal(toVault)), { name: 'TransferFailed', args: [] });
  assert.is(await withdrawalUsed(toVault.id), false);

  await chain.withdraw(relayer, w, good);
  assert.equal(await attempt(w, good), { name: 'WithdrawalAlreadyUsed', args: [w.id] });
});

/** Pays quotes into the vault so it holds at least `amount` more. */
async function fundVault(amount: bigint) {
  const payer = await chain.wallet('funder', '10');
  const q = await chain.quote(payer.account.address, { amount });
  await chain.deposit(payer, q, await chain.signer.signQuote(q));
}

/** The same signature with s' = n − s and the other v: valid for plain ecrecover, refused by EIP-2. */
function highS(signature: Hex): Hex {
  const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
  const r = signature.slice(2, 66);
  const s = BigInt(`0x${signature.slice(66, 130)}`);
  const v = Number.parseInt(signature.slice(130, 132), 16);
  return `0x${r}${(n - s).toString(16).padStart(64, '0')}${(v === 27 ? 28 : 27).toString(16)}`;
}

test.run();
