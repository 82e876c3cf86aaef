/**
 * The payment decider, one `payment-<quoteId>` stream per quote: a quote is issued (already
 * signed), then settled by exactly one verified deposit, then possibly refunded by one signed
 * withdrawal. Commands carry what the adapters produced (the signed quote, the verification,
 * the signed authorization) in their normalized form (the zod output of `adapters/chain`), plus
 * the time. A repeat of the deposit or refund that was already recorded decides nothing, so
 * retried submissions append nothing; anything else that contradicts the stream is refused.
 * Checks that need other streams (a tx hash already used by another quote) are the handler's.
 */
import type { Hex } from 'viem';
import type { Quote, VaultRef, WithdrawalAuthorization } from '../../adapters/chain/typed-data.ts';
import type { VerifiedDeposit } from '../../adapters/chain/verify-deposit.ts';
import type { Decider } from '../../core/decider.ts';
import { DomainError } from '../../core/errors.ts';
import type { EventOf } from '../../core/event-registry.ts';
import type { DepositVerified, PaymentEvent, PaymentQuoted, RefundAuthorized } from './events.ts';
import { type Purchase, purchaseRef, purposeOf } from './purchase.ts';

export const paymentStreamId = (quoteId: Hex) => `payment-${quoteId}`;

export type PaymentCommand =
  | { type: 'IssueQuote'; quote: Quote; purchase: Purchase; vault: VaultRef; signature: Hex; at: number }
  | { type: 'RecordDeposit'; deposit: VerifiedDeposit; at: number }
  | { type: 'AuthorizeRefund'; authorization: WithdrawalAuthorization; signature: Hex; reason: 'audition_voided'; at: number };

type QuoteFacts = EventOf<typeof PaymentQuoted>['data'];
type DepositFacts = EventOf<typeof DepositVerified>['data'];
type RefundFacts = EventOf<typeof RefundAuthorized>['data'];

export type PaymentState =
  | { readonly status: 'none' }
  | { readonly status: 'quoted'; readonly quote: QuoteFacts }
  | { readonly status: 'paid'; readonly quote: QuoteFacts; readonly deposit: DepositFacts }
  | { readonly status: 'refunded'; readonly quote: QuoteFacts; readonly deposit: DepositFacts; readonly refund: RefundFacts };

/** A unix-seconds deadline that is a safe integer and still ahead of `at` (epoch ms). */
function liveDeadline(deadline: bigint, at: number): number | undefined {
  const seconds = Number(deadline);
  return Number.isSafeInteger(seconds) && seconds * 1000 > at ? seconds : undefined;
}

function issue(command: Extract<PaymentCommand, { type: 'IssueQuote' }>, state: PaymentState): PaymentEvent[] {
  const { quote, purchase, vault, signature, at } = command;
  if (state.status !== 'none') throw new DomainError('quote_exists', 'conflict', `quote ${quote.id} was already issued`);
  if (quote.purpose !== purposeOf(purchase) || quote.ref !== purchaseRef(purchase)) {
    throw new DomainError('quote_invalid', 'invalid', "the quote's purpose and ref do not name its purchase", { quoteId: quote.id });
  }
  const deadlineSeconds = liveDeadline(quote.deadline, at);
  if (deadlineSeconds === undefined) {
    throw new DomainError('quote_invalid', 'invalid', 'the quote deadline is not in the future', { deadline: quote.deadline.toString() });
  }
  return [
    {
      type: 'PaymentQuoted',
      data: {
        quoteId: quote.id,
        payer: quote.payer,
        purchase,
        amountWei: quote.amount,
        purpose: quote.purpose,
        ref: quote.ref,
        deadlineSeconds,
        chainId: vault.chainId,
        vault: vault.address,
        signature,
        quotedAt: at,
      },
    },
  ];
}

