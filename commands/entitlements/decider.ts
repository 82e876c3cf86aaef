/**
 * The entitlement decider of one clone. A grant sets the tier (an upgrade or a change replaces
 * the current one) and copies the tier's limits into the event; a payment id justifies at most
 * one grant; the development fallback never replaces an existing entitlement. A refunded payment
 * justifies nothing: when it justified the active grant, that grant is revoked with the refund
 * as the reason and lowered to the best tier another unrefunded payment justifies (doc/economy.md).
 */
import type { Decider } from '../../core/decider.ts';
import { DomainError } from '../../core/errors.ts';
import type { EntitlementEvent, GrantJustification, RevokeJustification } from './events.ts';
import { type TierLimits, type TierName, tiers, zTierName } from './tiers.ts';

export type EntitlementCommand =
  | { type: 'GrantEntitlement'; cloneId: string; tier: TierName; justification: GrantJustification; at: number }
  | { type: 'RevokeEntitlement'; cloneId: string; justification: RevokeJustification; at: number }
  /** The payment's refund was authorized; a payment that granted nothing here is a no-op, as is a repeat. */
  | { type: 'RefundPayment'; cloneId: string; paymentId: string; at: number };

export interface EntitlementState {
  readonly active: { readonly tier: TierName; readonly limits: TierLimits; readonly justification: GrantJustification } | null;
  readonly paymentIds: readonly string[];
  /** The tier each payment granted, in grant order. */
  readonly paymentTiers: Readonly<Record<string, TierName>>;
  readonly refundedPaymentIds: readonly string[];
}

const rank = (tier: TierName) => zTierName.options.indexOf(tier);

/** The refund of `paymentId`, with the revocation and the fallback grant when it justified the active grant. */
function refund(state: EntitlementState, cloneId: string, paymentId: string, at: number): EntitlementEvent[] {
  if (state.paymentTiers[paymentId] === undefined || state.refundedPaymentIds.includes(paymentId)) return [];
  const events: EntitlementEvent[] = [{ type: 'EntitlementPaymentRefunded', data: { cloneId, paymentId, refundedAt: at } }];
  const j = state.active?.justification;
  if (j?.kind !== 'payment' || j.paymentId !== paymentId) return events;
  events.push({ type: 'EntitlementRevoked', data: { cloneId, justification: { kind: 'refund', paymentId }, revokedAt: at } });
  // the best tier another unrefunded payment justifies; the earliest such payment on a tie
  const [fallback] = Object.entries(state.paymentTiers)
    .filter(([id]) => id !== paymentId && !state.refundedPaymentIds.includes(id))
    .sort(([, a], [, b]) => rank(b) - rank(a));
  if (fallback) {
    const [id, tier] = fallback;
    events.push({
      type: 'EntitlementGranted',
      data: { cloneId, tier, limits: tiers[tier], justification: { kind: 'payment', paymentId: id }, grantedAt: at },
    });
  }
  return events;
}

export const entitlementDecider: Decider<EntitlementCommand, EntitlementState, EntitlementEvent> = {
  name: 'entitlement',
  initialState: () => ({ active: null, paymentIds: [], paymentTiers: {}, refundedPaymentIds: [] }),
  decide(command, state) {
    if (command.type === 'RefundPayment') return refund(state, command.cloneId, command.paymentId, command.at);
    const { cloneId, at } = command;
    switch (command.type) {
      case 'GrantEntitlement': {
        const { justification } = command;
        if (justification.kind === 'payment' && state.paymentIds.includes(justification.paymentId)) {
          throw new DomainError('payment_already_applied', 'conflict', `payment ${justification.paymentId} already granted an entitlement`);
        }
        if (justification.kind === 'dev_fallback' && state.active !== null) {
          throw new DomainError('entitlement_exists', 'conflict', 'this clone already has an entitlement');
        }
        return [
          { type: 'EntitlementGranted', data: { cloneId, tier: command.tier, limits: tiers[command.tier], justification, grantedAt: at } },
        ];
      }
      case 'RevokeEntitlement':
        if (state.active === null) throw new DomainError('entitlement_not_active', 'conflict', 'this clone has no active entitlement');
        if (command.justification.kind === 'payment' && !state.paymentIds.includes(command.justification.paymentId)) {
          throw new DomainError('payment_unknown', 'unprocessable', `payment ${command.justification.paymentId} granted nothing here`);
        }
        return [{ type: 'EntitlementRevoked', data: { cloneId, justification: command.justification, revokedAt: at } }];
    }
  },
  evolve(state, event) {
    switch (event.type) {
      case 'EntitlementGranted': {
        const j = event.data.justification;
        const first = j.kind === 'payment' && state.paymentTiers[j.paymentId] === undefined;
        return {
          ...state,
          active: { tier: event.data.tier, limits: event.data.limits, justification: j },
          paymentIds: first ? [...state.paymentIds, j.paymentId] : state.paymentIds,
          paymentTiers: first ? { ...state.paymentTiers, [j.paymentId]: event.data.tier } : state.paymentTiers,
        };
      }
      case 'EntitlementRevoked':
        return { ...state, active: null };
      case 'EntitlementPaymentRefunded':
        return { ...state, refundedPaymentIds: [...state.refundedPaymentIds, event.data.paymentId] };
    }
  },
};
