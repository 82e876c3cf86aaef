import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { type Address, type Hex, keccak256, parseEther, toHex } from 'viem';
import type { Quote, VaultRef, WithdrawalAuthorization } from '../../../adapters/chain/typed-data.ts';
import type { VerifiedDeposit } from '../../../adapters/chain/verify-deposit.ts';
import { type PaymentCommand, paymentDecider, paymentStreamId } from '../../../commands/economy/decider.ts';
import { type PaymentEvent, paymentEvents } from '../../../commands/economy/events.ts';
import { type Purchase, purchaseRef, purposeOf } from '../../../commands/economy/purchase.ts';
import { txClaimDecider } from '../../../commands/economy/tx-claim-decider.ts';
import { withdrawalDecider } from '../../../commands/economy/withdrawal-decider.ts';
import { ManualClock } from '../../../core/clock.ts';
import { CommandHandler } from '../../../core/decider.ts';
import { EventRegistry } from '../../../core/event-registry.ts';
import { EventStore } from '../../../core/event-store.ts';
import { specFor } from '../../support/decider-spec.ts';
import { fcRuns, fcSeed, tempDir } from '../../support/store.ts';

const spec = specFor(paymentDecider);
const id32 = (name: string): Hex => keccak256(toHex(name));
const payer: Address = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
const other: Address = '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC';
const vault: VaultRef = { chainId: 31337, address: '0x5FbDB2315678afecb367f032d93F642f64180aa3' };
const signature = `0x${'ab'.repeat(65)}` as Hex;
const t0 = Date.UTC(2026, 10, 21, 12);
const audition: Purchase = { kind: 'audition_fee', cloneId: 'clone-1' };

function quoteFor(purchase: Purchase, name = 'q1', amount = parseEther('0.05')): Quote {
  return { id: id32(name), payer, amount, purpose: purposeOf(purchase), ref: purchaseRef(purchase), deadline: BigInt(t0 / 1000 + 900) };
}
const quote = quoteFor(audition);
const issue = (q: Quote = quote, purchase: Purchase = audition): PaymentCommand => ({
  type: 'IssueQuote',
  quote: q,
  purchase,
  vault,
  signature,
  at: t0,
});
function depositOf(q: Quote, tx: string, overrides: Partial<VerifiedDeposit> = {}): VerifiedDeposit {
  return {
    status: 'verified',
    txHash: id32(tx),
    quoteId: q.id,
    payer: q.payer,
    amount: q.amount,
    blockNumber: 7n,
    blockHash: id32(`block-${tx}`),
    logIndex: 0,
    confirmations: 3n,
    ...overrides,
  };
}
const record = (deposit: VerifiedDeposit): PaymentCommand => ({ type: 'RecordDeposit', deposit, at: t0 + 60_000 });
const refund = (authorization: Partial<WithdrawalAuthorization> = {}): PaymentCommand => ({
  type: 'AuthorizeRefund',
  authorization: { id: id32('w1'), recipient: payer, amount: quote.amount, deadline: BigInt(t0 / 1000 + 86_400), ...authorization },
  signature,
  reason: 'audition_voided',
  at: t0 + 120_000,
});

const quoted: PaymentEvent = {
  type: 'PaymentQuoted',
  data: {
    quoteId: quote.id,
    payer,
    purchase: audition,
    amountWei: quote.amount,
    purpose: 1,
    ref: quote.ref,
    deadlineSeconds: t0 / 1000 + 900,
    chainId: 31337,
    vault: vault.address,
    signature,
    quotedAt: t0,
  },
};
const verified: PaymentEvent = {
  type: 'DepositVerified',
  data: {
    quoteId: quote.id,
    txHash: id32('tx1'),
    payer,
    amountWei: quote.amount,
    blockNumber: 7n,
    blockHash: id32('block-tx1'),
    logIndex: 0,
    verifiedAt: t0 + 60_000,
  },
};
const refunded: PaymentEvent = {
  type: 'RefundAuthorized',
  data: {
    quoteId: quote.id,
    withdrawalId: id32('w1'),
    recipient: payer,
    amountWei: quote.amount,
    deadlineSeconds: t0 / 1000 + 86_400,
    signature,
    reason: 'audition_voided',
    authorizedAt: t0 + 120_000,
  },
};

