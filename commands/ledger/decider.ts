/**
 * The ledger decider (`ledger-checkpoints`): checkpoints only move forward, and are signed by the
 * log's current key. A checkpoint of the size already checkpointed is a no-op when its root is
 * the same, and refused as a fork when it is not; a smaller size is refused. The current key is
 * the one of the first checkpoint, then of each rotation; a rotation must hand over from it.
 * Signatures are made (and checked) by the handler.
 */
import type { Decider } from '../../core/decider.ts';
import { DomainError } from '../../core/errors.ts';
import type { LedgerCheckpoint, LedgerEvent, LedgerKeyRotation } from './events.ts';

export const LEDGER_CATEGORY = 'ledger';
export const CHECKPOINT_STREAM_ID = `${LEDGER_CATEGORY}-checkpoints`;

export type LedgerCommand = { type: 'RecordCheckpoint'; checkpoint: LedgerCheckpoint } | { type: 'RotateKey'; rotation: LedgerKeyRotation };

export interface LedgerState {
  readonly latest: LedgerCheckpoint | null;
  /** The key id checkpoints must carry; null before the first checkpoint or rotation. */
  readonly keyId: string | null;
}

function checkKey(keyId: string | null, signedBy: string, what: string): void {
  if (keyId !== null && signedBy !== keyId) {
    throw new DomainError('ledger_key_mismatch', 'conflict', `${what} is signed by key ${signedBy}, the log's key is ${keyId}`, {
      keyId,
      signedBy,
    });
  }
}

export const ledgerDecider: Decider<LedgerCommand, LedgerState, LedgerEvent> = {
  name: 'ledger',
  initialState: () => ({ latest: null, keyId: null }),
  decide(command, { latest, keyId }) {
    if (command.type === 'RotateKey') {
      const { rotation } = command;
      checkKey(keyId, rotation.previousKeyId, 'the rotation');
      if (rotation.keyId === rotation.previousKeyId) {
        throw new DomainError('ledger_key_unchanged', 'conflict', `the log is already signed by key ${rotation.keyId}`);
      }
      return [{ type: 'LedgerKeyRotated', data: rotation }];
    }
    const { checkpoint } = command;
    checkKey(keyId, checkpoint.keyId, 'the checkpoint');
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
  evolve: (state, event) =>
    event.type === 'LedgerKeyRotated' ? { ...state, keyId: event.data.keyId } : { latest: event.data, keyId: event.data.keyId },
};
