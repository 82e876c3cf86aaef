/**
 * The Competition module's ports. To Economy: small interfaces Economy implements (audition
 * credits, refunds, withdrawal authorizations) and the one Competition implements for Economy
 * (ticket purchases). Every call is idempotent on the id it carries, so a worker that repeats a
 * step after a crash asks for nothing twice. doc/competition.md, "Ports". To its own read
 * models: what the command path and the settlement audit read of them, implemented over the
 * competition projections by the wiring (`server/competition.ts`), so this module never imports
 * `projections/`.
 */
import type { Address } from 'viem';
import type { TicketPurchase } from '../economy/ports.ts';
import type { CheckpointRef } from '../ledger/events.ts';
import type { RaceStage } from './race-state.ts';

/** Verified audition fees, spent one per audition. */
export interface AuditionCredits {
  /**
   * Spends one unused, verified audition fee that `owner` paid for `cloneId` and returns its
   * payment id; `{ refused }` when there is none. The audition id is derived from the payment
   * id, so one fee can never fund two auditions.
   */
  consume(request: { readonly cloneId: string; readonly owner: Address }): { readonly paymentId: string } | { readonly refused: string };
}

export type RefundPurpose = 'audition_fee' | 'ticket';

/** Full refunds of payments Economy verified. */
export interface RefundAuthorizer {
  /**
   * Authorizes a withdrawal of the whole of payment `paymentId` back to its payer. The same
   * `refundId` again is a no-op. Throws when Economy cannot take it now; the caller retries.
   */
  refund(request: {
    readonly refundId: string;
    readonly paymentId: string;
    readonly purpose: RefundPurpose;
    /** The audition or race the refund belongs to. */
    readonly reference: string;
  }): void | Promise<void>;
}

export type WithdrawalPurpose = 'race_payout' | 'creator_royalty';

/** Withdrawal authorizations for race payouts and creator royalties. */
export interface WithdrawalAuthorizer {
  /**
   * Authorizes `recipient` to withdraw `amountWei` from the prize pool. `owner` is the wallet
   * the money belongs to (the ticket holder or the creator; today always the recipient). The
   * same `withdrawalId` again is a no-op. Throws when Economy cannot take it now; the caller retries.
   */
  authorize(request: {
    readonly withdrawalId: string;
    readonly owner: Address;
    readonly recipient: Address;
    readonly amountWei: bigint;
    readonly purpose: WithdrawalPurpose;
    /** The race id. */
    readonly reference: string;
  }): void | Promise<void>;
}

/** What Economy hands over once it verified a payment for exactly these tickets (Economy's own type). */
export type { TicketPurchase };

/** Implemented by Competition, called by Economy: the same payment again is a no-op. */
export interface TicketPurchaseSink {
  /** Records the tickets on the race; throws a DomainError when the race refuses them (Economy then refunds the payment). */
  recordTicketPurchase(purchase: TicketPurchase): { readonly raceId: string; readonly tickets: number };
}

/** Everything Competition needs from Economy. */
export interface CompetitionEconomy {
  readonly credits: AuditionCredits;
  readonly refunds: RefundAuthorizer;
  readonly withdrawals: WithdrawalAuthorizer;
}

/** Until Economy is plugged in: no audition credits, and no refund or withdrawal is ever asked for without one. */
export const unconnectedEconomy: CompetitionEconomy = {
  credits: { consume: () => ({ refused: 'economy_not_connected' }) },
  refunds: {
    refund: () => {
      throw new Error('economy is not connected: refunds cannot be authorized');
    },
  },
  withdrawals: {
    authorize: () => {
      throw new Error('economy is not connected: withdrawals cannot be authorized');
    },
  },
};

/** The ledger's signed checkpoints, as a settlement needs them (the Ledger module implements it). */
export interface LogCheckpoints {
  /** A signed checkpoint whose tree covers every position up to `position`, signing one now when none does. */
  covering(position: number): CheckpointRef;
}

/** Inclusion proofs against a signed checkpoint, as the settlement audit needs them. */
export interface SettlementProofs {
  /**
   * Every reason the events at `positions`, re-hashed from their stored rows, are not proven
   * included in the signed checkpoint `checkpoint`; empty when all are.
   */
  prove(positions: readonly number[], checkpoint: CheckpointRef): string[];
}

/**
 * What the competition command path reads of the competition read models to find its work:
 * which auditions run, where a clone stands, who sits in the Arena, which races may move. A row
 * only points at a stream; every decision is taken on the stream itself (the deciders), so a
 * read model that lags costs a round, never a wrong event.
 */
export interface CompetitionReadModel {
  /** Auditions with this status, oldest submission first; `propAccountId` is set once the attempt's account is open. */
  auditionsWithStatus(status: 'running'): readonly { readonly auditionId: string; readonly propAccountId: string | null }[];
  /** An audition's clone and current attempt, if there is such an audition. */
  audition(auditionId: string): { readonly cloneId: string; readonly attempt: number } | undefined;
  /** The clone's audition that waits for its account or runs, if any. */
  openAuditionOf(cloneId: string): { readonly auditionId: string } | undefined;
  /** `queue` | `arena` | `removed` | `retired`, or undefined when the clone never passed an audition. */
  placeOf(cloneId: string): string | undefined;
  /** The Promotion Queue in admission order. */
  queue(): readonly { readonly cloneId: string }[];
  /** The occupied Arena slots in slot order. */
  slots(): readonly { readonly cloneId: string }[];
  /** Races at these stages, oldest first. */
  racesAt(...stages: RaceStage[]): readonly { readonly raceId: string }[];
}

/** A read-model row as a plain document (field names and wire values as the projection holds them). */
export type ReadModelDocument = object;

/**
 * The settlement read models of one race, which the settlement audit compares field by field
 * with the settlement it recomputes from raw events (`settlement-audit.ts`): the settlement
 * row, the ranking by position, payouts and claims by holder, royalties by clone.
 */
export interface SettlementRecords {
  settlement(raceId: string): ReadModelDocument | undefined;
  ranking(raceId: string): readonly ReadModelDocument[];
  payouts(raceId: string): readonly ReadModelDocument[];
  royalties(raceId: string): readonly ReadModelDocument[];
  claims(raceId: string): readonly ReadModelDocument[];
}
