/**
 * `clash ledger verify --chain` (doc/ledger-integrity.md, "Anchoring on chain"): each recorded
 * anchor is checked against the chain's log, and each anchor on chain against the log.
 *
 * - a recorded `LedgerCheckpointAnchored` names a signed checkpoint of the log (same tree size
 *   and root), its vault is the one asked about, and its transaction holds a `CheckpointAnchored`
 *   log of that vault with the same tree size, root and block;
 * - every `CheckpointAnchored` log of the vault matches the log's signed checkpoint of that tree
 *   size: a log rewritten after anchoring (its checkpoints re-signed) or cut short is caught even
 *   when its anchor events were removed too.
 *
 * The signed checkpoints themselves are checked against the events by `verifyLedger`; together
 * they tie every anchored root to the events.
 */
import type { EventStore } from '../../core/event-store.ts';
import type { LogProblem } from '../../core/log-verify.ts';
import { ANCHOR_STREAM_ID } from './anchor-decider.ts';
import type { ChainAnchor } from './anchors.ts';
import { LedgerCheckpointAnchored } from './events.ts';
import { storedCheckpoints, storedOfType } from './signed.ts';

export interface AnchorVerification {
  readonly ok: boolean;
  /** Anchors recorded in the log. */
  readonly recorded: number;
  /** Anchors found on chain. */
  readonly onChain: number;
  /** Problems in position order. */
  readonly problems: readonly LogProblem[];
}

/** Checks the log of `store` against `chain`: the vault's anchors (`vault` lower-case 0x-hex). */
export function verifyAnchors(
  store: EventStore,
  chain: { readonly vault: string; readonly anchors: readonly ChainAnchor[] },
): AnchorVerification {
  const problems: LogProblem[] = [];
  const checkpoints = new Map<number, { position: number; rootHash: string }>();
  for (const { position, checkpoint } of storedCheckpoints(store)) {
    if ('treeSize' in checkpoint) checkpoints.set(checkpoint.treeSize, { position, rootHash: checkpoint.rootHash });
  }
  const recorded = storedOfType(store, ANCHOR_STREAM_ID, LedgerCheckpointAnchored);
  for (const { position, checkpoint: anchor } of recorded) {
    const where = `anchor at position ${position}`;
    if ('unreadable' in anchor) {
      problems.push({ position, problem: `${where} is unreadable` });
      continue;
    }
    const signed = checkpoints.get(anchor.treeSize);
    if (!signed || signed.rootHash !== anchor.rootHash) {
      problems.push({
        position,
        problem: `${where} anchors tree size ${anchor.treeSize}, root ${anchor.rootHash}: no signed checkpoint of the log has it`,
      });
    }
    if (anchor.vault !== chain.vault) {
      problems.push({ position, problem: `${where} was sent to vault ${anchor.vault}, not ${chain.vault}` });
      continue;
    }
    const log = chain.anchors.find((l) => l.txHash === anchor.txHash);
    if (!log) problems.push({ position, problem: `${where}: transaction ${anchor.txHash} holds no CheckpointAnchored log of the vault` });
    else if (log.treeSize !== anchor.treeSize || log.rootHash !== anchor.rootHash || log.blockNumber !== anchor.blockNumber) {
      problems.push({
        position,
        problem: `${where} records tree size ${anchor.treeSize}, root ${anchor.rootHash}, block ${anchor.blockNumber}; the chain has ${log.treeSize}, ${log.rootHash}, block ${log.blockNumber}`,
      });
    }
  }
  for (const log of chain.anchors) {
    const signed = checkpoints.get(log.treeSize);
    if (!signed) {
      problems.push({
        position: log.treeSize,
        problem: `the chain anchors tree size ${log.treeSize} (transaction ${log.txHash}); the log has no signed checkpoint of that size`,
      });
    } else if (signed.rootHash !== log.rootHash) {
      problems.push({
        position: signed.position,
        problem: `the chain anchors root ${log.rootHash} for tree size ${log.treeSize} (transaction ${log.txHash}); the log's checkpoint has ${signed.rootHash}: the log was rewritten after it was anchored`,
      });
    }
  }
  problems.sort((a, b) => a.position - b.position);
  return { ok: problems.length === 0, recorded: recorded.length, onChain: chain.anchors.length, problems };
}
