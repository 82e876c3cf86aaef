/**
 * The Merkle tree of RFC 9162 (Certificate Transparency v2) §2.1 over a list of leaves, with
 * its inclusion and consistency proofs and their verification algorithms. Hashes are 32-byte
 * SHA-256 digests (Buffers): a leaf is SHA-256(0x00 ‖ leaf bytes), an inner node
 * SHA-256(0x01 ‖ left ‖ right), and the tree over n > 1 leaves splits at k, the largest power of
 * two smaller than n (§2.1.1). Indexes here are the RFC's 0-based leaf indexes.
 *
 * Proof generation takes a `RangeHasher`, MTH(D[start:end]), so the caller decides where
 * subtree hashes come from (an array in memory, or stored leaves with cached subtrees).
 */
import { createHash, hash } from 'node:crypto';

/** A 32-byte SHA-256 digest. */
export type Hash = Buffer;

export const HASH_BYTES = 32;
const LEAF_PREFIX = Buffer.from([0x00]);
const NODE_PREFIX = Buffer.from([0x01]);

/** MTH({}) = SHA-256() (§2.1.1). */
export const EMPTY_ROOT: Hash = createHash('sha256').digest();

/** SHA-256(0x00 ‖ bytes): the hash of one leaf (§2.1.1). */
export function leafHash(bytes: Uint8Array): Hash {
  return createHash('sha256').update(LEAF_PREFIX).update(bytes).digest();
}

/** 0x01 followed by room for two hashes: reused by every `nodeHash` of 32-byte hashes (synchronous, so never shared at once). */
const nodeInput = Buffer.alloc(1 + 2 * HASH_BYTES, 0x01);

/** SHA-256(0x01 ‖ left ‖ right): the hash of an inner node (§2.1.1). */
export function nodeHash(left: Hash, right: Hash): Hash {
  if (left.length !== HASH_BYTES || right.length !== HASH_BYTES)
    return createHash('sha256').update(NODE_PREFIX).update(left).update(right).digest();
  // 0x01 ‖ left ‖ right in one reused 65-byte buffer, hashed one-shot (no hash object per node).
  left.copy(nodeInput, 1);
  right.copy(nodeInput, 1 + HASH_BYTES);
  return hash('sha256', nodeInput, 'buffer');
}

/** k: the largest power of two smaller than n (n ≥ 2), where MTH splits a list of n leaves. */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** MTH(D[start:end]) for 0 ≤ start < end ≤ the tree size the hasher serves. */
export type RangeHasher = (start: number, end: number) => Hash;

/** MTH over leaf hashes held in memory (§2.1.1); the empty list gives EMPTY_ROOT. */
export function rootOf(leaves: readonly Hash[]): Hash {
  return leaves.length === 0 ? EMPTY_ROOT : rangeOf(leaves)(0, leaves.length);
}

/** A RangeHasher over leaf hashes in memory. */
export function rangeOf(leaves: readonly Hash[]): RangeHasher {
  const range: RangeHasher = (start, end) => {
    if (end - start === 1) return leaves[start] as Hash;
    const k = splitPoint(end - start);
    return nodeHash(range(start, start + k), range(start + k, end));
  };
  return range;
}

function checkSize(what: string, value: number, min: number, max: number): void {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new RangeError(`${what} ${value} is outside ${min}..${max}`);
  }
}

/**
 * PATH(m, D[n]) (§2.1.3.1): the inclusion proof of leaf `index` in the tree of the first `size`
 * leaves, from the leaf's sibling up to the root's child. RangeError when index ∉ [0, size).
 */
export function inclusionProof(index: number, size: number, range: RangeHasher): Hash[] {
  checkSize('tree size', size, 1, Number.MAX_SAFE_INTEGER);
  checkSize('leaf index', index, 0, size - 1);
  let start = 0;
  let end = size;
  let m = index;
  const siblings: Hash[] = [];
  while (end - start > 1) {
    const k = splitPoint(end - start);
    if (m < k) {
      siblings.push(range(start + k, end));
      end = start + k;
    } else {
      siblings.push(range(start, start + k));
      start += k;
      m -= k;
    }
  }
  // The recursion appends the sibling of the top split last: the collected list, backwards.
  return siblings.reverse();
}

/**
 * PROOF(m, D[n]) (§2.1.4.1): the consistency proof between the tree of the first `first` leaves
 * and the tree of the first `second`. Empty when first = second or first = 0. RangeError when
 * first > second.
 */
export function consistencyProof(first: number, second: number, range: RangeHasher): Hash[] {
  checkSize('second tree size', second, 0, Number.MAX_SAFE_INTEGER);
  checkSize('first tree size', first, 0, second);
  if (first === 0 || first === second) return [];
  const reversed: Hash[] = [];
  let start = 0;
  let end = second;
  let m = first;
  let complete = true; // the b flag of SUBPROOF
  while (m !== end - start) {
    const k = splitPoint(end - start);
    if (m <= k) {
      reversed.push(range(start + k, end));
      end = start + k;
    } else {
      reversed.push(range(start, start + k));
      start += k;
      m -= k;
      complete = false;
    }
  }
  if (!complete) reversed.push(range(start, end));
  return reversed.reverse();
}

