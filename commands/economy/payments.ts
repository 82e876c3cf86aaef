/**
 * Submitting a payment `{ quoteId, txHash }`: checks that need no chain first (unknown quote,
 * quote already settled by another transaction, transaction already claimed by another quote, a
 * refusal already recorded for this transaction), then the deposit verifier. A verified deposit
 * claims its transaction (`payment-tx-<txHash>`), is recorded on the payment stream, and is
 * handed off; a pending one is recorded once (so reconciliation can find it) and the client polls;
 * a refused one is recorded with the verifier's code. The same submission again appends nothing.
 */
import type { Address, Hash } from 'viem';
import type { VaultRef } from '../../adapters/chain/typed-data.ts';
import type { DepositVerification, DepositVerifier, PendingDeposit } from '../../adapters/chain/verify-deposit.ts';
import type { Clock } from '../../core/clock.ts';
import { CommandHandler } from '../../core/decider.ts';
import { DomainError } from '../../core/errors.ts';
import type { EventStore } from '../../core/event-store.ts';
import { paymentDecider, paymentStreamId } from './decider.ts';
import type { PaymentHandoffs } from './handoffs.ts';
import type { EconomyReads } from './ports.ts';
import type { QuoteFacts } from './quotes.ts';
import { txClaimDecider, txClaimStreamId } from './tx-claim-decider.ts';

export interface PaymentDeps {
  readonly store: EventStore;
  readonly clock: Clock;
  readonly reads: EconomyReads;
  readonly verifier: DepositVerifier;
  readonly vault: VaultRef;
  readonly confirmations: number;
  readonly handoffs: PaymentHandoffs;
}

export type PaymentAnswer =
  | { readonly status: 'verified'; readonly quoteId: Hash; readonly txHash: Hash }
  | Pick<PendingDeposit, 'status' | 'txHash' | 'reason' | 'confirmations' | 'required'>;

export class PaymentCommands {
  private readonly payments;
  private readonly claims;

  constructor(private readonly deps: PaymentDeps) {
    this.payments = new CommandHandler(deps.store, paymentDecider);
    this.claims = new CommandHandler(deps.store, txClaimDecider);
  }

  /** The payment's state, refusing an unknown quote and a quote paid by another transaction. */
  private unsettled(quoteId: Hash, txHash: Hash) {
    const state = this.payments.load(paymentStreamId(quoteId)).state;
    if (state.status === 'none') throw new DomainError('quote_not_found', 'not_found', `quote ${quoteId} was never issued`);
    if (state.status !== 'quoted' && state.deposit.txHash !== txHash) {
      throw new DomainError('payment_already_settled', 'conflict', `quote ${quoteId} was already paid by another transaction`, {
        txHash: state.deposit.txHash,
      });
    }
    return state;
  }

  async submit(quoteId: Hash, txHash: Hash, actor: string): Promise<PaymentAnswer> {
    const state = this.unsettled(quoteId, txHash);
    if (state.status !== 'quoted') {
      // A refunded payment is done with: its tickets were refused or refunded, its fee returned.
      if (state.status === 'paid') await this.deps.handoffs.paid(state.quote, actor);
      return { status: 'verified', quoteId, txHash };
    }
    const claimedFor = this.deps.reads.claimOf(txHash);
    if (claimedFor !== undefined && claimedFor !== quoteId) {
      throw new DomainError('tx_already_used', 'conflict', `transaction ${txHash} already paid quote ${claimedFor}`, {
        quoteId: claimedFor,
      });
    }
    const refused = state.attempts.find((a) => a.txHash === txHash && a.refusal !== null)?.refusal;
    if (refused) throw new DomainError(refused, 'unprocessable', 'the transaction was refused for this quote', { txHash });
    const { quote } = state;
    if (quote.chainId !== this.deps.vault.chainId || quote.vault !== this.deps.vault.address) {
      throw new DomainError('quote_other_vault', 'conflict', `quote ${quoteId} was issued for another vault`, {
        chainId: quote.chainId,
        vault: quote.vault,
      });
    }
    const answer = await this.deps.verifier.verifyDeposit(
      txHash,
      {
        id: quote.quoteId as Hash,
        payer: quote.payer as Address,
        amount: quote.amountWei,
        purpose: quote.purpose,
        ref: quote.ref as Hash,
        deadline: BigInt(quote.deadlineSeconds),
      },
      { confirmations: this.deps.confirmations },
    );
    return this.apply(quote, answer, actor);
  }

  private async apply(quote: QuoteFacts, answer: DepositVerification, actor: string): Promise<PaymentAnswer> {
    const quoteId = quote.quoteId as Hash;
    const streamId = paymentStreamId(quoteId);
    const at = this.deps.clock.now();
    const metadata = { actor };
    switch (answer.status) {
      case 'verified':
        // Settled meanwhile (while the verifier answered)? Refuse before claiming the transaction.
        this.unsettled(quoteId, answer.txHash);
        this.claims.handle({
          streamId: txClaimStreamId(answer.txHash),
          command: { type: 'ClaimTransaction', txHash: answer.txHash, quoteId, at },
          metadata,
        });
        this.payments.handle({ streamId, command: { type: 'RecordDeposit', deposit: answer, at }, metadata });
        await this.deps.handoffs.paid(quote, actor);
        return { status: 'verified', quoteId, txHash: answer.txHash };
      case 'pending': {
        // Nothing in a block and the deadline gone: the vault would refuse it now.
        const unmined = answer.reason === 'not_found' || answer.reason === 'not_mined';
        if (unmined && at > quote.deadlineSeconds * 1000) {
          throw new DomainError('quote_expired', 'unprocessable', `quote ${quoteId} expired and the transaction is not in a block`, {
            deadlineSeconds: quote.deadlineSeconds,
          });
        }
        this.payments.handle({ streamId, command: { type: 'SubmitDeposit', txHash: answer.txHash, at }, metadata });
        const { status, txHash, reason, confirmations, required } = answer;
        return { status, txHash, reason, confirmations, required };
      }
      case 'refused':
        this.payments.handle({ streamId, command: { type: 'RefuseDeposit', txHash: answer.txHash, code: answer.code, at }, metadata });
        throw new DomainError(answer.code, 'unprocessable', answer.message, { txHash: answer.txHash, ...answer.info });
    }
  }
}
