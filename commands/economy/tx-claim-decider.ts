/**
 * One `payment-tx-<txHash>` stream per verified transaction: it is claimed for one quote, once.
 * Two payments racing to record the same transaction for different quotes both append here with
 * `no_stream` expected, so only one can win: a tx hash is never recorded for two quotes, whatever
 * the verifier answered. The payments handler claims before it records the deposit.
 */
import type { Hash } from 'viem';
import type { Decider } from '../../core/decider.ts';
import { DomainError } from '../../core/errors.ts';
import type { TransactionClaimEvent } from './events.ts';

export const TX_CLAIM_CATEGORY = 'payment-tx';
export const txClaimStreamId = (txHash: Hash) => `${TX_CLAIM_CATEGORY}-${txHash}`;

export type TxClaimCommand = { type: 'ClaimTransaction'; txHash: Hash; quoteId: Hash; at: number };
export type TxClaimState = { readonly quoteId: string } | null;

export const txClaimDecider: Decider<TxClaimCommand, TxClaimState, TransactionClaimEvent> = {
  name: 'payment-tx',
  initialState: () => null,
  decide({ txHash, quoteId, at }, state) {
    if (state?.quoteId === quoteId) return [];
    if (state) {
      throw new DomainError('tx_already_used', 'conflict', `transaction ${txHash} already paid quote ${state.quoteId}`, {
        quoteId: state.quoteId,
      });
    }
    return [{ type: 'TransactionClaimed', data: { txHash, quoteId, claimedAt: at } }];
  },
  evolve: (_state, event) => ({ quoteId: event.data.quoteId }),
};
