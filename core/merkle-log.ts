/**
 * The ledger's Merkle tree as stored (doc/ledger-integrity.md): each event's leaf hash in its
 * own row (`events.leaf`, written by the event's INSERT, so it costs no extra page), the roots
 * of complete subtrees of 64 leaves and more in `ledger_nodes` (so a root or a proof at any size
 * costs O(log N) point reads and at most 63 leaf reads per level below 64), and the right edge of
 * the tree in memory, so an append costs one leaf hash and, on average, one node hash.
 * Positions are 1-based (RFC 9162 leaf index = position − 1).
 */
import type { Db } from './database.ts';
import { EVENT_ROW_COLUMNS, eventLeafHash, type RawEventRow, type StoredEventRow, storedRow } from './event-leaf.ts';
import {
  consistencyProof,
  EMPTY_ROOT,
  edgeRanges,
  type Hash,
  inclusionProof,
  isPowerOfTwo,
  MerkleFrontier,
  nodeHash,
  rootOf,
  splitPoint,
} from './merkle.ts';
import { BOUND_LIMIT } from './statements.ts';

/** Subtrees of 2^CACHED_LEVEL leaves and more are stored once complete; smaller ones are hashed from their leaves. */
export const CACHED_LEVEL = 6;
const CACHED_WIDTH = 2 ** CACHED_LEVEL;

/** The last event of the log and its leaf (null when it was written before the Merkle tree and not hashed yet). */
export interface LogHead {
  readonly position: number;
  readonly leaf: Buffer | null;
}

export class LedgerIntegrityError extends Error {}

export class MerkleLog {
  private readonly sql;
  private frontier: MerkleFrontier | null = null;
  private lastLeaf: Hash | null = null;

  constructor(private readonly db: Db) {
    this.sql = {
      head: db.prepare<[], LogHead>('SELECT position, leaf FROM events ORDER BY position DESC LIMIT 1'),
      leaf: db.prepare<[number], Buffer | null>('SELECT leaf FROM events WHERE position = ?').pluck(),
      leaves: db
        .prepare<[number, number], Buffer | null>('SELECT leaf FROM events WHERE position > ? AND position <= ? ORDER BY position')
        .pluck(),
      setLeaf: db.prepare<[Buffer, number]>('UPDATE events SET leaf = ? WHERE position = ? AND leaf IS NULL'),
      node: db.prepare<[number, number], Buffer>('SELECT hash FROM ledger_nodes WHERE level = ? AND idx = ?').pluck(),
      insertNode: db.prepare<[number, number, Buffer]>('INSERT INTO ledger_nodes (level, idx, hash) VALUES (?, ?, ?)'),
      eventRows: db
        .prepare<[number, number, number]>(
          `SELECT ${EVENT_ROW_COLUMNS} FROM events WHERE position > ? AND position <= ? ORDER BY position LIMIT ${BOUND_LIMIT}`,
        )
        .raw(),
      eventRow: db.prepare<[number]>(`SELECT ${EVENT_ROW_COLUMNS} FROM events WHERE position = ?`).raw(),
    };
  }

