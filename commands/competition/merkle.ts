/**
 * An OpenZeppelin-compatible Merkle tree (the layout of `StandardMerkleTree` from
 * `@openzeppelin/merkle-tree`, checkable on chain with `MerkleProof.verify`): leaves sorted
 * ascending, stored as a complete binary tree in one array (leaf i at `length − 1 − i`), and
 * every parent = keccak256(min(a, b) ‖ max(a, b)). Leaf hashing is the caller's (see payout-tree.ts).
 */
import { concat, type Hex, keccak256 } from 'viem';

export interface MerkleTree {
  readonly root: Hex;
  /** The tree in OpenZeppelin's array layout: root at 0, children of i at 2i+1 and 2i+2. */
  readonly nodes: readonly Hex[];
  readonly leafCount: number;
}

const NODE = /^0x[0-9a-f]{64}$/;

function node(nodes: readonly Hex[], i: number): Hex {
  const value = nodes[i];
  if (value === undefined) throw new RangeError(`merkle tree has no node ${i}`);
  return value;
}

/** keccak256 of the two 32-byte nodes in ascending order (so a proof needs no left/right flags). */
export function hashPair(a: Hex, b: Hex): Hex {
  return a < b ? keccak256(concat([a, b])) : keccak256(concat([b, a]));
}

/** Builds the tree over leaf hashes (lower-case 32-byte hex). Needs at least one leaf. */
export function merkleTree(leaves: readonly Hex[]): MerkleTree {
  if (leaves.length === 0) throw new RangeError('a merkle tree needs at least one leaf');
  for (const leaf of leaves) if (!NODE.test(leaf)) throw new RangeError(`not a lower-case 32-byte hash: ${leaf}`);
  const sorted = [...leaves].sort();
  const nodes = new Array<Hex>(2 * sorted.length - 1);
  sorted.forEach((leaf, i) => {
    nodes[nodes.length - 1 - i] = leaf;
  });
  for (let i = nodes.length - 1 - sorted.length; i >= 0; i--) nodes[i] = hashPair(node(nodes, 2 * i + 1), node(nodes, 2 * i + 2));
  return { root: node(nodes, 0), nodes, leafCount: sorted.length };
}

/** The sibling hashes from the leaf up to the root. Throws when the leaf is not in the tree. */
export function merkleProof(tree: MerkleTree, leaf: Hex): Hex[] {
  let index = tree.nodes.indexOf(leaf, tree.nodes.length - tree.leafCount);
  if (index < 0) throw new RangeError(`leaf ${leaf} is not in the tree`);
  const proof: Hex[] = [];
  while (index > 0) {
    proof.push(node(tree.nodes, index % 2 === 1 ? index + 1 : index - 1));
    index = (index - 1) >> 1;
  }
  return proof;
}

/** True when hashing the leaf up through the proof gives the root (MerkleProof.verify). */
export function verifyMerkleProof(proof: readonly Hex[], root: Hex, leaf: Hex): boolean {
  return proof.reduce(hashPair, leaf) === root;
}
