/**
 * The checkpoint decider (`ledger-checkpoints`): checkpoints only move forward. A checkpoint of
 * the size already checkpointed is a no-op when its root is the same, and refused as a fork when
 * it is not; a smaller size is refused. The signature is made (and checked) by the handler.
 */
import type { Decider } from '../../core/decider.ts';
import { DomainError } from '../../core/errors.ts';
import type { LedgerCheckpoint, LedgerEvent } from './events.ts';

export const LEDGER_CATEGORY = 'ledger';
export const CHECKPOINT_STREAM_ID = `${LEDGER_CATEGORY}-checkpoints`;

export type LedgerCommand = { type: 'RecordCheckpoint'; checkpoint: LedgerCheckpoint };

export interface LedgerState {
  readonly latest: LedgerCheckpoint | null;
}

export const ledgerDecider: Decider<LedgerCommand, LedgerState, LedgerEvent> = {
  name: 'ledger',
  initialState: () => ({ latest: null }),
  decide({ checkpoint }, { latest }) {
    if (latest && checkpoint.treeSize < latest.treeSize) {
      throw new DomainError(
        'checkpoint_behind',
        'conflict',
        `tree size ${checkpoint.treeSize} < the latest checkpoint's ${latest.treeSize}`,
      );
    }
    if (latest && checkpoint.treeSize === latest.treeSize) {
      if (checkpoint.rootHash === latest.rootHash) return [];
      throw new DomainError('checkpoint_fork', 'conflict', `tree size ${checkpoint.treeSize} was checkpointed with another root`);
    }
    return [{ type: 'LedgerCheckpointSigned', data: checkpoint }];
  },
  evolve: (_state, event) => ({ latest: event.data }),
};