test('IssueQuote records the signed quote; its purpose and ref must name the purchase; the deadline must be ahead', () => {
  spec.given([]).when(issue()).thenEmits([quoted]);
  spec.given([quoted]).when(issue()).thenThrows('quote_exists');
  const tickets: Purchase = { kind: 'race_tickets', raceId: 'race-9', cloneId: 'clone-1', tickets: 3 };
  spec
    .given([])
    .when(issue({ ...quoteFor(tickets), ref: quote.ref }, tickets))
    .thenThrows('quote_invalid');
  spec
    .given([])
    .when(issue({ ...quote, purpose: 2 }))
    .thenThrows('quote_invalid');
  spec
    .given([])
    .when(issue({ ...quote, deadline: BigInt(t0 / 1000) }))
    .thenThrows('quote_invalid');
  spec
    .given([])
    .when(issue({ ...quote, deadline: 2n ** 64n }))
    .thenThrows('quote_invalid');
  assert.not.equal(purchaseRef(tickets), purchaseRef({ ...tickets, tickets: 4 }));
});

test('RecordDeposit settles the quote once; the same tx again decides nothing; another tx is refused', () => {
  spec
    .given([quoted])
    .when(record(depositOf(quote, 'tx1')))
    .thenEmits([verified]);
  spec
    .given([quoted, verified])
    .when(record(depositOf(quote, 'tx1')))
    .thenEmits([]);
  spec
    .given([quoted, verified])
    .when(record(depositOf(quote, 'tx2')))
    .thenThrows('payment_already_settled');
  spec
    .given([quoted, verified, refunded])
    .when(record(depositOf(quote, 'tx2')))
    .thenThrows('payment_already_settled');
  spec
    .given([])
    .when(record(depositOf(quote, 'tx1')))
    .thenThrows('quote_not_found');
  spec
    .given([quoted])
    .when(record(depositOf(quote, 'tx1', { payer: other })))
    .thenThrows('deposit_mismatch');
  spec
    .given([quoted])
    .when(record(depositOf(quote, 'tx1', { amount: quote.amount - 1n })))
    .thenThrows('deposit_mismatch');
  spec
    .given([quoted])
    .when(record(depositOf(quote, 'tx1', { quoteId: id32('q2') })))
    .thenThrows('deposit_mismatch');
});

test('AuthorizeRefund returns the whole deposit to its payer, once', () => {
  spec.given([quoted, verified]).when(refund()).thenEmits([refunded]);
  spec.given([quoted, verified, refunded]).when(refund()).thenEmits([]);
  spec
    .given([quoted, verified, refunded])
    .when(refund({ id: id32('w2') }))
    .thenThrows('refund_exists');
  spec.given([quoted]).when(refund()).thenThrows('payment_not_settled');
  spec.given([]).when(refund()).thenThrows('quote_not_found');
  spec
    .given([quoted, verified])
    .when(refund({ recipient: other }))
    .thenThrows('refund_mismatch');
  spec
    .given([quoted, verified])
    .when(refund({ amount: quote.amount - 1n }))
    .thenThrows('refund_mismatch');
  spec
    .given([quoted, verified])
    .when(refund({ deadline: BigInt(t0 / 1000) }))
    .thenThrows('refund_invalid');
});

