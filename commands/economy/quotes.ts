/**
 * Issuing quotes: price the purchase (an audition fee from configuration, tickets at the race's
 * own ticket price), check that tickets may be bought now,
 * sign the EIP-712 quote with the backend signer, and record it on a new `payment-<quoteId>`
 * stream. The caller's right to buy (an audition fee for a clone they own) is checked by the route.
 */
import { type Address, keccak256, stringToHex } from 'viem';
import type { VaultSigner } from '../../adapters/chain/signer.ts';
import type { Quote } from '../../adapters/chain/typed-data.ts';
import type { Clock, IdSource } from '../../core/clock.ts';
import { CommandHandler } from '../../core/decider.ts';
import { DomainError } from '../../core/errors.ts';
import type { EventOf } from '../../core/event-registry.ts';
import type { EventStore } from '../../core/event-store.ts';
import { paymentDecider, paymentStreamId } from './decider.ts';
import type { PaymentQuoted } from './events.ts';
import type { TicketSaleCheck } from './ports.ts';
import { type Purchase, purchaseRef, purposeOf } from './purchase.ts';

export interface Pricing {
  readonly auditionFeeWei: bigint;
  readonly quoteTtlSeconds: number;
}

export type QuoteFacts = EventOf<typeof PaymentQuoted>['data'];

export interface QuoteDeps {
  readonly store: EventStore;
  readonly clock: Clock;
  readonly ids: IdSource;
  readonly signer: VaultSigner;
  readonly pricing: Pricing;
  readonly ticketSales: TicketSaleCheck;
}

export class QuoteCommands {
  private readonly handler;

  constructor(private readonly deps: QuoteDeps) {
    this.handler = new CommandHandler(deps.store, paymentDecider);
  }

  private priceOf(purchase: Purchase): bigint {
    if (purchase.kind === 'audition_fee') return this.deps.pricing.auditionFeeWei;
    const answer = this.deps.ticketSales.canBuy(purchase.raceId, purchase.cloneId);
    if ('refused' in answer) {
      throw new DomainError(
        answer.refused,
        'unprocessable',
        `tickets on clone ${purchase.cloneId} in race ${purchase.raceId} are not for sale now`,
      );
    }
    return answer.ticketPriceWei * BigInt(purchase.tickets);
  }

  async quote(purchase: Purchase, payer: Address, actor: string): Promise<QuoteFacts> {
    const { clock, ids, signer, pricing } = this.deps;
    const amount = this.priceOf(purchase);
    const at = clock.now();
    const quote: Quote = {
      id: keccak256(stringToHex(`clash-quote:${ids.next()}`)),
      payer,
      amount,
      purpose: purposeOf(purchase),
      ref: purchaseRef(purchase),
      deadline: BigInt(at) / 1000n + BigInt(pricing.quoteTtlSeconds), // epoch seconds (at ≥ 0: division rounds down)
    };
    const signature = await signer.signQuote(quote);
    const { events } = this.handler.handle({
      streamId: paymentStreamId(quote.id),
      command: { type: 'IssueQuote', quote, purchase, vault: signer.vault, signature, at },
      metadata: { actor },
    });
    return events[0]?.data as QuoteFacts;
  }
}
