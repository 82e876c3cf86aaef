/**
 * The example domain's events. FundsDeposited is at schema v2: v1 had no `memo`; its v1 schema is
 * kept so rows stored compact under v1 still read (core/stored-data.ts).
 */
import { z } from 'zod';
import { defineEvent, type EventOf } from '../../../core/event-registry.ts';
import { zNonNegativeAmount } from '../../../core/money.ts';

export const WalletOpened = defineEvent(
  'WalletOpened',
  z.object({ walletId: z.string(), owner: z.string(), openedAt: z.number().int() }).strict(),
);
/** FundsDeposited as version 1 stored it. */
export const zFundsDepositedV1 = z.object({ walletId: z.string(), amount: zNonNegativeAmount, at: z.number().int() }).strict();
export const FundsDeposited = defineEvent(
  'FundsDeposited',
  z.object({ walletId: z.string(), amount: zNonNegativeAmount, memo: z.string(), at: z.number().int() }).strict(),
  { version: 2, upcasters: { 1: (d) => ({ ...(d as object), memo: '(v1)' }) }, earlierSchemas: { 1: zFundsDepositedV1 } },
);
export const FundsWithdrawn = defineEvent(
  'FundsWithdrawn',
  z.object({ walletId: z.string(), amount: zNonNegativeAmount, at: z.number().int() }).strict(),
);

export const walletEvents = [WalletOpened, FundsDeposited, FundsWithdrawn];
export type WalletEvent = EventOf<typeof WalletOpened> | EventOf<typeof FundsDeposited> | EventOf<typeof FundsWithdrawn>;
