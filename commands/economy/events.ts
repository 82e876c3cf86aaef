/**
 * The economy's events. A `payment-<quoteId>` stream holds the signed quote, the transactions
 * submitted for it (pending, or refused with the verifier's code), the deposit verified on chain,
 * the consumption of an audition credit, and a refund authorized as a signed withdrawal. A
 * `payment-tx-<txHash>` stream claims a verified transaction for one quote; a
 * `withdrawal-<id>` stream holds a payout or royalty withdrawal; a `redemption-<id>` stream records
 * that the vault paid a withdrawal out (read back from its Withdrawal logs). Amounts are wei (`bigint`, decimal strings on
 * disk); hashes are lower-case hex; addresses are EIP-55 checksummed; `*At` times are epoch
 * milliseconds, `deadlineSeconds` unix seconds as signed.
 */
import { z } from 'zod';
import { zStoredAddress, zStoredBytes32, zStoredSignature } from '../../adapters/chain/schemas.ts';
import { zDepositRefusalCode } from '../../adapters/chain/verify-deposit.ts';
import { defineEvent, type EventOf } from '../../core/event-registry.ts';
import { zNonNegativeAmount } from '../../core/money.ts';
import { zPurchase } from './purchase.ts';

const zTime = z.number().int().nonnegative();

/**
 * Why a deposit is refunded: a voided audition; tickets on a clone that did not enter the race;
 * tickets the race refused when their verified payment was handed over (it had launched, or the
 * clone had left the Arena, by then).
 */
export const zRefundReason = z.enum(['audition_voided', 'clone_not_entrant', 'tickets_refused']);
export type RefundReason = z.output<typeof zRefundReason>;

export const PaymentQuoted = defineEvent(
  'PaymentQuoted',
  z
    .object({
      quoteId: zStoredBytes32,
      payer: zStoredAddress,
      purchase: zPurchase,
      amountWei: zNonNegativeAmount,
      purpose: z.number().int().min(0).max(255),
      ref: zStoredBytes32,
      deadlineSeconds: z.number().int().positive(),
      chainId: z.number().int().positive(),
      vault: zStoredAddress,
      signature: zStoredSignature,
      quotedAt: zTime,
    })
    .strict(),
);

export const DepositVerified = defineEvent(
  'DepositVerified',
  z
    .object({
      quoteId: zStoredBytes32,
      txHash: zStoredBytes32,
      payer: zStoredAddress,
      amountWei: zNonNegativeAmount,
      blockNumber: zNonNegativeAmount,
      blockHash: zStoredBytes32,
      logIndex: z.number().int().nonnegative(),
      verifiedAt: zTime,
    })
    .strict(),
);

export const RefundAuthorized = defineEvent(
  'RefundAuthorized',
  z
    .object({
      quoteId: zStoredBytes32,
      withdrawalId: zStoredBytes32,
      recipient: zStoredAddress,
      amountWei: zNonNegativeAmount,
      deadlineSeconds: z.number().int().positive(),
      signature: zStoredSignature,
      reason: zRefundReason,
      authorizedAt: zTime,
    })
    .strict(),
);

/** A transaction submitted for the quote whose verification is still pending (first submission only). */
export const DepositSubmitted = defineEvent(
  'DepositSubmitted',
  z.object({ quoteId: zStoredBytes32, txHash: zStoredBytes32, submittedAt: zTime }).strict(),
);

/** A transaction the verifier refused for the quote, with its code; the quote stays payable by another one. */
export const DepositRefused = defineEvent(
  'DepositRefused',
  z.object({ quoteId: zStoredBytes32, txHash: zStoredBytes32, code: zDepositRefusalCode, refusedAt: zTime }).strict(),
);

/** A verified audition fee used by an audition (the competition module's `SubmitAudition`). */
export const AuditionCreditConsumed = defineEvent(
  'AuditionCreditConsumed',
  z.object({ quoteId: zStoredBytes32, cloneId: z.string().min(1), auditionId: z.string().min(1), consumedAt: zTime }).strict(),
);

/** On `payment-tx-<txHash>`: this verified transaction pays this quote, and no other. */
export const TransactionClaimed = defineEvent(
  'TransactionClaimed',
  z.object({ txHash: zStoredBytes32, quoteId: zStoredBytes32, claimedAt: zTime }).strict(),
);

export const zPayoutPurpose = z.enum(['race_payout', 'royalty']);

/** On `withdrawal-<id>`: a signed payout or royalty withdrawal; `owner` is the user who may read it. */
export const WithdrawalAuthorized = defineEvent(
  'WithdrawalAuthorized',
  z
    .object({
      withdrawalId: zStoredBytes32,
      owner: z.string().min(1),
      recipient: zStoredAddress,
      amountWei: zNonNegativeAmount,
      deadlineSeconds: z.number().int().positive(),
      signature: zStoredSignature,
      purpose: zPayoutPurpose,
      reference: z.string().min(1).max(200),
      chainId: z.number().int().positive(),
      vault: zStoredAddress,
      authorizedAt: zTime,
    })
    .strict(),
);

/**
 * On `redemption-<withdrawalId>`: the vault's Withdrawal log for this id, read back by
 * reconciliation: the withdrawal (a refund, payout or royalty) was paid out in `txHash` at
 * `blockNumber`; `recordedAt` is when the ledger learnt it.
 */
export const WithdrawalRedeemed = defineEvent(
  'WithdrawalRedeemed',
  z
    .object({
      withdrawalId: zStoredBytes32,
      recipient: zStoredAddress,
      amountWei: zNonNegativeAmount,
      txHash: zStoredBytes32,
      blockNumber: zNonNegativeAmount,
      recordedAt: zTime,
    })
    .strict(),
);

export const paymentEvents = [
  PaymentQuoted,
  DepositSubmitted,
  DepositRefused,
  DepositVerified,
  AuditionCreditConsumed,
  RefundAuthorized,
  TransactionClaimed,
  WithdrawalAuthorized,
  WithdrawalRedeemed,
];
export type PaymentEvent =
  | EventOf<typeof PaymentQuoted>
  | EventOf<typeof DepositSubmitted>
  | EventOf<typeof DepositRefused>
  | EventOf<typeof DepositVerified>
  | EventOf<typeof AuditionCreditConsumed>
  | EventOf<typeof RefundAuthorized>;
export type TransactionClaimEvent = EventOf<typeof TransactionClaimed>;
export type WithdrawalEvent = EventOf<typeof WithdrawalAuthorized>;
export type RedemptionEvent = EventOf<typeof WithdrawalRedeemed>;
