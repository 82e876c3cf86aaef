/**
 * The seam between Competition and Economy, both ways:
 * - `competitionEconomyOf` is the Economy as the competition's ports (`commands/competition/ports.ts`)
 *   see it: audition credits, refunds of a whole payment, payout and royalty withdrawals;
 * - `competitionTicketPorts` is the competition as the Economy's ticket ports see it: whether a
 *   race sells tickets for a clone now, and where a verified ticket payment goes.
 * Ids and vocabularies differ between the two on purpose (each module names things its own
 * way); this file is the one place that translates them.
 */
import type { Address } from 'viem';
import { Competition } from '../commands/competition/handlers.ts';
import type { CompetitionEconomy } from '../commands/competition/ports.ts';
import { withdrawalIdFor } from '../commands/economy/withdrawals.ts';
import { userIdFor } from '../commands/identity/user-id.ts';
import { ClashError, DomainError } from '../core/errors.ts';
import { economyReads, paymentOf } from '../projections/economy/queries.ts';
import { competitionTicketSales } from '../projections/economy/ticket-sales.ts';
import { competitionDeps } from './competition.ts';
import type { Ledger } from './context.ts';
import type { Economy, EconomyPorts } from './economy.ts';

const ACTOR = 'service:competition';

/** Refusals of a credit that a racing audition may have caused: the next credit may still do. */
const creditGone = new Set(['credit_already_consumed', 'credit_refunded', 'audition_credit_missing']);

/** `economy()` is read at each call, so the server can start the Economy after building this. */
export function competitionEconomyOf(ledger: Ledger, economy: () => Economy | null): CompetitionEconomy {
  const db = ledger.store.db;
  const reads = economyReads(db);
  const required = (): Economy => {
    const e = economy();
    if (!e) throw new ClashError('chain_not_configured', 'unavailable', 'no chain is configured: the economy cannot take this');
    return e;
  };
  return {
    credits: {
      // The competition keys an audition by its fee's payment id, so each candidate credit is
      // consumed under the audition id it would become.
      consume: ({ cloneId }) => {
        const e = economy();
        if (!e) return { refused: 'chain_not_configured' };
        for (const paymentId of reads.availableCredits(cloneId)) {
          try {
            return e.credits.consume({ cloneId, auditionId: paymentId, paymentId }, ACTOR);
          } catch (error) {
            if (!(error instanceof DomainError && creditGone.has(error.code))) throw error;
          }
        }
        return { refused: 'audition_credit_missing' };
      },
    },
    refunds: {
      refund: async ({ refundId, paymentId, purpose }) => {
        const payment = paymentOf(db, paymentId);
        if (!payment) throw new ClashError('payment_not_found', 'not_found', `payment ${paymentId} is not in the ledger`);
        await required().withdrawals.authorize(
          {
            withdrawalId: withdrawalIdFor(`refund:${refundId}`),
            owner: userIdFor(payment.payer),
            recipient: payment.payer as Address,
            amountWei: BigInt(payment.amountWei),
            purpose: purpose === 'audition_fee' ? 'audition_refund' : 'ticket_refund',
            reference: paymentId,
          },
          ACTOR,
        );
      },
    },
    withdrawals: {
      authorize: async (request) => {
        await required().withdrawals.authorize(
          {
            withdrawalId: withdrawalIdFor(request.withdrawalId),
            owner: userIdFor(request.owner),
            recipient: request.recipient,
            amountWei: request.amountWei,
            purpose: request.purpose === 'creator_royalty' ? 'royalty' : 'race_payout',
            reference: request.reference,
          },
          ACTOR,
        );
      },
    },
  };
}

/** The Economy's ticket ports, answered by the competition module. */
export function competitionTicketPorts(ledger: Ledger, economy: CompetitionEconomy): EconomyPorts {
  const competition = new Competition({ ...competitionDeps(ledger, economy), clock: ledger.clock });
  return {
    ticketSales: competitionTicketSales(ledger.store.db),
    ticketPurchases: {
      recordTicketPurchase: (purchase) => {
        competition.recordTicketPurchase(purchase);
      },
    },
  };
}
