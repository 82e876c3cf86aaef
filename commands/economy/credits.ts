/**
 * Audition credits: a clone's verified audition fees that no audition has used. The competition
 * module calls `consume` when it submits an audition and records the payment id it gets as the
 * audition's `feePaymentId`. Consumption is a fact on the payment's own stream, so two auditions
 * racing for one fee cannot both get it (the loser moves on to the clone's next credit, if any).
 */

import type { Hash } from 'viem';
import type { Clock } from '../../core/clock.ts';
import { CommandHandler } from '../../core/decider.ts';
import { DomainError } from '../../core/errors.ts';
import type { EventStore } from '../../core/event-store.ts';
import { paymentDecider, paymentStreamId } from './decider.ts';
import type { EconomyReads } from './ports.ts';

/** Credits a racing audition may have taken meanwhile: try the next one. */
const taken = new Set(['credit_already_consumed', 'credit_refunded']);

export class AuditionCredits {
  private readonly handler;

  constructor(private readonly deps: { readonly store: EventStore; readonly clock: Clock; readonly reads: EconomyReads }) {
    this.handler = new CommandHandler(deps.store, paymentDecider);
  }

  /**
   * Uses one of the clone's audition credits (or the one named by `paymentId`) for this audition
   * and returns its payment id; the same audition again gets the same payment. Refused with `audition_credit_missing` (422) when
   * the clone has no verified, unused audition fee.
   */
  consume(request: { cloneId: string; auditionId: string; paymentId?: string }, actor: string): { paymentId: string } {
    const { cloneId, auditionId } = request;
    const used = this.deps.reads.creditUsedBy(auditionId);
    // A caller that names the payment (the competition module keys its audition by it) gets that one or none.
    const candidates =
      used !== undefined ? [used] : request.paymentId !== undefined ? [request.paymentId] : this.deps.reads.availableCredits(cloneId);
    for (const paymentId of candidates) {
      try {
        this.handler.handle({
          streamId: paymentStreamId(paymentId as Hash),
          command: { type: 'ConsumeAuditionCredit', cloneId, auditionId, at: this.deps.clock.now() },
          metadata: { actor },
        });
        return { paymentId };
      } catch (error) {
        if (!(error instanceof DomainError && taken.has(error.code))) throw error;
      }
    }
    throw new DomainError('audition_credit_missing', 'unprocessable', `clone ${cloneId} has no unused audition fee`, { cloneId });
  }
}
