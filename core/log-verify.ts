/**
 * The audit walk over a whole log: every stored event re-hashed from its row (canonical form,
 * core/event-leaf.ts) and compared with the leaf stored in the row at its append, positions checked to run
 * 1, 2, 3 … without a gap, and the Merkle root recomputed from the re-hashed leaves at each tree
 * size asked for (to compare with signed checkpoints). One pass, memory O(log N).
 */
import type { Db } from './database.ts';
import { EVENT_ROW_COLUMNS, eventLeafHash, type RawEventRow, storedRow } from './event-leaf.ts';
import { type Hash, MerkleFrontier } from './merkle.ts';

export interface LogProblem {
  /** The first position concerned. */
  readonly position: number;
  /** For a problem known only as a range (a checkpoint root that differs): its last position. */
  readonly through?: number;
  readonly problem: string;
}

export interface LogWalk {
  /** Events read. */
  readonly events: number;
  /** The first event whose stored form or place disagrees with its leaf, or null. */
  readonly firstProblem: LogProblem | null;
  /** How many positions disagree. */
  readonly problems: number;
  /** MTH of the re-hashed leaves at each requested tree size the log reaches. */
  readonly roots: ReadonlyMap<number, Hash>;
}

/**
 * Walks the log of `db` in position order. `rootsAt` are tree sizes whose recomputed roots the
 * caller wants; `onProgress(done)` is called every 100,000 events.
 */
export function walkLog(db: Db, rootsAt: readonly number[], onProgress?: (done: number) => void): LogWalk {
  const wanted = new Set(rootsAt);
  const roots = new Map<number, Hash>();
  const frontier = new MerkleFrontier();
  if (wanted.has(0)) roots.set(0, frontier.root());
  let firstProblem: LogProblem | null = null;
  let problems = 0;
  const report = (position: number, problem: string) => {
    problems += 1;
    firstProblem ??= { position, problem };
  };
  const rows = db.prepare(`SELECT ${EVENT_ROW_COLUMNS}, leaf FROM events ORDER BY position`).raw();
  let expected = 1;
  for (const raw of rows.iterate() as IterableIterator<[...RawEventRow, Buffer | null]>) {
    const row = storedRow(raw.slice(0, 9) as RawEventRow);
    const stored = raw[9];
    if (row.position !== expected) {
      report(expected, `no event at position ${expected}: the log jumps from ${expected - 1} to ${row.position}`);
      expected = row.position;
    }
    const leaf = eventLeafHash(row);
    if (!stored) report(row.position, `event at position ${row.position} has no stored leaf hash (erased, or never hashed)`);
    else if (!stored.equals(leaf))
      report(row.position, `event at position ${row.position} differs from the leaf hashed when it was appended`);
    frontier.push(leaf);
    if (wanted.has(frontier.size)) roots.set(frontier.size, frontier.root());
    expected += 1;
    if (frontier.size % 100_000 === 0) onProgress?.(frontier.size);
  }
  return { events: frontier.size, firstProblem, problems, roots };
}
