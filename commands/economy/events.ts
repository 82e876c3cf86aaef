/**
 * The events of a `payment-<quoteId>` stream: the signed quote, the deposit verified on chain,
 * and a refund authorized as a signed withdrawal. Amounts are wei (`bigint`, decimal strings on
 * disk); hashes are lower-case hex; addresses are EIP-55 checksummed; `*At` times are epoch
 * milliseconds, `deadlineSeconds` unix seconds as signed.
 */
import { getAddress } from 'viem';
import { z } from 'zod';
import { defineEvent, type EventOf } from '../../core/event-registry.ts';
import { zNonNegativeAmount } from '../../core/money.ts';
import { zPurchase } from './purchase.ts';

const zBytes32 = z.string().regex(/^0x[0-9a-f]{64}$/, 'must be 32 bytes of lower-case hex');
const zAddress = z
  .string()
  .regex(/^0x[0-9a-fA-F]{40}$/, 'must be a 20-byte hex address')
  .refine((s) => s === getAddress(s), 'must be EIP-55 checksummed');
const zSignature = z.string().regex(/^0x[0-9a-f]{130}$/, 'must be a 65-byte lower-case hex signature');
const zTime = z.number().int().nonnegative();

export const PaymentQuoted = defineEvent(
  'PaymentQuoted',
  z
    .object({
      quoteId: zBytes32,
      payer: zAddress,
      purchase: zPurchase,
      amountWei: zNonNegativeAmount,
      purpose: z.number().int().min(0).max(255),
      ref: zBytes32,
      deadlineSeconds: z.number().int().positive(),
      chainId: z.number().int().positive(),
      vault: zAddress,
      signature: zSignature,
      quotedAt: zTime,
    })
    .strict(),
);

export const DepositVerified = defineEvent(
  'DepositVerified',
  z
    .object({
      quoteId: zBytes32,
      txHash: zBytes32,
      payer: zAddress,
      amountWei: zNonNegativeAmount,
      blockNumber: zNonNegativeAmount,
      blockHash: zBytes32,
      logIndex: z.number().int().nonnegative(),
      verifiedAt: zTime,
    })
    .strict(),
);

export const RefundAuthorized = defineEvent(
  'RefundAuthorized',
  z
    .object({
      quoteId: zBytes32,
      withdrawalId: zBytes32,
      recipient: zAddress,
      amountWei: zNonNegativeAmount,
      deadlineSeconds: z.number().int().positive(),
      signature: zSignature,
      reason: z.enum(['audition_voided']),
      authorizedAt: zTime,
    })
    .strict(),
);

export const paymentEvents = [PaymentQuoted, DepositVerified, RefundAuthorized];
export type PaymentEvent = EventOf<typeof PaymentQuoted> | EventOf<typeof DepositVerified> | EventOf<typeof RefundAuthorized>;
