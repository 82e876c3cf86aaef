/**
 * Property: whatever the interleaving of duplicate and competing submissions, with verifier
 * answers arriving in any order, each quote is paid by at most one transaction and each tx hash
 * pays at most one quote. The verifier is a double that even answers "verified" for one
 * transaction whatever quote it is asked about, so the tx-hash claim stream is what holds.
 */
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Hash } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { createVaultSigner } from '../../../adapters/chain/signer.ts';
import type { DepositVerification, DepositVerifier } from '../../../adapters/chain/verify-deposit.ts';
import { PaymentHandoffs } from '../../../commands/economy/handoffs.ts';
import { PaymentCommands } from '../../../commands/economy/payments.ts';
import { QuoteCommands } from '../../../commands/economy/quotes.ts';
import { ManualClock, SequentialIds } from '../../../core/clock.ts';
import { ClashError } from '../../../core/errors.ts';
import { economyReads } from '../../../projections/economy/queries.ts';
import { openLedger } from '../../../server/context.ts';
import { id32, testKey } from '../../support/chain.ts';
import { fcRuns, fcSeed, tempDir } from '../../support/store.ts';

const vault = { chainId: 31337, address: '0x5FbDB2315678afecb367f032d93F642f64180aa3' } as const;
const payer = privateKeyToAccount(testKey('payer')).address;
const t0 = Date.UTC(2026, 10, 21, 12);
/** Transactions 0 and 1 pay quote 0, 2 pays quote 1; 3 is "verified" for whichever quote asks. */
const txs = [0, 1, 2, 3].map((i) => id32(`tx-${i}`));
const pays = (tx: number, quote: number) => tx === 3 || (tx < 2 ? 0 : 1) === quote;
const expectedRefusals = new Set(['quote_id_mismatch', 'payment_already_settled', 'tx_already_used']);

function verifierFor(quoteIds: readonly Hash[], delay: <T>(answer: T) => Promise<T>): DepositVerifier {
  return {
    verifyDeposit: (txHash, quote) => {
      const tx = txs.indexOf(txHash);
      const q = quoteIds.indexOf(quote.id);
      const answer: DepositVerification = pays(tx, q)
        ? {
            status: 'verified',
            txHash,
            quoteId: quote.id,
            payer: quote.payer,
            amount: quote.amount,
            blockNumber: 9n,
            blockHash: id32(`block-${tx}`),
            logIndex: 0,
            confirmations: 3n,
          }
        : { status: 'refused', txHash, code: 'quote_id_mismatch', message: 'another quote', info: {} };
      return delay(answer);
    },
  };
}

test('property: any interleaving of duplicate submissions verifies one payment per quote and per tx hash', async () => {
  const dir = tempDir();
  let run = 0;
  try {
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        fc.array(fc.tuple(fc.nat(1), fc.nat(3)), { minLength: 1, maxLength: 12 }),
        async (s, submissions) => {
          const ledger = openLedger({
            dbPath: dir.file(`prop-${++run}.db`),
            synchronous: 'NORMAL',
            clock: new ManualClock(t0),
            ids: new SequentialIds(),
          });
          const { store, clock, ids } = ledger;
          const reads = economyReads(store.db);
          const signer = createVaultSigner(privateKeyToAccount(testKey('backend-signer')), vault);
          const ticketSales = { canBuy: () => ({ ok: true as const, ticketPriceWei: 1n }) };
          const quotes = new QuoteCommands({
            store,
            clock,
            ids,
            signer,
            pricing: { auditionFeeWei: 10n, quoteTtlSeconds: 900 },
            ticketSales,
          });
          const quoteIds = [
            (await quotes.quote({ kind: 'audition_fee', cloneId: 'clone-a' }, payer, 'test')).quoteId,
            (await quotes.quote({ kind: 'audition_fee', cloneId: 'clone-b' }, payer, 'test')).quoteId,
          ] as Hash[];
          const handoffs = new PaymentHandoffs({
            store,
            clock,
            reads,
            auditionGrantTier: null,
            ticketPurchases: { recordTicketPurchase: () => {} },
            refunds: { refundRefusedTickets: () => Promise.reject(new Error('audition fees only: no ticket is refused')) },
          });
          const verifier = verifierFor(quoteIds, s.schedule.bind(s) as <T>(answer: T) => Promise<T>);
          const payments = new PaymentCommands({ store, clock, reads, verifier, vault, confirmations: 3, handoffs });
          const all = Promise.all(
            submissions.map(([q, t]) =>
              payments.submit(quoteIds[q] as Hash, txs[t] as Hash, 'test').catch((error: unknown) => {
                assert.ok(error instanceof ClashError && expectedRefusals.has(error.code), String(error));
              }),
            ),
          );
          await s.waitAll();
          await all;
          const verified = [...store.readAll()]
            .filter((e) => e.type === 'DepositVerified')
            .map((e) => e.data as { quoteId: string; txHash: string });
          const claims = [...store.readAll()]
            .filter((e) => e.type === 'TransactionClaimed')
            .map((e) => e.data as { quoteId: string; txHash: string });
          ledger.close();
          assert.is(new Set(verified.map((d) => d.quoteId)).size, verified.length, 'one verified payment per quote');
          assert.is(new Set(verified.map((d) => d.txHash)).size, verified.length, 'one verified payment per tx hash');
          assert.is(new Set(claims.map((c) => c.txHash)).size, claims.length, 'one claim per tx hash');
          for (const d of verified)
            assert.ok(
              claims.some((c) => c.txHash === d.txHash && c.quoteId === d.quoteId),
              'every verified tx is claimed for its quote',
            );
          // The universal transaction 3 may be claimed by another quote first; an honest one never is.
          const honestlyOffered = submissions.filter(([q, t]) => t < 3 && pays(t, q)).map(([q]) => quoteIds[q]);
          for (const q of honestlyOffered)
            assert.ok(
              verified.some((d) => d.quoteId === q),
              'a quote offered its own transaction is paid',
            );
        },
      ),
      { seed: fcSeed, numRuns: Math.min(fcRuns, 40) },
    );
  } finally {
    dir.remove();
  }
});

test.run();
