/**
 * A small RFC 9162 verifier written for the tests from the RFC's recursive definitions
 * (§2.1.3.1 PATH and §2.1.4.1 SUBPROOF, read backwards), independent of the iterative
 * algorithms in core/merkle.ts, so each checks the other. It shares nothing with core but SHA-256.
 */
import { createHash } from 'node:crypto';

const EMPTY_ROOT = createHash('sha256').digest();
const sha = (...parts: Buffer[]) => createHash('sha256').update(Buffer.concat(parts)).digest();
const nodeOf = (l: Buffer, r: Buffer) => sha(Buffer.from([1]), l, r);
const largestPowerOfTwoBelow = (n: number) => 2 ** Math.ceil(Math.log2(n) - 1);

/** The root PATH(m, D[n]) leads to from `leaf`, consuming the proof from its end (the top sibling), or null. */
function rootFromPath(m: number, n: number, leaf: Buffer, path: Buffer[]): Buffer | null {
  if (n === 1) return path.length === 0 ? leaf : null;
  const top = path.at(-1);
  if (!top) return null;
  const rest = path.slice(0, -1);
  const k = largestPowerOfTwoBelow(n);
  if (m < k) {
    const left = rootFromPath(m, k, leaf, rest);
    return left && nodeOf(left, top);
  }
  const right = rootFromPath(m - k, n - k, leaf, rest);
  return right && nodeOf(top, right);
}

export function independentInclusion(leaf: Buffer, index: number, size: number, proof: Buffer[], root: Buffer): boolean {
  if (index < 0 || index >= size) return false;
  return rootFromPath(index, size, leaf, proof)?.equals(root) ?? false;
}

/**
 * Both roots SUBPROOF(m, D[n], b) implies: [old root, new root], with `known` the old root when b
 * is true (the old tree is a complete subtree the verifier already holds), or null.
 */
function rootsFromSubproof(m: number, n: number, b: boolean, proof: Buffer[], known: Buffer): [Buffer, Buffer] | null {
  if (m === n) {
    if (b) return proof.length === 0 ? [known, known] : null;
    return proof.length === 1 ? [proof[0] as Buffer, proof[0] as Buffer] : null;
  }
  const top = proof.at(-1);
  if (!top) return null;
  const rest = proof.slice(0, -1);
  const k = largestPowerOfTwoBelow(n);
  if (m <= k) {
    const inner = rootsFromSubproof(m, k, b, rest, known);
    return inner && [inner[0], nodeOf(inner[1], top)];
  }
  const inner = rootsFromSubproof(m - k, n - k, false, rest, known);
  return inner && [nodeOf(top, inner[0]), nodeOf(top, inner[1])];
}

export function independentConsistency(first: number, second: number, firstRoot: Buffer, secondRoot: Buffer, proof: Buffer[]): boolean {
  if (first === 0 || first === second)
    return proof.length === 0 && (first === 0 ? firstRoot.equals(EMPTY_ROOT) : firstRoot.equals(secondRoot));
  if (first > second) return false;
  const roots = rootsFromSubproof(first, second, true, proof, firstRoot);
  return roots?.[0].equals(firstRoot) === true && roots[1].equals(secondRoot);
}
