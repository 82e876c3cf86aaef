/**
 * RFC 9162 §2.1 Merkle tree: the Certificate Transparency reference vectors (the roots of the
 * eight reference leaves, and published inclusion and consistency proofs), and properties over
 * random trees, every proof checked by a small verifier written here from the RFC's recursive
 * definitions (§2.1.3.1 PATH, §2.1.4.1 SUBPROOF) rather than the iterative algorithms of
 * core/merkle.ts, so the two implementations check each other.
 */
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  consistencyProof,
  EMPTY_ROOT,
  type Hash,
  inclusionProof,
  leafHash,
  MerkleFrontier,
  rangeOf,
  rootOf,
  verifyConsistency,
  verifyInclusion,
} from '../../core/merkle.ts';
import { independentConsistency, independentInclusion } from '../support/rfc9162.ts';
import { fcRuns, fcSeed } from '../support/store.ts';

const hex = (h: Hash) => h.toString('hex');
const unhex = (s: string) => Buffer.from(s, 'hex');

// ---- Certificate Transparency reference vectors ------------------------------------------------
// The reference leaves and roots of RFC 6962 as published by google/certificate-transparency and
// transparency-dev/merkle (testonly/constants.go); RFC 9162 keeps the same hashing.
const CT_LEAVES = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map((d) =>
  leafHash(unhex(d)),
);
const CT_ROOTS = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];
const CT_INCLUSION = [
  {
    index: 0,
    size: 8,
    proof: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    index: 5,
    size: 8,
    proof: [
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
];
const CT_CONSISTENCY = [
  {
    first: 2,
    second: 8,
    proof: [
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    first: 6,
    second: 8,
    proof: [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
  {
    first: 2,
    second: 5,
    proof: [
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  },
];

test('the roots of the reference leaves are the published ones, for every size 0..8', () => {
  for (let n = 0; n <= 8; n++) assert.is(hex(rootOf(CT_LEAVES.slice(0, n))), CT_ROOTS[n], `size ${n}`);
});

test('the frontier gives the same roots as MTH while it grows', () => {
  const frontier = new MerkleFrontier();
  assert.is(hex(frontier.root()), CT_ROOTS[0]);
  CT_LEAVES.forEach((leaf, i) => {
    frontier.push(leaf);
    assert.is(hex(frontier.root()), CT_ROOTS[i + 1], `size ${i + 1}`);
  });
});

test('the published inclusion proofs: generated exactly, and verified by both verifiers', () => {
  for (const v of CT_INCLUSION) {
    const proof = inclusionProof(v.index, v.size, rangeOf(CT_LEAVES));
    assert.equal(proof.map(hex), v.proof);
    const root = unhex(CT_ROOTS[v.size] as string);
    const leaf = CT_LEAVES[v.index] as Hash;
    assert.ok(verifyInclusion(leaf, v.index, v.size, v.proof.map(unhex), root));
    assert.ok(independentInclusion(leaf, v.index, v.size, v.proof.map(unhex), root));
  }
});

test('the published consistency proofs: generated exactly, and verified by both verifiers', () => {
  for (const v of CT_CONSISTENCY) {
    const proof = consistencyProof(v.first, v.second, rangeOf(CT_LEAVES));
    assert.equal(proof.map(hex), v.proof, `${v.first} → ${v.second}`);
    const [a, b] = [unhex(CT_ROOTS[v.first] as string), unhex(CT_ROOTS[v.second] as string)];
    assert.ok(verifyConsistency(v.first, v.second, a, b, v.proof.map(unhex)));
    assert.ok(independentConsistency(v.first, v.second, a, b, v.proof.map(unhex)));
  }
});

// ---- properties over random trees --------------------------------------------------------------
const leavesOf = (seed: number, n: number) => Array.from({ length: n }, (_, i) => leafHash(Buffer.from(`leaf ${seed} ${i}`)));
const flip = (h: Buffer) => {
  const c = Buffer.from(h);
  c[7] = (c[7] as number) ^ 1;
  return c;
};

test('property: every inclusion proof verifies (both verifiers); a wrong leaf, index, size or path does not', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 300 }), fc.nat(), fc.nat(), (size, seed, pick) => {
      const leaves = leavesOf(seed, size);
      const root = rootOf(leaves);
      const index = pick % size;
      const proof = inclusionProof(index, size, rangeOf(leaves));
      const leaf = leaves[index] as Hash;
      assert.ok(verifyInclusion(leaf, index, size, proof, root));
      assert.ok(independentInclusion(leaf, index, size, proof, root));
      assert.not.ok(verifyInclusion(flip(leaf), index, size, proof, root));
      assert.not.ok(verifyInclusion(leaf, index, size, proof, flip(root)));
      if (size > 1) {
        const other = (index + 1) % size;
        assert.not.ok(verifyInclusion(leaf, other, size, proof, root));
        assert.not.ok(verifyInclusion(leaf, index, size, proof.slice(0, -1), root));
        assert.not.ok(verifyInclusion(leaf, index, size, [...proof, leaf], root));
        const mangled = proof.map((p, i) => (i === proof.length - 1 ? flip(p) : p));
        assert.not.ok(verifyInclusion(leaf, index, size, mangled, root));
        assert.not.ok(independentInclusion(leaf, index, size, mangled, root));
      }
      assert.not.ok(verifyInclusion(leaf, index, size + 1, proof, rootOf([...leaves, leaf])));
    }),
    { seed: fcSeed, numRuns: fcRuns * 3 },
  );
});

test('property: every consistency proof verifies (both verifiers); another history does not', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 300 }), fc.nat(), fc.nat(), (second, seed, pick) => {
      const leaves = leavesOf(seed, second);
      const first = second === 0 ? 0 : pick % (second + 1);
      const [a, b] = [rootOf(leaves.slice(0, first)), rootOf(leaves)];
      const proof = consistencyProof(first, second, rangeOf(leaves));
      assert.ok(verifyConsistency(first, second, a, b, proof));
      assert.ok(independentConsistency(first, second, a, b, proof));
      if (first > 0 && first < second) {
        // A log that rewrote one of the first `first` leaves has another old root: refused.
        const forked = leaves.map((l, i) => (i === pick % first ? flip(l) : l));
        assert.not.ok(verifyConsistency(first, second, rootOf(forked.slice(0, first)), b, proof));
        assert.not.ok(verifyConsistency(first, second, a, rootOf(forked), proof));
        assert.not.ok(verifyConsistency(first, second, a, b, proof.slice(1)));
        assert.not.ok(independentConsistency(first, second, a, rootOf(forked), proof));
      }
    }),
    { seed: fcSeed, numRuns: fcRuns * 3 },
  );
});

