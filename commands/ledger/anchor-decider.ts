/**
 * The anchor decider (`anchor-ledger-checkpoints`, doc/ledger-integrity.md "Anchoring on chain"): anchors
 * move forward by checkpoint number. The same anchor again (same checkpoint, same transaction)
 * is a no-op; a checkpoint already anchored by another transaction, or an older one, is refused.
 */
import type { Decider } from '../../core/decider.ts';
import { DomainError } from '../../core/errors.ts';
import { CHECKPOINT_STREAM_ID } from './decider.ts';
import type { AnchorEvent, LedgerAnchor } from './events.ts';

export const ANCHOR_CATEGORY = 'anchor';
/** The one stream of anchors: those of `ledger-checkpoints`. */
export const ANCHOR_STREAM_ID = `${ANCHOR_CATEGORY}-${CHECKPOINT_STREAM_ID}`;

export type AnchorCommand = { type: 'RecordAnchor'; anchor: LedgerAnchor };

export interface AnchorState {
  readonly latest: LedgerAnchor | null;
}

export const anchorDecider: Decider<AnchorCommand, AnchorState, AnchorEvent> = {
  name: 'ledger-anchors',
  initialState: () => ({ latest: null }),
  decide({ anchor }, { latest }) {
    if (latest && anchor.sequence === latest.sequence && anchor.txHash === latest.txHash) return [];
    if (latest && anchor.sequence <= latest.sequence) {
      throw new DomainError(
        'anchor_behind',
        'conflict',
        `checkpoint ${anchor.sequence} is not after the last anchored one (${latest.sequence}, transaction ${latest.txHash})`,
      );
    }
    return [{ type: 'LedgerCheckpointAnchored', data: anchor }];
  },
  evolve: (_state, event) => ({ latest: event.data }),
};
