/**
 * One `redemption-<withdrawalId>` stream per redeemed withdrawal: the vault paid it out, as its
 * Withdrawal log says. The vault pays an id once, so the stream holds one event; recording the
 * same log again appends nothing, and a different transaction for the same id is refused
 * (`redemption_conflict`: the chain or the log reader is wrong, an operator must look).
 */
import type { Hash } from 'viem';
import type { Decider } from '../../core/decider.ts';
import { DomainError } from '../../core/errors.ts';
import type { RedemptionEvent } from './events.ts';

export const REDEMPTION_CATEGORY = 'redemption';
export const redemptionStreamId = (withdrawalId: Hash) => `${REDEMPTION_CATEGORY}-${withdrawalId}`;

export type RedemptionCommand = {
  type: 'RecordRedemption';
  withdrawalId: Hash;
  recipient: `0x${string}`;
  amountWei: bigint;
  txHash: Hash;
  blockNumber: bigint;
  at: number;
};
export type RedemptionState = { readonly txHash: string } | null;

export const redemptionDecider: Decider<RedemptionCommand, RedemptionState, RedemptionEvent> = {
  name: 'redemption',
  initialState: () => null,
  decide(c, state) {
    if (state?.txHash === c.txHash) return [];
    if (state) {
      throw new DomainError('redemption_conflict', 'conflict', `withdrawal ${c.withdrawalId} was already redeemed in ${state.txHash}`, {
        txHash: state.txHash,
      });
    }
    const { withdrawalId, recipient, amountWei, txHash, blockNumber, at } = c;
    return [{ type: 'WithdrawalRedeemed', data: { withdrawalId, recipient, amountWei, txHash, blockNumber, recordedAt: at } }];
  },
  evolve: (_state, event) => ({ txHash: event.data.txHash }),
};