test('SubmitDeposit and RefuseDeposit record each transaction once; a refused one leaves the quote payable', () => {
  const tx = id32('tx9');
  const submitted: PaymentEvent = { type: 'DepositSubmitted', data: { quoteId: quote.id, txHash: tx, submittedAt: t0 } };
  const refused: PaymentEvent = { type: 'DepositRefused', data: { quoteId: quote.id, txHash: tx, code: 'payer_mismatch', refusedAt: t0 } };
  spec.given([quoted]).when({ type: 'SubmitDeposit', txHash: tx, at: t0 }).thenEmits([submitted]);
  spec
    .given([quoted, submitted])
    .when({ type: 'SubmitDeposit', txHash: tx, at: t0 + 1 })
    .thenEmits([]);
  spec.given([quoted, submitted]).when({ type: 'RefuseDeposit', txHash: tx, code: 'payer_mismatch', at: t0 }).thenEmits([refused]);
  spec
    .given([quoted, refused])
    .when({ type: 'RefuseDeposit', txHash: tx, code: 'payer_mismatch', at: t0 + 1 })
    .thenEmits([]);
  spec
    .given([quoted, refused])
    .when(record(depositOf(quote, 'tx1')))
    .thenEmits([verified]);
  spec
    .given([quoted, verified])
    .when({ type: 'SubmitDeposit', txHash: verified.data.txHash as Hex, at: t0 })
    .thenEmits([]);
  spec.given([quoted, verified]).when({ type: 'SubmitDeposit', txHash: tx, at: t0 }).thenThrows('payment_already_settled');
  spec.given([]).when({ type: 'SubmitDeposit', txHash: tx, at: t0 }).thenThrows('quote_not_found');
});

test('ConsumeAuditionCredit: a verified audition fee of that clone, used by one audition', () => {
  const consume = (auditionId: string, cloneId = 'clone-1'): PaymentCommand => ({
    type: 'ConsumeAuditionCredit',
    cloneId,
    auditionId,
    at: t0,
  });
  const consumed: PaymentEvent = {
    type: 'AuditionCreditConsumed',
    data: { quoteId: quote.id, cloneId: 'clone-1', auditionId: 'a1', consumedAt: t0 },
  };
  spec.given([quoted, verified]).when(consume('a1')).thenEmits([consumed]);
  spec.given([quoted, verified, consumed]).when(consume('a1')).thenEmits([]);
  spec.given([quoted, verified, consumed]).when(consume('a2')).thenThrows('credit_already_consumed');
  spec.given([quoted, verified, refunded]).when(consume('a2')).thenThrows('credit_refunded');
  spec.given([quoted, verified]).when(consume('a1', 'clone-2')).thenThrows('credit_mismatch');
  spec.given([quoted]).when(consume('a1')).thenThrows('payment_not_settled');
  spec.given([]).when(consume('a1')).thenThrows('quote_not_found');
  // A consumed fee can still be refunded (the audition was voided).
  spec.given([quoted, verified, consumed]).when(refund()).thenEmits([refunded]);
  spec
    .given([quoted, verified])
    .when({ ...(refund() as Extract<PaymentCommand, { type: 'AuthorizeRefund' }>), reason: 'clone_not_entrant' })
    .thenThrows('refund_mismatch');
  spec
    .given([quoted, verified])
    .when({ ...(refund() as Extract<PaymentCommand, { type: 'AuthorizeRefund' }>), reason: 'tickets_refused' })
    .thenThrows('refund_mismatch');
});

