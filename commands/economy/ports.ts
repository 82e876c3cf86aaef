/**
 * The economy's edges. Other modules implement the ticket ports (the competition module owns
 * races); the read ports are the economy's own read model and the entitlements read model, passed
 * in so handlers do not reach into projections themselves.
 */
import type { Address } from 'viem';
import type { TierName } from '../entitlements/tiers.ts';

/**
 * Whether tickets on this clone in this race may be bought now, and at what price: the race's own,
 * frozen when it opened (the race refuses a payment of any other amount); a refusal is an error code.
 */
export type TicketSaleAnswer = { readonly ok: true; readonly ticketPriceWei: bigint } | { readonly refused: string };

export interface TicketSaleCheck {
  canBuy(raceId: string, cloneId: string): TicketSaleAnswer;
}

/** A verified ticket payment, handed to the race that sells the tickets. */
export interface TicketPurchase {
  /** The payment's quote id; the same payment again must be a no-op. */
  readonly paymentId: string;
  readonly raceId: string;
  readonly cloneId: string;
  /** The wallet that paid: the ticket holder. */
  readonly holder: Address;
  readonly count: number;
  readonly amountWei: bigint;
}

export interface TicketPurchaseSink {
  recordTicketPurchase(purchase: TicketPurchase): void | Promise<void>;
}

/** What the economy handlers read from read models. */
export interface EconomyReads {
  /** quoted | pending | refused | verified | refunded; undefined for a quote never issued. */
  paymentStatus(quoteId: string): string | undefined;
  /** Payments whose last submitted transaction is pending since before `before` (epoch ms). */
  pendingBefore(before: number): { quoteId: string; txHash: string }[];
  /** The quote a transaction was claimed for, if any. */
  claimOf(txHash: string): string | undefined;
  /** The clone's verified, unused audition fees (payment ids), oldest first. */
  availableCredits(cloneId: string): string[];
  /** The payment an audition used as its fee. */
  creditUsedBy(auditionId: string): string | undefined;
  /** The tier of the clone's active entitlement. */
  activeTier(cloneId: string): TierName | undefined;
}
