/**
 * Proving events against a signed checkpoint (doc/ledger-integrity.md, "Auditing a race"): the
 * checkpoint of that tree size must be in the log and signed by the key current at its position
 * (the chain of rotations anchored at the trusted key, signed.ts), and each event,
 * re-hashed from its stored row, must verify by an RFC 9162 inclusion proof against the signed
 * root. An event altered after the checkpoint fails whether or not its stored leaf was altered too.
 */
import type { KeyObject } from 'node:crypto';
import type { EventStore } from '../../core/event-store.ts';
import { verifyInclusion } from '../../core/merkle.ts';
import type { CheckpointRef } from './events.ts';
import { keyAt, keyChain, signatureProblem, storedCheckpoints } from './signed.ts';

export class LedgerProofs {
  constructor(
    private readonly store: EventStore,
    private readonly trusted: KeyObject,
  ) {}

  /** Every reason the events at `positions` are not proven included in the signed checkpoint `ref`; empty when all are. */
  prove(positions: readonly number[], ref: CheckpointRef): string[] {
    const found = storedCheckpoints(this.store).find((c) => 'treeSize' in c.checkpoint && c.checkpoint.treeSize === ref.treeSize);
    if (!found || !('treeSize' in found.checkpoint)) return [`no signed checkpoint of tree size ${ref.treeSize} in the log`];
    const signed = found.checkpoint;
    const chain = keyChain(this.store, this.trusted);
    const bad = chain.problems[0]?.problem ?? signatureProblem(signed, keyAt(chain.keys, found.position));
    if (bad) return [`checkpoint at position ${found.position} (tree size ${ref.treeSize}) ${bad}`];
    if (signed.rootHash !== ref.rootHash)
      return [`the recorded root ${ref.rootHash} is not the signed root ${signed.rootHash} of tree size ${ref.treeSize}`];
    const root = Buffer.from(signed.rootHash, 'hex');
    const merkle = this.store.merkle;
    return positions.flatMap((position) => {
      if (position > ref.treeSize) return [`position ${position} is after the checkpoint (tree size ${ref.treeSize})`];
      const leaf = merkle.recomputedLeaf(position);
      if (!leaf) return [`position ${position}: no event`];
      let proof: Buffer[];
      try {
        proof = merkle.inclusionProof(position, ref.treeSize);
      } catch (error) {
        return [`position ${position}: no inclusion proof (${(error as Error).message})`];
      }
      return verifyInclusion(leaf, position - 1, ref.treeSize, proof, root)
        ? []
        : [`position ${position}: the stored event is not the one included in checkpoint ${ref.treeSize} (inclusion proof fails)`];
    });
  }
}
