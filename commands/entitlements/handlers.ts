/**
 * Entitlement commands. Callers prove the justification before they get here: the economy
 * module passes verified payment ids, the admin route an admin's reason, and the development
 * fallback route exists only where the fallback identity is enabled.
 */
import type { Clock } from '../../core/clock.ts';
import { CommandHandler } from '../../core/decider.ts';
import type { EventStore } from '../../core/event-store.ts';
import { type EntitlementCommand, type EntitlementState, entitlementDecider } from './decider.ts';
import type { GrantJustification, RevokeJustification } from './events.ts';
import type { TierName } from './tiers.ts';

export const entitlementStream = (cloneId: string) => `entitlement-${cloneId}`;

export class EntitlementCommands {
  private readonly handler;

  constructor(private readonly deps: { readonly store: EventStore; readonly clock: Clock }) {
    this.handler = new CommandHandler(deps.store, entitlementDecider);
  }

  grant(cloneId: string, tier: TierName, justification: GrantJustification, actor: string) {
    return this.run({ type: 'GrantEntitlement', cloneId, tier, justification, at: this.deps.clock.now() }, actor);
  }

  /**
   * The payment's refund was authorized: it justifies nothing from now on, and the grant it
   * justified (if active) is revoked and lowered to what other payments justify. Idempotent.
   */
  refundPayment(cloneId: string, paymentId: string, actor: string) {
    return this.run({ type: 'RefundPayment', cloneId, paymentId, at: this.deps.clock.now() }, actor);
  }

  revoke(cloneId: string, justification: RevokeJustification, actor: string) {
    return this.run({ type: 'RevokeEntitlement', cloneId, justification, at: this.deps.clock.now() }, actor);
  }

  /** Decides one command on the clone's entitlement stream; returns the state after it. */
  private run(command: EntitlementCommand, actor: string): EntitlementState {
    return this.handler.handle({ streamId: entitlementStream(command.cloneId), command, metadata: { actor } }).state;
  }
}