test('property: the frontier root equals MTH at every size, and completed subtrees are the MTH of their leaves', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 260 }), fc.nat(), (size, seed) => {
      const leaves = leavesOf(seed, size);
      const frontier = new MerkleFrontier();
      leaves.forEach((leaf, i) => {
        for (const s of frontier.push(leaf)) {
          const width = 2 ** s.level;
          assert.ok(s.hash.equals(rootOf(leaves.slice(s.index * width, (s.index + 1) * width))));
        }
        assert.ok(frontier.root().equals(rootOf(leaves.slice(0, i + 1))));
      });
    }),
    { seed: fcSeed, numRuns: fcRuns },
  );
});

test('malformed input is refused: an index outside the tree, a short hash, first > second', () => {
  const leaves = CT_LEAVES;
  const root = rootOf(leaves);
  assert.throws(() => inclusionProof(8, 8, rangeOf(leaves)), RangeError);
  assert.throws(() => consistencyProof(5, 3, rangeOf(leaves)), RangeError);
  assert.not.ok(verifyInclusion(leaves[0] as Hash, 8, 8, [], root));
  assert.not.ok(verifyInclusion(Buffer.alloc(31), 0, 1, [], Buffer.alloc(31)));
  assert.not.ok(verifyConsistency(6, 4, root, root, []));
  assert.not.ok(verifyConsistency(4, 8, rootOf(leaves.slice(0, 4)), root, []));
  assert.ok(verifyConsistency(0, 8, EMPTY_ROOT, root, []));
});

test.run();
