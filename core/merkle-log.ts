/**
 * The ledger's Merkle tree as stored (doc/ledger-integrity.md): one leaf hash per event in
 * `ledger_leaves` (written in the event's own append transaction), the roots of complete
 * subtrees of 64 leaves and more in `ledger_nodes` (so a root or a proof at any size costs
 * O(log N) point reads and at most 63 leaf reads per level below 64), and the right edge of the
 * tree in memory, so an append costs one leaf hash, one insert and, on average, one node hash.
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

/** Subtrees of 2^CACHED_LEVEL leaves and more are stored once complete; smaller ones are hashed from their leaves. */
export const CACHED_LEVEL = 6;
const CACHED_WIDTH = 2 ** CACHED_LEVEL;

export class LedgerIntegrityError extends Error {}

export class MerkleLog {
  private readonly sql;
  private frontier: MerkleFrontier | null = null;
  private lastLeaf: Hash | null = null;

  constructor(private readonly db: Db) {
    this.sql = {
      lastLeaf: db.prepare<[], { position: number; hash: Buffer }>(
        'SELECT position, hash FROM ledger_leaves ORDER BY position DESC LIMIT 1',
      ),
      leaf: db.prepare<[number], Buffer>('SELECT hash FROM ledger_leaves WHERE position = ?').pluck(),
      leaves: db
        .prepare<[number, number], Buffer>('SELECT hash FROM ledger_leaves WHERE position > ? AND position <= ? ORDER BY position')
        .pluck(),
      insertLeaf: db.prepare<[number, Buffer]>('INSERT INTO ledger_leaves (position, hash) VALUES (?, ?)'),
      node: db.prepare<[number, number], Buffer>('SELECT hash FROM ledger_nodes WHERE level = ? AND idx = ?').pluck(),
      insertNode: db.prepare<[number, number, Buffer]>('INSERT INTO ledger_nodes (level, idx, hash) VALUES (?, ?, ?)'),
      eventRows: db
        .prepare<[number, number, number]>(
          `SELECT ${EVENT_ROW_COLUMNS} FROM events WHERE position > ? AND position <= ? ORDER BY position LIMIT ?`,
        )
        .raw(),
      eventRow: db.prepare<[number]>(`SELECT ${EVENT_ROW_COLUMNS} FROM events WHERE position = ?`).raw(),
      head: db.prepare<[], number>('SELECT coalesce(max(position), 0) FROM events').pluck(),
    };
  }

  /** How many leaves are stored (the position of the last hashed event). */
  size(): number {
    return this.sql.lastLeaf.get()?.position ?? 0;
  }

  /**
   * Hashes and stores the leaves of events just inserted, inside the caller's append
   * transaction. Events the tree has not seen yet (appended by an engine without this code) are
   * hashed first from their stored rows. Never rescans the log: the right edge lives in memory
   * and is reloaded in O(log N) only when another writer or a rolled-back transaction moved it.
   */
  appendLeaves(rows: readonly StoredEventRow[]): void {
    const first = rows[0];
    if (!first) return;
    const frontier = this.currentFrontier();
    if (frontier.size < first.position - 1) this.hashStoredEvents(frontier, first.position - 1);
    for (const row of rows) this.push(frontier, row);
  }

  /**
   * Hashes every event that has no leaf yet (a ledger written before this change), in
   * transactions of `batch` events; returns how many it hashed. Runs once when a store opens.
   */
  backfill(batch = 10_000, onProgress?: (done: number, head: number) => void): number {
    const head = this.sql.head.get() ?? 0;
    let done = 0;
    while (this.size() < head) {
      this.db
        .transaction(() => {
          const frontier = this.currentFrontier();
          const upTo = Math.min(head, frontier.size + batch);
          done += upTo - frontier.size;
          this.hashStoredEvents(frontier, upTo);
        })
        .immediate();
      onProgress?.(done, head);
    }
    return done;
  }

  /** The recomputed leaf hash of the event stored at `position` (undefined when there is none). */
  recomputedLeaf(position: number): Hash | undefined {
    const row = this.sql.eventRow.get(position) as RawEventRow | undefined;
    return row ? eventLeafHash(storedRow(row)) : undefined;
  }

  /** The leaf hash stored for `position`. */
  storedLeaf(position: number): Hash | undefined {
    return this.sql.leaf.get(position);
  }

  /** MTH of the first `size` leaves (RFC 9162 §2.1.1). RangeError when size exceeds the stored leaves. */
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
    const stored = this.size();
    if (!Number.isSafeInteger(size) || size < min || size > stored) {
      throw new RangeError(`tree size ${size} is outside ${min}..${stored} (the hashed log)`);
    }
  }

  private currentFrontier(): MerkleFrontier {
    const last = this.sql.lastLeaf.get();
    const size = last?.position ?? 0;
    const current = this.frontier && this.frontier.size === size && (last ? this.lastLeaf?.equals(last.hash) : this.lastLeaf === null);
    if (!current || !this.frontier) {
      this.frontier = new MerkleFrontier(
        edgeRanges(size).map(([start, width]) => ({
          level: Math.log2(width),
          index: start / width,
          hash: this.range(start, start + width),
        })),
      );
      this.lastLeaf = last?.hash ?? null;
    }
    return this.frontier;
  }

  private hashStoredEvents(frontier: MerkleFrontier, upTo: number): void {
    while (frontier.size < upTo) {
      const rows = this.sql.eventRows.all(frontier.size, upTo, 1000) as RawEventRow[];
      if (rows.length === 0) throw new LedgerIntegrityError(`no event at position ${frontier.size + 1} below ${upTo}: the log has a gap`);
      for (const r of rows) this.push(frontier, storedRow(r));
    }
  }

  private push(frontier: MerkleFrontier, row: StoredEventRow): void {
    if (row.position !== frontier.size + 1) {
      throw new LedgerIntegrityError(`event at position ${row.position} follows a tree of ${frontier.size} leaves`);
    }
    const leaf = eventLeafHash(row);
    this.sql.insertLeaf.run(row.position, leaf);
    for (const s of frontier.push(leaf)) if (s.level >= CACHED_LEVEL) this.sql.insertNode.run(s.level, s.index, s.hash);
    this.lastLeaf = leaf;
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
      if (leaves.length !== width) throw new LedgerIntegrityError(`leaves ${start + 1}..${end} are not all stored`);
      return rootOf(leaves);
    }
    const k = splitPoint(width);
    return nodeHash(this.range(start, start + k), this.range(start + k, end));
  }
}
