/**
 * What a verified payment sets in motion in other modules, as their commands (never appends to
 * their streams): an audition fee may grant the clone's entitlement tier (its audition credit is
 * the economy's own read model, consumed through `AuditionCredits`); a ticket payment becomes a
 * ticket purchase in the race. Every hand-off is idempotent, so it is run again whenever the
 * verified payment is seen again (a resubmission, reconciliation): a crash between recording the
 * deposit and handing it off is repaired by the next look at it. A ticket payment the race refuses
 * (a rule, not an outage: it launched, or the clone left the Arena, before the deposit was
 * verified) is refunded in full, so no deposit is ever kept without its tickets.
 */
import type { Address, Hash } from 'viem';
import type { Clock } from '../../core/clock.ts';
import { DomainError } from '../../core/errors.ts';
import type { EventStore } from '../../core/event-store.ts';
import { EntitlementCommands } from '../entitlements/handlers.ts';
import { type TierName, zTierName } from '../entitlements/tiers.ts';
import type { EconomyReads, TicketPurchaseSink } from './ports.ts';
import type { QuoteFacts } from './quotes.ts';
import type { WithdrawalCommands } from './withdrawals.ts';

export interface HandoffDeps {
  readonly store: EventStore;
  readonly clock: Clock;
  readonly reads: EconomyReads;
  /** The tier an audition fee grants (never a downgrade); null grants nothing. */
  readonly auditionGrantTier: TierName | null;
  readonly ticketPurchases: TicketPurchaseSink;
  /** Refunds of ticket payments the race refused. */
  readonly refunds: Pick<WithdrawalCommands, 'refundRefusedTickets'>;
}

const rank = (tier: TierName) => zTierName.options.indexOf(tier);

export class PaymentHandoffs {
  private readonly entitlements: EntitlementCommands;

  constructor(private readonly deps: HandoffDeps) {
    this.entitlements = new EntitlementCommands(deps);
  }

  async paid(quote: QuoteFacts, actor: string): Promise<void> {
    const { purchase } = quote;
    if (purchase.kind === 'race_tickets') {
      const payer = quote.payer as Address;
      try {
        await this.deps.ticketPurchases.recordTicketPurchase({
          paymentId: quote.quoteId,
          raceId: purchase.raceId,
          cloneId: purchase.cloneId,
          holder: payer,
          count: purchase.tickets,
          amountWei: quote.amountWei,
        });
      } catch (error) {
        if (!(error instanceof DomainError)) throw error; // the race is unreachable: the next look hands it off again
        const payment = { quoteId: quote.quoteId as Hash, payer, amountWei: quote.amountWei };
        await this.deps.refunds.refundRefusedTickets(payment, error.code, actor);
      }
      return;
    }
    const tier = this.deps.auditionGrantTier;
    const current = this.deps.reads.activeTier(purchase.cloneId);
    if (tier === null || (current !== undefined && rank(current) >= rank(tier))) return;
    try {
      this.entitlements.grant(purchase.cloneId, tier, { kind: 'payment', paymentId: quote.quoteId }, actor);
    } catch (error) {
      // This payment granted it already (and something else changed the tier since).
      if (!(error instanceof DomainError && error.code === 'payment_already_applied')) throw error;
    }
  }
}
