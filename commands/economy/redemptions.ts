/**
 * Redemptions read back from the chain: reconciliation hands over the vault's Withdrawal logs,
 * and each one for a withdrawal this ledger authorized and has not yet seen redeemed is recorded
 * (`WithdrawalRedeemed`), so the read models show it as redeemed (doc/economy.md,
 * "Reconciliation"). Recording is idempotent per withdrawal id.
 */

import type { WithdrawalLogEntry } from '../../adapters/chain/deposit-logs.ts';
import type { Clock } from '../../core/clock.ts';
import { CommandHandler } from '../../core/decider.ts';
import type { EventStore } from '../../core/event-store.ts';
import { redemptionDecider, redemptionStreamId } from './redemption-decider.ts';

/** What redemption needs to know of the read model: is this a withdrawal of ours still waiting to be redeemed? */
export interface RedemptionReads {
  awaitingRedemption(withdrawalId: string): boolean;
}

export class RedemptionCommands {
  private readonly handler;

  constructor(private readonly deps: { readonly store: EventStore; readonly clock: Clock; readonly reads: RedemptionReads }) {
    this.handler = new CommandHandler(deps.store, redemptionDecider);
  }

  /** Records every log whose withdrawal is ours and awaiting redemption; returns how many were recorded. */
  recordAll(logs: readonly WithdrawalLogEntry[], actor: string): number {
    let recorded = 0;
    for (const log of logs) {
      if (!this.deps.reads.awaitingRedemption(log.withdrawalId)) continue;
      this.handler.handle({
        streamId: redemptionStreamId(log.withdrawalId),
        command: { type: 'RecordRedemption', ...log, at: this.deps.clock.now() },
        metadata: { actor },
      });
      recorded += 1;
    }
    return recorded;
  }
}