test('a transaction is claimed for one quote; a payout withdrawal is authorized once', () => {
  const claims = specFor(txClaimDecider);
  const claim = (quoteId: Hex) => ({ type: 'ClaimTransaction' as const, txHash: id32('tx1'), quoteId, at: t0 });
  const claimed = { type: 'TransactionClaimed' as const, data: { txHash: id32('tx1'), quoteId: quote.id, claimedAt: t0 } };
  claims.given([]).when(claim(quote.id)).thenEmits([claimed]);
  claims.given([claimed]).when(claim(quote.id)).thenEmits([]);
  claims
    .given([claimed])
    .when(claim(id32('q2')))
    .thenThrows('tx_already_used');

  const withdrawals = specFor(withdrawalDecider);
  const authorize = (deadline: bigint) => ({
    type: 'AuthorizeWithdrawal' as const,
    authorization: { id: id32('w9'), recipient: payer, amount: 5n, deadline },
    signature,
    owner: 'user-1',
    purpose: 'race_payout' as const,
    reference: 'race-1',
    vault,
    at: t0,
  });
  const authorized = {
    type: 'WithdrawalAuthorized' as const,
    data: {
      withdrawalId: id32('w9'),
      owner: 'user-1',
      recipient: payer,
      amountWei: 5n,
      deadlineSeconds: t0 / 1000 + 60,
      signature,
      purpose: 'race_payout' as const,
      reference: 'race-1',
      chainId: vault.chainId,
      vault: vault.address,
      authorizedAt: t0,
    },
  };
  withdrawals
    .given([])
    .when(authorize(BigInt(t0 / 1000 + 60)))
    .thenEmits([authorized]);
  withdrawals
    .given([authorized])
    .when(authorize(BigInt(t0 / 1000 + 60)))
    .thenThrows('withdrawal_exists');
  withdrawals
    .given([])
    .when(authorize(BigInt(t0 / 1000)))
    .thenThrows('withdrawal_invalid');
});

test('payment events survive the registry: validated on encode, bigints back on decode', () => {
  const registry = new EventRegistry(paymentEvents);
  for (const event of [quoted, verified, refunded]) {
    const { version, json } = registry.encode(event.type, event.data);
    assert.equal(registry.decode(event.type, version, json), event.data);
  }
  assert.throws(() => registry.encode('DepositVerified', { ...verified.data, payer: payer.toLowerCase() }), /checksummed/);
  assert.throws(() => registry.encode('DepositVerified', { ...verified.data, txHash: verified.data.txHash.toUpperCase() }), /lower-case/);
});

test('property: for any interleaving of duplicate submissions, one verified payment per quote and per tx hash', () => {
  const dir = tempDir();
  const quotes = [quoteFor(audition, 'qa'), quoteFor({ kind: 'audition_fee', cloneId: 'clone-2' }, 'qb')];
  const purchases: Purchase[] = [audition, { kind: 'audition_fee', cloneId: 'clone-2' }];
  // Each transaction pays one quote (a verified deposit names its quote id): tx i pays quote i % 2.
  const txs = [0, 1, 2, 3, 4].map((i) => depositOf(quotes[i % 2] as Quote, `tx-${i}`));
  let run = 0;
  try {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(1), fc.nat(4)), { minLength: 1, maxLength: 25 }), (submissions) => {
        const store = EventStore.open(dir.file(`prop-${++run}.db`), {
          registry: new EventRegistry(paymentEvents),
          clock: new ManualClock(t0),
        });
        const payments = new CommandHandler(store, paymentDecider);
        quotes.forEach((q, i) => {
          payments.handle({ streamId: paymentStreamId(q.id), command: issue(q, purchases[i] as Purchase) });
        });
        const firstFor = new Map<string, string>();
        for (const [q, t] of submissions) {
          const target = quotes[q] as Quote;
          const tx = txs[t] as VerifiedDeposit;
          try {
            payments.handle({ streamId: paymentStreamId(target.id), command: record(tx) });
            if (!firstFor.has(target.id)) firstFor.set(target.id, tx.txHash);
          } catch (error) {
            const code = (error as { code?: string }).code;
            assert.ok(code === 'deposit_mismatch' || code === 'payment_already_settled', String(error));
          }
        }
        const deposits = [...store.readAll()]
          .filter((e) => e.type === 'DepositVerified')
          .map((e) => e.data as { quoteId: string; txHash: string });
        store.close();
        assert.is(new Set(deposits.map((d) => d.quoteId)).size, deposits.length);
        assert.is(new Set(deposits.map((d) => d.txHash)).size, deposits.length);
        assert.equal(new Map(deposits.map((d) => [d.quoteId, d.txHash])), firstFor);
      }),
      { seed: fcSeed, numRuns: Math.min(fcRuns, 40) },
    );
  } finally {
    dir.remove();
  }
});

test.run();
