/**
 * The payment decider, one `payment-<quoteId>` stream per quote: a quote is issued (already
 * signed); transactions are submitted for it (recorded while pending, or refused with the
 * verifier's code); it is settled by exactly one verified deposit; an audition fee's credit is
 * consumed by one audition; and it may be refunded by one signed withdrawal. Commands carry what
 * the adapters produced (the signed quote, the verification, the signed authorization) in their
 * normalized form (the zod output of `adapters/chain`), plus the time. A repeat of anything
 * already recorded decides nothing, so retried submissions append nothing; anything else that
 * contradicts the stream is refused. A tx hash used by another quote is refused on that
 * transaction's own claim stream (`tx-claim-decider.ts`).
 */
import type { Hash, Hex } from 'viem';
import type { Quote, VaultRef, WithdrawalAuthorization } from '../../adapters/chain/typed-data.ts';
import type { DepositRefusalCode, VerifiedDeposit } from '../../adapters/chain/verify-deposit.ts';
import type { Decider } from '../../core/decider.ts';
import { DomainError } from '../../core/errors.ts';
import type { EventOf } from '../../core/event-registry.ts';
import type { DepositVerified, PaymentEvent, PaymentQuoted, RefundAuthorized, RefundReason } from './events.ts';
import { type Purchase, purchaseRef, purposeOf } from './purchase.ts';

export const PAYMENT_CATEGORY = 'payment';
export const paymentStreamId = (quoteId: Hex) => `${PAYMENT_CATEGORY}-${quoteId}`;

export type PaymentCommand =
  | { type: 'IssueQuote'; quote: Quote; purchase: Purchase; vault: VaultRef; signature: Hex; at: number }
  | { type: 'SubmitDeposit'; txHash: Hash; at: number }
  | { type: 'RefuseDeposit'; txHash: Hash; code: DepositRefusalCode; at: number }
  | { type: 'RecordDeposit'; deposit: VerifiedDeposit; at: number }
  | { type: 'ConsumeAuditionCredit'; cloneId: string; auditionId: string; at: number }
  | { type: 'AuthorizeRefund'; authorization: WithdrawalAuthorization; signature: Hex; reason: RefundReason; at: number };

type QuoteFacts = EventOf<typeof PaymentQuoted>['data'];
type DepositFacts = EventOf<typeof DepositVerified>['data'];
type RefundFacts = EventOf<typeof RefundAuthorized>['data'];

/** A transaction submitted for a quote: pending (`refusal` null) or refused with the verifier's code. */
export interface Attempt {
  readonly txHash: string;
  readonly refusal: DepositRefusalCode | null;
}

interface Settled {
  readonly quote: QuoteFacts;
  readonly deposit: DepositFacts;
  /** The audition that used this audition fee, if any. */
  readonly consumedBy: string | null;
}

export type PaymentState =
  | { readonly status: 'none' }
  | { readonly status: 'quoted'; readonly quote: QuoteFacts; readonly attempts: readonly Attempt[] }
  | ({ readonly status: 'paid' } & Settled)
  | ({ readonly status: 'refunded'; readonly refund: RefundFacts } & Settled);

type Command<T extends PaymentCommand['type']> = Extract<PaymentCommand, { type: T }>;

/** A unix-seconds deadline that is a safe integer and still ahead of `at` (epoch ms); otherwise refused with `code`. */
export function liveDeadline(deadline: bigint, at: number, code: string, what: string): number {
  const seconds = Number(deadline);
  if (Number.isSafeInteger(seconds) && seconds * 1000 > at) return seconds;
  throw new DomainError(code, 'invalid', `the ${what} deadline is not in the future`, { deadline: deadline.toString() });
}

