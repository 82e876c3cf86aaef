/** The example domain's events. FundsDeposited is at schema v2: v1 had no `memo`. */
import { z } from 'zod';
import { defineEvent, type EventOf } from '../../../core/event-registry.ts';
import { zNonNegativeAmount } from '../../../core/money.ts';

export const WalletOpened = defineEvent(
  'WalletOpened',
  z.object({ walletId: z.string(), owner: z.string(), openedAt: z.number().int() }).strict(),
);
export const FundsDeposited = defineEvent(
  'FundsDeposited',
  z.object({ walletId: z.string(), amount: zNonNegativeAmount, memo: z.string(), at: z.number().int() }).strict(),
  { version: 2, upcasters: { 1: (d) => ({ ...(d as object), memo: '(v1)' }) } },
);
export const FundsWithdrawn = defineEvent(
  'FundsWithdrawn',
  z.object({ walletId: z.string(), amount: zNonNegativeAmount, at: z.number().int() }).strict(),
);

export const walletEvents = [WalletOpened, FundsDeposited, FundsWithdrawn];
export type WalletEvent = EventOf<typeof WalletOpened> | EventOf<typeof FundsDeposited> | EventOf<typeof FundsWithdrawn>;