  /** How many events are hashed: leaves are a prefix of the log (older rows are hashed in order before any new one). */
  size(): number {
    const head = this.sql.head.get();
    if (!head) return 0;
    if (head.leaf) return head.position;
    let lo = 0; // hashed
    let hi = head.position; // not hashed
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (this.sql.leaf.get(mid)) lo = mid;
      else hi = mid;
    }
    return lo;
  }

  /**
   * The leaf hashes of events about to be inserted (`rows`, contiguous after `head`), inside the
   * caller's append transaction; the caller stores each in its row. Events the tree has not
   * seen yet (written before this code) are hashed first. Never rescans the log: the right edge
   * lives in memory and is reloaded in O(log N) only when another writer, or a rolled-back
   * transaction or savepoint, moved it.
   */
  leavesFor(rows: readonly StoredEventRow[], head: LogHead | undefined): Hash[] {
    const first = rows[0];
    if (!first) return [];
    const frontier = this.currentFrontier(head);
    if (frontier.size < first.position - 1) this.hashStoredEvents(frontier, first.position - 1);
    return rows.map((row) => this.push(frontier, row));
  }

  /**
   * Hashes every event that has no leaf yet (a ledger written before this change), in
   * transactions of `batch` events; returns how many it hashed. Runs once when a store opens.
   */
  backfill(batch = 10_000, onProgress?: (done: number, head: number) => void): number {
    const head = this.sql.head.get();
    if (!head || head.leaf) return 0;
    let done = 0;
    for (let hashed = this.size(); hashed < head.position; hashed = Math.min(head.position, hashed + batch)) {
      const upTo = Math.min(head.position, hashed + batch);
      this.db
        .transaction(() => {
          const frontier = this.currentFrontier(this.sql.head.get());
          this.hashStoredEvents(frontier, upTo);
        })
        .immediate();
      done += upTo - hashed;
      onProgress?.(done, head.position);
    }
    return done;
  }

  /** The recomputed leaf hash of the event stored at `position` (undefined when there is none). */
  recomputedLeaf(position: number): Hash | undefined {
    const row = this.sql.eventRow.get(position) as RawEventRow | undefined;
    return row ? eventLeafHash(storedRow(row)) : undefined;
  }

  /** The leaf hash stored with the event at `position`. */
  storedLeaf(position: number): Hash | undefined {
    return this.sql.leaf.get(position) ?? undefined;
  }

  /** MTH of the first `size` leaves (RFC 9162 §2.1.1). RangeError when size exceeds the hashed log. */
  rootAt(size: number): Hash {
    this.checkSize(size, 0);
    return size === 0 ? EMPTY_ROOT : this.range(0, size);
  }

  /** The inclusion proof of the event at `position` in the tree of `treeSize` leaves (RFC 9162 §2.1.3.1). */
  inclusionProof(position: number, treeSize: number): Hash[] {
    this.checkSize(treeSize, 1);
    return inclusionProof(position - 1, treeSize, (s, e) => this.range(s, e));
  }

  /** The consistency proof between the trees of `first` and `second` leaves (RFC 9162 §2.1.4.1). */
  consistencyProof(first: number, second: number): Hash[] {
    this.checkSize(second, 0);
    return consistencyProof(first, second, (s, e) => this.range(s, e));
  }

  private checkSize(size: number, min: number): void {
    const hashed = this.size();
    if (!Number.isSafeInteger(size) || size < min || size > hashed) {
      throw new RangeError(`tree size ${size} is outside ${min}..${hashed} (the hashed log)`);
    }
  }

  /** The right edge for the hashed prefix of the log; `head` is the log's last row as the caller just read it. */
  private currentFrontier(head: LogHead | undefined): MerkleFrontier {
    const fresh = head?.leaf
      ? this.frontier?.size === head.position && this.lastLeaf?.equals(head.leaf)
      : head === undefined && this.frontier?.size === 0;
    if (fresh && this.frontier) return this.frontier;
    const size = head?.leaf ? head.position : this.size();
    const edge = edgeRanges(size).map(([start, width]) => ({
      level: Math.log2(width),
      index: start / width,
      hash: this.range(start, start + width),
    }));
    this.frontier = new MerkleFrontier(edge);
    this.lastLeaf = size > 0 ? (this.sql.leaf.get(size) ?? null) : null;
    return this.frontier;
  }

  /** Hashes stored events without a leaf, from the frontier's size up to `upTo`, writing each leaf into its row. */
  private hashStoredEvents(frontier: MerkleFrontier, upTo: number): void {
    while (frontier.size < upTo) {
      const rows = this.sql.eventRows.all(frontier.size, upTo, 1000) as RawEventRow[];
      if (rows.length === 0) throw new LedgerIntegrityError(`no event at position ${frontier.size + 1} below ${upTo}: the log has a gap`);
      for (const r of rows) this.sql.setLeaf.run(this.push(frontier, storedRow(r)), r[0]);
    }
  }

  /** Adds the row's leaf to the edge, storing every completed subtree of 64+ leaves; returns the leaf. */
  private push(frontier: MerkleFrontier, row: StoredEventRow): Hash {
    if (row.position !== frontier.size + 1) {
      throw new LedgerIntegrityError(`event at position ${row.position} follows a tree of ${frontier.size} leaves`);
    }
    const leaf = eventLeafHash(row);
    for (const s of frontier.push(leaf)) if (s.level >= CACHED_LEVEL) this.sql.insertNode.run(s.level, s.index, s.hash);
    this.lastLeaf = leaf;
    return leaf;
  }

  /** MTH(D[start:end]) from stored leaves and cached subtrees (leaf indexes, 0-based). */
  private range(start: number, end: number): Hash {
    const width = end - start;
    if (width >= CACHED_WIDTH && isPowerOfTwo(width) && start % width === 0) {
      const cached = this.sql.node.get(Math.log2(width), start / width);
      if (cached) return cached;
    }
    if (width <= CACHED_WIDTH) {
      const leaves = this.sql.leaves.all(start, end);
      if (leaves.length !== width || leaves.some((l) => l === null)) {
        throw new LedgerIntegrityError(`the leaves of positions ${start + 1}..${end} are not all stored`);
      }
      return rootOf(leaves as Buffer[]);
    }
    const k = splitPoint(width);
    return nodeHash(this.range(start, start + k), this.range(start + k, end));
  }
}