function issue(command: Command<'IssueQuote'>, state: PaymentState): PaymentEvent[] {
  const { quote, purchase, vault, signature, at } = command;
  if (state.status !== 'none') throw new DomainError('quote_exists', 'conflict', `quote ${quote.id} was already issued`);
  if (quote.purpose !== purposeOf(purchase) || quote.ref !== purchaseRef(purchase)) {
    throw new DomainError('quote_invalid', 'invalid', "the quote's purpose and ref do not name its purchase", { quoteId: quote.id });
  }
  const deadlineSeconds = liveDeadline(quote.deadline, at, 'quote_invalid', 'quote');
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

/**
 * The quoted state a transaction can still be recorded against; undefined when the quote was
 * already paid by this same transaction (nothing to decide). Another transaction is refused.
 */
function payable(state: PaymentState, txHash: string): Extract<PaymentState, { status: 'quoted' }> | undefined {
  if (state.status === 'none') throw new DomainError('quote_not_found', 'not_found', 'the quote was never issued');
  if (state.status === 'quoted') return state;
  if (state.deposit.txHash === txHash) return undefined;
  throw new DomainError('payment_already_settled', 'conflict', `quote ${state.quote.quoteId} was already paid by another transaction`, {
    txHash: state.deposit.txHash,
  });
}

function submitDeposit(command: Command<'SubmitDeposit'>, state: PaymentState): PaymentEvent[] {
  const quoted = payable(state, command.txHash);
  if (!quoted || quoted.attempts.some((a) => a.txHash === command.txHash)) return [];
  return [{ type: 'DepositSubmitted', data: { quoteId: quoted.quote.quoteId, txHash: command.txHash, submittedAt: command.at } }];
}

function refuseDeposit(command: Command<'RefuseDeposit'>, state: PaymentState): PaymentEvent[] {
  const quoted = payable(state, command.txHash);
  if (!quoted || quoted.attempts.some((a) => a.txHash === command.txHash && a.refusal !== null)) return [];
  return [
    {
      type: 'DepositRefused',
      data: { quoteId: quoted.quote.quoteId, txHash: command.txHash, code: command.code, refusedAt: command.at },
    },
  ];
}

function recordDeposit(command: Command<'RecordDeposit'>, state: PaymentState): PaymentEvent[] {
  const { deposit, at } = command;
  const quoted = payable(state, deposit.txHash);
  if (!quoted) return [];
  const { quote } = quoted;
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

function consumeCredit(command: Command<'ConsumeAuditionCredit'>, state: PaymentState): PaymentEvent[] {
  const { cloneId, auditionId, at } = command;
  if (state.status === 'none') throw new DomainError('quote_not_found', 'not_found', 'the quote was never issued');
  const { quote } = state;
  if (quote.purchase.kind !== 'audition_fee' || quote.purchase.cloneId !== cloneId) {
    throw new DomainError('credit_mismatch', 'unprocessable', `payment ${quote.quoteId} is not an audition fee for clone ${cloneId}`);
  }
  if (state.status === 'quoted') throw new DomainError('payment_not_settled', 'unprocessable', `quote ${quote.quoteId} is not paid`);
  if (state.consumedBy === auditionId) return [];
  if (state.consumedBy !== null) {
    throw new DomainError('credit_already_consumed', 'conflict', `payment ${quote.quoteId} was used by another audition`, {
      auditionId: state.consumedBy,
    });
  }
  if (state.status === 'refunded') throw new DomainError('credit_refunded', 'conflict', `payment ${quote.quoteId} was refunded`);
  return [{ type: 'AuditionCreditConsumed', data: { quoteId: quote.quoteId, cloneId, auditionId, consumedAt: at } }];
}

/** The kind of purchase each refund reason applies to. */
const refundable: Record<RefundReason, Purchase['kind']> = {
  audition_voided: 'audition_fee',
  clone_not_entrant: 'race_tickets',
  tickets_refused: 'race_tickets',
};

function authorizeRefund(command: Command<'AuthorizeRefund'>, state: PaymentState): PaymentEvent[] {
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
  if (refundable[reason] !== state.quote.purchase.kind) {
    throw new DomainError('refund_mismatch', 'unprocessable', `a ${state.quote.purchase.kind} payment is not refunded for ${reason}`);
  }
  if (authorization.recipient !== deposit.payer || authorization.amount !== deposit.amountWei) {
    throw new DomainError('refund_mismatch', 'unprocessable', 'a refund returns the whole deposit to its payer', {
      payer: deposit.payer,
      amountWei: deposit.amountWei.toString(),
    });
  }
  const deadlineSeconds = liveDeadline(authorization.deadline, at, 'refund_invalid', 'withdrawal');
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
      case 'SubmitDeposit':
        return submitDeposit(command, state);
      case 'RefuseDeposit':
        return refuseDeposit(command, state);
      case 'RecordDeposit':
        return recordDeposit(command, state);
      case 'ConsumeAuditionCredit':
        return consumeCredit(command, state);
      case 'AuthorizeRefund':
        return authorizeRefund(command, state);
    }
  },
  evolve(state, event) {
    switch (event.type) {
      case 'PaymentQuoted':
        return { status: 'quoted', quote: event.data, attempts: [] };
      case 'DepositSubmitted':
      case 'DepositRefused': {
        if (state.status !== 'quoted') return state;
        const attempt = { txHash: event.data.txHash, refusal: event.type === 'DepositRefused' ? event.data.code : null };
        return { ...state, attempts: [...state.attempts.filter((a) => a.txHash !== attempt.txHash), attempt] };
      }
      case 'DepositVerified':
        return state.status === 'quoted' ? { status: 'paid', quote: state.quote, deposit: event.data, consumedBy: null } : state;
      case 'AuditionCreditConsumed':
        return state.status === 'paid' ? { ...state, consumedBy: event.data.auditionId } : state;
      case 'RefundAuthorized':
        return state.status === 'paid' ? { ...state, status: 'refunded', refund: event.data } : state;
    }
  },
};
