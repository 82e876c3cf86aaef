/**
 * The events of a `payment-<quoteId>` stream: the signed quote, the deposit verified on chain,
 * and a refund authorized as a signed withdrawal. Amounts are wei (`bigint`, decimal strings on
 * disk); hashes are lower-case hex; addresses are EIP-55 checksummed; `*At` times are epoch
 * milliseconds, `deadlineSeconds` unix seconds as signed.
 */
import { z } from 'zod';
import { zStoredAddress, zStoredBytes32, zStoredSignature } from '../../adapters/chain/schemas.ts';
import { defineEvent, type EventOf } from '../../core/event-registry.ts';
import { zNonNegativeAmount } from '../../core/money.ts';
import { zPurchase } from './purchase.ts';

const zTime = z.number().int().nonnegative();

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
      reason: z.enum(['audition_voided']),
      authorizedAt: zTime,
    })
    .strict(),
);

export const paymentEvents = [PaymentQuoted, DepositVerified, RefundAuthorized];
export type PaymentEvent = EventOf<typeof PaymentQuoted> | EventOf<typeof DepositVerified> | EventOf<typeof RefundAuthorized>;
