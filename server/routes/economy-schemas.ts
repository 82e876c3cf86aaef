/** Wire shapes of the economy routes: wei and unix-second deadlines as decimal strings, times as ISO 8601. */
import { z } from '@hono/zod-openapi';
import { zPurchase } from '../../commands/economy/purchase.ts';
import type { QuoteFacts } from '../../commands/economy/quotes.ts';
import type { PaymentRow, WithdrawalRow } from '../../projections/economy/queries.ts';
import { iso, zTime, zWei } from './schemas.ts';

const hash32 = (example: string) =>
  z
    .string()
    .regex(/^0x[0-9a-fA-F]{64}$/, 'must be 32 bytes of 0x-prefixed hex')
    .openapi({ example });
const exampleId = `0x${'ab'.repeat(32)}`;

/** The purchase, exactly as the quote will name it (its ref is the hash of this object). */
export const QuoteBody = zPurchase;

export const PaymentBody = z
  .object({ quoteId: hash32(exampleId), txHash: hash32(exampleId) })
  .strict()
  .openapi('PaymentSubmission');
export const QuoteParams = z.object({ quoteId: hash32(exampleId).openapi({ param: { name: 'quoteId', in: 'path' } }) });
export const WithdrawalParams = z.object({ id: hash32(exampleId).openapi({ param: { name: 'id', in: 'path' } }) });

const VaultSchema = z.object({ chainId: z.number().int(), address: z.string() }).openapi('Vault');

export const QuoteSchema = z
  .object({
    quote: z
      .object({
        id: z.string(),
        payer: z.string(),
        amount: zWei('the price'),
        purpose: z.number().int(),
        ref: z.string(),
        deadline: z.string(),
      })
      .openapi({
        description:
          'The EIP-712 Quote, as the vault’s deposit(quote, signature) takes it: field names are the contract’s (amount in wei, deadline in unix seconds)',
      }),
    signature: z.string(),
    vault: VaultSchema,
    purchase: QuoteBody,
    expiresAt: zTime,
  })
  .openapi('Quote');

export const PaymentSchema = z
  .object({
    quoteId: z.string(),
    status: z.enum(['quoted', 'pending', 'refused', 'verified', 'refunded']),
    kind: z.enum(['audition_fee', 'race_tickets']),
    cloneId: z.string(),
    raceId: z.string().nullable(),
    tickets: z.number().int().nullable(),
    payer: z.string(),
    amountWei: zWei('the price'),
    txHash: z.string().nullable().openapi({ description: 'The last transaction submitted, refused or verified' }),
    refusal: z.string().nullable().openapi({ description: 'The refusal code of that transaction' }),
    expiresAt: zTime,
    quotedAt: zTime,
    verifiedAt: zTime.nullable(),
    auditionCredit: z.enum(['available', 'consumed']).nullable().openapi({ description: 'For a verified audition fee' }),
    refundWithdrawalId: z.string().nullable(),
  })
  .openapi('Payment');

export const PendingSchema = z
  .object({
    status: z.literal('pending'),
    txHash: z.string(),
    reason: z.enum(['not_found', 'not_mined', 'awaiting_confirmations', 'reorged']),
    confirmations: z.string(),
    required: z.string(),
  })
  .openapi('PaymentPending');

export const WithdrawalSchema = z
  .object({
    withdrawalId: z.string(),
    purpose: z.enum(['audition_refund', 'ticket_refund', 'race_payout', 'royalty']),
    reference: z.string(),
    authorization: z.object({ id: z.string(), recipient: z.string(), amount: zWei('the amount'), deadline: z.string() }).openapi({
      description:
        'The EIP-712 Withdrawal, as the vault’s withdraw(authorization, signature) takes it: field names are the contract’s (amount in wei, deadline in unix seconds)',
    }),
    signature: z.string(),
    vault: VaultSchema,
    expiresAt: zTime,
    authorizedAt: zTime,
    redeemedAt: zTime.nullable().openapi({ description: 'when reconciliation read the vault’s payout back; null until then' }),
    redeemedTxHash: z.string().nullable().openapi({ description: 'the vault transaction that paid it out' }),
  })
  .openapi('Withdrawal');

export function quoteView(q: QuoteFacts): z.output<typeof QuoteSchema> {
  return {
    quote: {
      id: q.quoteId,
      payer: q.payer,
      amount: q.amountWei.toString(),
      purpose: q.purpose,
      ref: q.ref,
      deadline: String(q.deadlineSeconds),
    },
    signature: q.signature,
    vault: { chainId: q.chainId, address: q.vault },
    purchase: q.purchase,
    expiresAt: iso(q.deadlineSeconds * 1000),
  };
}

export function paymentView(p: PaymentRow): z.output<typeof PaymentSchema> {
  const credit = p.kind === 'audition_fee' && p.status === 'verified';
  return {
    quoteId: p.quoteId,
    status: p.status,
    kind: p.kind,
    cloneId: p.cloneId,
    raceId: p.raceId,
    tickets: p.tickets,
    payer: p.payer,
    amountWei: p.amountWei,
    txHash: p.txHash,
    refusal: p.refusal,
    expiresAt: iso(p.deadlineSeconds * 1000),
    quotedAt: iso(p.quotedAt),
    verifiedAt: p.verifiedAt === null ? null : iso(p.verifiedAt),
    auditionCredit: credit ? (p.consumedBy === null ? 'available' : 'consumed') : null,
    refundWithdrawalId: p.refundWithdrawalId,
  };
}

export function withdrawalView(w: WithdrawalRow): z.output<typeof WithdrawalSchema> {
  return {
    withdrawalId: w.withdrawalId,
    purpose: w.purpose,
    reference: w.reference,
    authorization: { id: w.withdrawalId, recipient: w.recipient, amount: w.amountWei, deadline: String(w.deadlineSeconds) },
    signature: w.signature,
    vault: { chainId: w.chainId, address: w.vault },
    expiresAt: iso(w.deadlineSeconds * 1000),
    authorizedAt: iso(w.authorizedAt),
    redeemedAt: w.redeemedAt === null ? null : iso(w.redeemedAt),
    redeemedTxHash: w.redeemedTxHash,
  };
}