function recordDeposit(command: Extract<PaymentCommand, { type: 'RecordDeposit' }>, state: PaymentState): PaymentEvent[] {
  const { deposit, at } = command;
  if (state.status === 'none') throw new DomainError('quote_not_found', 'not_found', `quote ${deposit.quoteId} was never issued`);
  if (state.status !== 'quoted') {
    if (state.deposit.txHash === deposit.txHash) return [];
    throw new DomainError('payment_already_settled', 'conflict', `quote ${state.quote.quoteId} was already paid by another transaction`, {
      txHash: state.deposit.txHash,
    });
  }
  const { quote } = state;
  if (deposit.quoteId !== quote.quoteId || deposit.payer !== quote.payer || deposit.amount !== quote.amountWei) {
    throw new DomainError('deposit_mismatch', 'unprocessable', `the deposit does not pay quote ${quote.quoteId}`, {
      quoteId: deposit.quoteId,
      payer: deposit.payer,
      amountWei: deposit.amount.toString(),
    });
  }
  return [
    {
      type: 'DepositVerified',
      data: {
        quoteId: quote.quoteId,
        txHash: deposit.txHash,
        payer: deposit.payer,
        amountWei: deposit.amount,
        blockNumber: deposit.blockNumber,
        blockHash: deposit.blockHash,
        logIndex: deposit.logIndex,
        verifiedAt: at,
      },
    },
  ];
}

function authorizeRefund(command: Extract<PaymentCommand, { type: 'AuthorizeRefund' }>, state: PaymentState): PaymentEvent[] {
  const { authorization, signature, reason, at } = command;
  if (state.status === 'none') throw new DomainError('quote_not_found', 'not_found', 'the quote was never issued');
  if (state.status === 'quoted') {
    throw new DomainError('payment_not_settled', 'unprocessable', `quote ${state.quote.quoteId} has no verified deposit to refund`);
  }
  if (state.status === 'refunded') {
    if (state.refund.withdrawalId === authorization.id && state.refund.signature === signature) return [];
    throw new DomainError('refund_exists', 'conflict', `quote ${state.quote.quoteId} was already refunded`, {
      withdrawalId: state.refund.withdrawalId,
    });
  }
  const { deposit } = state;
  if (authorization.recipient !== deposit.payer || authorization.amount !== deposit.amountWei) {
    throw new DomainError('refund_mismatch', 'unprocessable', 'a refund returns the whole deposit to its payer', {
      payer: deposit.payer,
      amountWei: deposit.amountWei.toString(),
    });
  }
  const deadlineSeconds = liveDeadline(authorization.deadline, at);
  if (deadlineSeconds === undefined) {
    throw new DomainError('refund_invalid', 'invalid', 'the withdrawal deadline is not in the future', {
      deadline: authorization.deadline.toString(),
    });
  }
  return [
    {
      type: 'RefundAuthorized',
      data: {
        quoteId: state.quote.quoteId,
        withdrawalId: authorization.id,
        recipient: authorization.recipient,
        amountWei: authorization.amount,
        deadlineSeconds,
        signature,
        reason,
        authorizedAt: at,
      },
    },
  ];
}

export const paymentDecider: Decider<PaymentCommand, PaymentState, PaymentEvent> = {
  name: 'payment',
  initialState: () => ({ status: 'none' }),
  decide(command, state) {
    switch (command.type) {
      case 'IssueQuote':
        return issue(command, state);
      case 'RecordDeposit':
        return recordDeposit(command, state);
      case 'AuthorizeRefund':
        return authorizeRefund(command, state);
    }
  },
  evolve(state, event) {
    switch (event.type) {
      case 'PaymentQuoted':
        return { status: 'quoted', quote: event.data };
      case 'DepositVerified':
        return state.status === 'quoted' ? { status: 'paid', quote: state.quote, deposit: event.data } : state;
      case 'RefundAuthorized':
        return state.status === 'paid' ? { status: 'refunded', quote: state.quote, deposit: state.deposit, refund: event.data } : state;
    }
  },
};
