/**
 * `clash ledger verify` (doc/ledger-integrity.md, "Verifying"): every leaf re-hashed from the
 * stored events and compared with the stored leaf (core/log-verify.ts), every recorded
 * checkpoint's root recomputed from those leaves, its signature checked with the trusted key, and
 * each checkpoint proven consistent with the one before (RFC 9162 §2.1.4). Across key rotations
 * each checkpoint is checked with the key current at its position, the chain of keys anchored at
 * the trusted one (`keyChain`, signed.ts). The result names the first position that differs.
 */
import type { KeyObject } from 'node:crypto';
import type { EventStore } from '../../core/event-store.ts';
import { type LogProblem, walkLog } from '../../core/log-verify.ts';
import { verifyConsistency } from '../../core/merkle.ts';
import type { LedgerCheckpoint } from './events.ts';
import { type ChainKey, keyAt, keyChain, signatureProblem, storedCheckpoints } from './signed.ts';

export interface LedgerVerification {
  readonly ok: boolean;
  /** Events re-hashed. */
  readonly events: number;
  /** Checkpoints checked (the log's own, then any published ones given). */
  readonly checkpoints: number;
  /** The problem at the lowest position, or null. */
  readonly firstProblem: LogProblem | null;
  /** Problems in position order (the leaf walk contributes its first one and a count). */
  readonly problems: readonly LogProblem[];
}

/**
 * Verifies the log of `store` against the `trusted` ledger public key (any key of the log's
 * chain: the first, the current or one between). `published` are
 * checkpoints obtained outside the log (e.g. from `/api/v1/ledger/checkpoints/latest` earlier):
 * they catch a log cut short together with its later checkpoints.
 */
export function verifyLedger(
  store: EventStore,
  trusted: KeyObject,
  options: { published?: readonly LedgerCheckpoint[]; onProgress?: (done: number) => void } = {},
): LedgerVerification {
  const stored = storedCheckpoints(store);
  const published = options.published ?? [];
  const sizes = [
    ...stored.flatMap((c) => ('treeSize' in c.checkpoint ? [c.checkpoint.treeSize] : [])),
    ...published.map((c) => c.treeSize),
  ];
  const walk = walkLog(store.db, sizes, options.onProgress);
  const chain = keyChain(store, trusted);
  const problems: LogProblem[] = [...chain.problems];
  if (walk.firstProblem) {
    const more = walk.problems > 1 ? ` (and ${walk.problems - 1} more position(s))` : '';
    problems.push({ position: walk.firstProblem.position, problem: `${walk.firstProblem.problem}${more}` });
  }
  let previous: LedgerCheckpoint | null = null;
  const check = (c: LedgerCheckpoint, where: string, position: number | null) => {
    // A stored checkpoint is signed by the key current at its position; a published one by any key of the chain.
    const key: ChainKey | undefined = position === null ? chain.keys.find((k) => k.keyId === c.keyId) : keyAt(chain.keys, position);
    const bad = signatureProblem(c, key ?? chain.keys.at(-1));
    if (bad) problems.push({ position: position ?? c.treeSize, problem: `${where} ${bad}` });
    if (position !== null && c.treeSize >= position) {
      problems.push({ position, problem: `${where} claims tree size ${c.treeSize}, which includes itself or later events` });
    }
    const root = walk.roots.get(c.treeSize);
    const from = previous && previous.treeSize < c.treeSize ? previous.treeSize + 1 : 1;
    if (!root) {
      problems.push({
        position: walk.events + 1,
        problem: `${where} covers ${c.treeSize} events, the log holds ${walk.events}: events were removed`,
      });
    } else if (root.toString('hex') !== c.rootHash) {
      // The exact position when the leaf walk found the changed event in this range, else the range's start.
      const changed = walk.firstProblem && walk.firstProblem.position >= from && walk.firstProblem.position <= c.treeSize;
      problems.push({
        position: changed ? (walk.firstProblem?.position ?? from) : from,
        through: c.treeSize,
        problem: `${where}: the first ${c.treeSize} events do not hash to its root: an event in positions ${from}..${c.treeSize} was changed, removed or inserted`,
      });
    }
  };
  for (const { position, checkpoint } of stored) {
    const where = `checkpoint at position ${position}`;
    if (!('treeSize' in checkpoint)) {
      problems.push({ position, problem: `${where} is unreadable: ${checkpoint.unreadable}` });
      continue;
    }
    check(checkpoint, where, position);
    if (previous) consistency(store, previous, checkpoint, where, problems);
    previous = checkpoint;
  }
  for (const c of published) {
    previous = null;
    check(c, `published checkpoint of tree size ${c.treeSize}`, null);
  }
  problems.sort((a, b) => a.position - b.position);
  return {
    ok: problems.length === 0,
    events: walk.events,
    checkpoints: stored.length + published.length,
    firstProblem: firstOf(problems, walk.firstProblem),
    problems,
  };
}

/**
 * The problem to name first: the lowest position, except that a problem known only as a range
 * (a checkpoint that no longer matches) gives way to the exact position the leaf walk found
 * unless the range ends before it (then it is an earlier, separate change).
 */
function firstOf(sorted: readonly LogProblem[], exact: LogProblem | null): LogProblem | null {
  const earlier = sorted.find(
    (p) => exact === null || (p.through === undefined ? p.position < exact.position : p.through < exact.position),
  );
  return earlier ?? sorted.find((p) => p.position === exact?.position && p.through === undefined) ?? sorted[0] ?? null;
}

/** Checks an RFC 9162 consistency proof, built from the stored tree, between two consecutive checkpoints. */
function consistency(store: EventStore, before: LedgerCheckpoint, after: LedgerCheckpoint, where: string, problems: LogProblem[]): void {
  const why = `${where} is not consistent with the checkpoint of tree size ${before.treeSize}`;
  if (after.treeSize < before.treeSize) {
    problems.push({ position: after.treeSize + 1, problem: `${why}: the tree shrank` });
    return;
  }
  try {
    const proof = store.merkle.consistencyProof(before.treeSize, after.treeSize);
    const [a, b] = [Buffer.from(before.rootHash, 'hex'), Buffer.from(after.rootHash, 'hex')];
    if (!verifyConsistency(before.treeSize, after.treeSize, a, b, proof)) {
      problems.push({ position: before.treeSize + 1, through: after.treeSize, problem: `${why} (RFC 9162 consistency proof fails)` });
    }
  } catch (error) {
    problems.push({ position: before.treeSize + 1, through: after.treeSize, problem: `${why}: ${(error as Error).message}` });
  }
}
