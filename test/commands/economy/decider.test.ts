import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { type Address, type Hex, keccak256, parseEther, toHex } from 'viem';
import type { Quote, VaultRef, WithdrawalAuthorization } from '../../../adapters/chain/typed-data.ts';
import type { VerifiedDeposit } from '../../../adapters/chain/verify-deposit.ts';
import { type PaymentCommand, paymentDecider, paymentStreamId } from '../../../commands/economy/decider.ts';
import { type PaymentEvent, paymentEvents } from '../../../commands/economy/events.ts';
import { type Purchase, purchaseRef, purposeOf } from '../../../commands/economy/purchase.ts';
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
