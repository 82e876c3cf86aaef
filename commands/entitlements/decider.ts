/**
 * The entitlement decider of one clone. A grant sets the tier (an upgrade or a change replaces
 * the current one) and copies the tier's limits into the event; a payment id justifies at most
 * one grant; the development fallback never replaces an existing entitlement.
 */
import type { Decider } from '../../core/decider.ts';
import { DomainError } from '../../core/errors.ts';
import type { EntitlementEvent, GrantJustification, RevokeJustification } from './events.ts';
import { type TierLimits, type TierName, tiers } from './tiers.ts';

export type EntitlementCommand =
  | { type: 'GrantEntitlement'; cloneId: string; tier: TierName; justification: GrantJustification; at: number }
  | { type: 'RevokeEntitlement'; cloneId: string; justification: RevokeJustification; at: number };

export interface EntitlementState {
  readonly active: { readonly tier: TierName; readonly limits: TierLimits } | null;
  readonly paymentIds: readonly string[];
}

export const entitlementDecider: Decider<EntitlementCommand, EntitlementState, EntitlementEvent> = {
  name: 'entitlement',
  initialState: () => ({ active: null, paymentIds: [] }),
  decide(command, state) {
    const { cloneId, justification, at } = command;
    switch (command.type) {
      case 'GrantEntitlement':
        if (justification.kind === 'payment' && state.paymentIds.includes(justification.paymentId)) {
          throw new DomainError('payment_already_applied', 'conflict', `payment ${justification.paymentId} already granted an entitlement`);
        }
        if (justification.kind === 'dev_fallback' && state.active !== null) {
          throw new DomainError('entitlement_exists', 'conflict', 'this clone already has an entitlement');
        }
        return [
          { type: 'EntitlementGranted', data: { cloneId, tier: command.tier, limits: tiers[command.tier], justification, grantedAt: at } },
        ];
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
        return {
          active: { tier: event.data.tier, limits: event.data.limits },
          paymentIds: j.kind === 'payment' ? [...state.paymentIds, j.paymentId] : state.paymentIds,
        };
      }
      case 'EntitlementRevoked':
        return { ...state, active: null };
    }
  },
};
