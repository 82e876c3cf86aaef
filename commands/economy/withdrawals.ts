/**
 * Withdrawal authorizations: the backend signs an EIP-712 Withdrawal and records it; anyone can
 * then redeem it at the vault, which pays the recipient once per id. Refunds (a voided audition's
 * fee, tickets on a clone that did not enter its race) are recorded on the refunded payment's
 * stream, so a deposit is refunded once and in full; race payouts and royalties on their own
 * `withdrawal-<id>` stream. Callers choose the id (`withdrawalIdFor(key)` from a stable key), so
 * asking again for the same withdrawal returns the first authorization and appends nothing.
 */
import { type Address, type Hex, keccak256, stringToHex } from 'viem';
import { z } from 'zod';
import { parseInput, zAddress, zBytes32 } from '../../adapters/chain/schemas.ts';
import type { VaultSigner } from '../../adapters/chain/signer.ts';
import type { WithdrawalAuthorization } from '../../adapters/chain/typed-data.ts';
import type { Clock } from '../../core/clock.ts';
import { CommandHandler } from '../../core/decider.ts';
import { DomainError } from '../../core/errors.ts';
import type { EventStore } from '../../core/event-store.ts';
import { EntitlementCommands } from '../entitlements/handlers.ts';
import { userIdFor } from '../identity/user-id.ts';
import { paymentDecider, paymentStreamId } from './decider.ts';
import type { RefundReason } from './events.ts';
import { zPayoutPurpose } from './events.ts';
import { withdrawalDecider, withdrawalStreamId } from './withdrawal-decider.ts';

/** A stable 32-byte withdrawal id from a caller's key, e.g. `race:<raceId>:payout:<holder>`. */
export const withdrawalIdFor = (key: string): Hex => keccak256(stringToHex(`clash-withdrawal:${key}`));

const refundReasons = { audition_refund: 'audition_voided', ticket_refund: 'clone_not_entrant' } as const satisfies Record<
  string,
  RefundReason
>;

export const zWithdrawalRequest = z
  .object({
    withdrawalId: zBytes32,
    /** The user who may read it (`GET /api/v1/economy/withdrawals/:id`). */
    owner: z.string().min(1),
    recipient: zAddress,
    amountWei: z.bigint().positive(),
    purpose: z.enum([...(Object.keys(refundReasons) as (keyof typeof refundReasons)[]), ...zPayoutPurpose.options]),
    /** The refunded payment's id (its quote id) for refunds; the race id for payouts and royalties. */
    reference: z.string().min(1).max(200),
  })
  .strict();
export type WithdrawalRequest = z.input<typeof zWithdrawalRequest>;

export class WithdrawalCommands {
  private readonly payments;
  private readonly withdrawals;
  private readonly entitlements;

  constructor(
    private readonly deps: { readonly store: EventStore; readonly clock: Clock; readonly signer: VaultSigner; readonly ttlSeconds: number },
  ) {
    this.payments = new CommandHandler(deps.store, paymentDecider);
    this.withdrawals = new CommandHandler(deps.store, withdrawalDecider);
    this.entitlements = new EntitlementCommands(deps);
  }

  /** The EIP-712 Withdrawal (deadline: now + TTL) and the backend's signature of it. */
  private async signed(id: Hex, recipient: Address, amount: bigint) {
    const at = this.deps.clock.now();
    const authorization: WithdrawalAuthorization = {
      id,
      recipient,
      amount,
      deadline: BigInt(at) / 1000n + BigInt(this.deps.ttlSeconds), // epoch seconds (at ≥ 0: division rounds down)
    };
    return { authorization, signature: await this.deps.signer.signWithdrawal(authorization), at };
  }

  /** The idempotency envelope of a withdrawal: asking again with the same request appends nothing. */
  private envelope(withdrawalId: Hex, actor: string, request: Record<string, unknown> & { amountWei: bigint }) {
    return {
      metadata: { actor },
      idempotencyKey: `withdrawal:${withdrawalId}`,
      idempotencyPayload: { ...request, amountWei: request.amountWei.toString() },
    };
  }

  /** Signs and records the withdrawal; resolves to its id once recorded. */
  async authorize(input: WithdrawalRequest, actor: string): Promise<Hex> {
    const request = parseInput(zWithdrawalRequest, input, 'withdrawal');
    const { withdrawalId, owner, recipient, amountWei, purpose, reference } = request;
    const { authorization, signature, at } = await this.signed(withdrawalId, recipient, amountWei);
    const envelope = this.envelope(withdrawalId, actor, request);
    if (purpose === 'race_payout' || purpose === 'royalty') {
      this.withdrawals.handle({
        ...envelope,
        streamId: withdrawalStreamId(withdrawalId),
        command: { type: 'AuthorizeWithdrawal', authorization, signature, owner, purpose, reference, vault: this.deps.signer.vault, at },
      });
      return withdrawalId;
    }
    if (owner !== userIdFor(recipient)) {
      throw new DomainError('withdrawal_owner_mismatch', 'invalid', 'a refund belongs to the user of the wallet it returns to');
    }
    const quoteId = parseInput(zBytes32, reference, 'withdrawal.reference');
    // One transaction: a refunded audition fee stops justifying the entitlement it granted in
    // the same commit as its refund (the revocation names the refund; doc/economy.md).
    this.deps.store.transaction(() => {
      const { state } = this.payments.handle({
        ...envelope,
        streamId: paymentStreamId(quoteId),
        command: { type: 'AuthorizeRefund', authorization, signature, reason: refundReasons[purpose], at },
      });
      if (state.status === 'refunded' && state.quote.purchase.kind === 'audition_fee') {
        this.entitlements.refundPayment(state.quote.purchase.cloneId, state.quote.quoteId, actor);
      }
    });
    return withdrawalId;
  }

  /**
   * The economy's own refund of a verified ticket payment the race refused when it was handed
   * over (the race launched, or the clone left the Arena, before the deposit was verified): the
   * whole deposit back to its payer, once (`tickets-refused:<quoteId>`).
   */
  async refundRefusedTickets(payment: { quoteId: Hex; payer: Address; amountWei: bigint }, refusal: string, actor: string): Promise<Hex> {
    const withdrawalId = withdrawalIdFor(`tickets-refused:${payment.quoteId}`);
    const { authorization, signature, at } = await this.signed(withdrawalId, payment.payer, payment.amountWei);
    this.payments.handle({
      ...this.envelope(withdrawalId, actor, { ...payment, refusal }),
      streamId: paymentStreamId(payment.quoteId),
      command: { type: 'AuthorizeRefund', authorization, signature, reason: 'tickets_refused', at },
    });
    return withdrawalId;
  }
}
