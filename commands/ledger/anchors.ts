/**
 * Anchoring every Kth signed checkpoint on chain (issue 16, optional; doc/ledger-integrity.md
 * "Anchoring on chain"): checkpoint number K, 2K, … of `ledger-checkpoints` is published with the
 * vault's `anchor(treeSize, rootHash)` by its signer, and the transaction is recorded in the log
 * as `LedgerCheckpointAnchored`, so the checkpoint's time is fixed by the chain.
 *
 * Crash between sending and recording: the next attempt first asks the chain for an anchor of
 * the same tree size (`AnchorChain.find`) and records that one instead of sending again.
 */
import { CommandHandler } from '../../core/decider.ts';
import type { EventStore } from '../../core/event-store.ts';
import { ANCHOR_STREAM_ID, anchorDecider } from './anchor-decider.ts';
import { CHECKPOINT_STREAM_ID } from './decider.ts';
import { type LedgerAnchor, type LedgerCheckpoint, LedgerCheckpointSigned } from './events.ts';

export const ANCHOR_ACTOR = 'worker:anchors';

/** An anchor as the chain holds it: a `CheckpointAnchored` log of the vault. Hashes lower-case hex (root without 0x). */
export interface ChainAnchor {
  readonly treeSize: number;
  readonly rootHash: string;
  readonly txHash: string;
  readonly blockNumber: number;
  /** The block's timestamp, ms. */
  readonly blockTime: number;
}

/** The chain as anchoring needs it (adapters/chain/anchors.ts implements it over the vault). */
export interface AnchorChain {
  readonly chainId: number;
  /** The vault, lower-case 0x-hex. */
  readonly vault: string;
  /** The anchor of `treeSize` already on chain (the earliest), or null. */
  find(treeSize: number): Promise<ChainAnchor | null>;
  /** Sends `anchor(treeSize, rootHash)` as the vault's signer and waits for its receipt; throws when it reverts. */
  send(treeSize: number, rootHash: string): Promise<ChainAnchor>;
}

export class LedgerAnchors {
  private readonly handler;

  constructor(private readonly deps: { readonly store: EventStore; readonly chain: AnchorChain }) {
    this.handler = new CommandHandler(deps.store, anchorDecider);
  }

  /** The latest recorded anchor, or null. */
  latest(): LedgerAnchor | null {
    return this.handler.load(ANCHOR_STREAM_ID).state.latest;
  }

  /**
   * The next checkpoint to anchor with its number — the first multiple of `every` after the last
   * anchored — or null when it is not signed yet. A key rotation (`LedgerKeyRotated`, same
   * stream) at that number gives way to the first checkpoint after it.
   */
  due(every: number): { readonly sequence: number; readonly checkpoint: LedgerCheckpoint } | null {
    const after = this.latest()?.sequence ?? 0;
    const sequence = after - (after % every) + every;
    const events = this.deps.store.readStream(CHECKPOINT_STREAM_ID, { fromVersion: sequence, maxCount: 8 });
    const event = events.find((e) => e.type === LedgerCheckpointSigned.type);
    if (!event || events[0]?.streamVersion !== sequence) return null;
    return { sequence: event.streamVersion, checkpoint: LedgerCheckpointSigned.schema.parse(event.data) };
  }

  /**
   * Anchors the due checkpoint, if any: the chain's existing anchor of its tree size when there is
   * one with the same root, else a new transaction; then records it. Returns the anchor recorded,
   * or null when nothing was due. Throws when the chain refuses or is unreachable (retried later).
   */
  async anchorDue(every: number): Promise<LedgerAnchor | null> {
    const due = this.due(every);
    if (!due) return null;
    const { treeSize, rootHash } = due.checkpoint;
    const existing = await this.deps.chain.find(treeSize);
    const onChain = existing && existing.rootHash === rootHash ? existing : await this.deps.chain.send(treeSize, rootHash);
    const anchor: LedgerAnchor = {
      sequence: due.sequence,
      treeSize,
      rootHash,
      chainId: this.deps.chain.chainId,
      vault: this.deps.chain.vault,
      txHash: onChain.txHash,
      blockNumber: onChain.blockNumber,
      blockTime: onChain.blockTime,
    };
    this.handler.handle({ streamId: ANCHOR_STREAM_ID, command: { type: 'RecordAnchor', anchor }, metadata: { actor: ANCHOR_ACTOR } });
    return anchor;
  }
}