/** "Right-shift fn and sn equally until either LSB(fn) is set or fn is 0" (§2.1.3.2 and §2.1.4.2). */
function climbRightEdge(fn: number, sn: number): [number, number] {
  let [f, s] = [fn, sn];
  while (f % 2 === 0 && f !== 0) {
    f = Math.floor(f / 2);
    s = Math.floor(s / 2);
  }
  return [f, s];
}

const isHash = (h: unknown): h is Hash => Buffer.isBuffer(h) && h.length === HASH_BYTES;

/**
 * The inclusion verification of §2.1.3.2: true when `leaf` at `index` with `proof` hashes up to
 * `root` for a tree of `size` leaves. Never throws: malformed input is false.
 */
export function verifyInclusion(leaf: Hash, index: number, size: number, proof: readonly Hash[], root: Hash): boolean {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) return false;
  if (!isHash(leaf) || !isHash(root) || !proof.every(isHash)) return false;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      [fn, sn] = climbRightEdge(fn, sn);
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && r.equals(root);
}

/**
 * The consistency verification of §2.1.4.2: true when `proof` shows the tree of `first` leaves
 * with root `firstRoot` is a prefix of the tree of `second` leaves with root `secondRoot`.
 * first = second needs an empty proof and equal roots; first = 0 needs an empty proof and the
 * empty root. Never throws: malformed input is false.
 */
export function verifyConsistency(first: number, second: number, firstRoot: Hash, secondRoot: Hash, proof: readonly Hash[]): boolean {
  if (!Number.isSafeInteger(first) || !Number.isSafeInteger(second) || first < 0 || first > second) return false;
  if (!isHash(firstRoot) || !isHash(secondRoot) || !proof.every(isHash)) return false;
  if (first === 0) return proof.length === 0 && firstRoot.equals(EMPTY_ROOT);
  if (first === second) return proof.length === 0 && firstRoot.equals(secondRoot);
  if (proof.length === 0) return false;
  // §2.1.4.2 step 2: when `first` is a power of two, its root is the first node of the path.
  const path = isPowerOfTwo(first) ? [firstRoot, ...proof] : [...proof];
  let fn = first - 1;
  let sn = second - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr = path[0] as Hash;
  let sr = fr;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      [fn, sn] = climbRightEdge(fn, sn);
    } else {
      sr = nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && fr.equals(firstRoot) && sr.equals(secondRoot);
}

/** True for 1, 2, 4, 8, … (exact for every safe integer). */
export function isPowerOfTwo(n: number): boolean {
  return n > 0 && 2 ** Math.round(Math.log2(n)) === n;
}

/** A complete subtree: 2^level leaves starting at leaf index `index · 2^level`. */
export interface Subtree {
  readonly level: number;
  readonly index: number;
  readonly hash: Hash;
}

/**
 * The right edge of a growing tree: the roots of its perfect subtrees, largest first (at most
 * ⌈log2 n⌉ + 1 of them). A push is O(log n) hashes at worst and one on average; the root folds
 * the edge from the right, which is MTH because MTH splits at the largest power of two.
 */
export class MerkleFrontier {
  private readonly edge: Subtree[];
  private count: number;

  /** Starts from the perfect subtrees of a tree of `size` leaves (largest first), or empty. */
  constructor(edge: readonly Subtree[] = []) {
    this.edge = [...edge];
    this.count = edge.reduce((n, s) => n + 2 ** s.level, 0);
  }

  get size(): number {
    return this.count;
  }

  /** Adds the next leaf; returns every subtree it completed (levels ≥ 1), smallest first. */
  push(leaf: Hash): Subtree[] {
    const leafIndex = this.count;
    let node: Subtree = { level: 0, index: leafIndex, hash: leaf };
    const completed: Subtree[] = [];
    for (let last = this.edge.at(-1); last?.level === node.level; last = this.edge.at(-1)) {
      this.edge.pop();
      const level = node.level + 1;
      node = { level, index: Math.floor(leafIndex / 2 ** level), hash: nodeHash(last.hash, node.hash) };
      completed.push(node);
    }
    this.edge.push(node);
    this.count += 1;
    return completed;
  }

  /** MTH of the leaves pushed so far. */
  root(): Hash {
    let r: Hash | undefined;
    for (let i = this.edge.length - 1; i >= 0; i--) {
      const s = this.edge[i] as Subtree;
      r = r === undefined ? s.hash : nodeHash(s.hash, r);
    }
    return r ?? EMPTY_ROOT;
  }
}

/** The perfect subtrees a tree of `size` leaves decomposes into, largest first, as [start, width] leaf ranges. */
export function edgeRanges(size: number): [number, number][] {
  const ranges: [number, number][] = [];
  let start = 0;
  for (let width = 2 ** Math.floor(Math.log2(Math.max(size, 1))); width >= 1; width /= 2) {
    if (size - start >= width) {
      ranges.push([start, width]);
      start += width;
    }
  }
  return ranges;
}
