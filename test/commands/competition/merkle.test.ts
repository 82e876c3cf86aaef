import { SimpleMerkleTree, StandardMerkleTree } from '@openzeppelin/merkle-tree';
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { concat, type Hex, keccak256, toHex } from 'viem';
import { hashPair, merkleProof, merkleTree, verifyMerkleProof } from '../../../commands/competition/merkle.ts';
import { payoutLeaf, payoutLeafEncoding, payoutProof, payoutTree, verifyPayout } from '../../../commands/competition/payout-tree.ts';
import { settle } from '../../../commands/competition/settlement.ts';
import { parseSettlementFile } from '../../../commands/competition/settlement-input.ts';
import { fcRuns, fcSeed } from '../../support/store.ts';
import { arbitrarySettlementInput } from './arbitrary-race.ts';
import { holders, workedExample, workedExampleRoot } from './worked-example.ts';

const params = { seed: fcSeed, numRuns: fcRuns * 2 };
const leaf = (text: string): Hex => keccak256(toHex(text));

test('two leaves: root = keccak256(min ‖ max), each proof is the other leaf', () => {
  const [a, b] = [leaf('a'), leaf('b')].sort() as [Hex, Hex];
  const tree = merkleTree([b, a]);
  assert.is(tree.root, keccak256(concat([a, b])));
  assert.equal(merkleProof(tree, a), [b]);
  assert.equal(merkleProof(tree, b), [a]);
  assert.ok(verifyMerkleProof([b], tree.root, a));
});

test('three leaves: OpenZeppelin layout, sorted leaves a < b < c stored as [root, H(a,b), c, b, a]', () => {
  const [a, b, c] = [leaf('x'), leaf('y'), leaf('z')].sort() as [Hex, Hex, Hex];
  const tree = merkleTree([c, a, b]);
  const ab = hashPair(a, b); // = keccak256(a ‖ b) since a < b
  assert.is(ab, keccak256(concat([a, b])));
  assert.equal(tree.nodes, [hashPair(ab, c), ab, c, b, a]);
  assert.equal(merkleProof(tree, c), [ab]);
  assert.equal(merkleProof(tree, a), [b, c]);
  assert.ok(verifyMerkleProof([b, c], tree.root, a));
  assert.not.ok(verifyMerkleProof([b, c], tree.root, b));
  // the same node array as OpenZeppelin's over the same (bytes32) leaves
  assert.equal(tree.nodes, SimpleMerkleTree.of([c, a, b]).dump().tree);
});

test('a tree needs leaves, and refuses a leaf that is not a 32-byte hash', () => {
  assert.throws(() => merkleTree([]), /at least one leaf/);
  assert.throws(() => merkleTree(['0x12']), /32-byte/);
  assert.throws(() => merkleProof(merkleTree([leaf('a')]), leaf('b')), /not in the tree/);
});

test('property: payout trees equal OpenZeppelin StandardMerkleTree (root and every proof), proofs verify, tampering fails', () => {
  fc.assert(
    fc.property(arbitrarySettlementInput, fc.string({ minLength: 1, maxLength: 20 }), (input, raceId) => {
      const s = settle(input);
      const tree = payoutTree(raceId, s.payouts);
      if (tree.claims.length === 0) {
        assert.is(tree.root, null);
        return;
      }
      const values = tree.claims.map((c) => [raceId, c.holder, c.amountWei.toString()]);
      const oz = StandardMerkleTree.of(values, [...payoutLeafEncoding]);
      assert.is(tree.root, oz.root);
      const root = tree.root as Hex;
      tree.claims.forEach((claim, i) => {
        const found = payoutProof(tree, claim.holder);
        assert.ok(found);
        assert.equal(found.claim, claim);
        assert.equal(found.proof, oz.getProof(i));
        assert.is(payoutLeaf(raceId, claim), oz.leafHash(values[i] as string[]));
        assert.ok(verifyPayout(raceId, claim, found.proof, root));
        assert.ok(StandardMerkleTree.verify(root, [...payoutLeafEncoding], values[i] as string[], found.proof));
        assert.not.ok(verifyPayout(raceId, { ...claim, amountWei: claim.amountWei + 1n }, found.proof, root));
        assert.not.ok(verifyPayout(`${raceId}-other`, claim, found.proof, root));
      });
    }),
    params,
  );
});

test('worked example: one claim per holder, the root OpenZeppelin computes', () => {
  const tree = payoutTree(workedExample.raceId, settle(parseSettlementFile(workedExample)).payouts);
  // a1: 3 alpha tickets = 30_857_142_857_142_855; a2: 41_142_857_142_857_140 (alpha) + 36_000_000_000_000_000 (bravo)
  assert.equal(tree.claims, [
    { holder: holders.a1, amountWei: 30_857_142_857_142_855n },
    { holder: holders.a2, amountWei: 77_142_857_142_857_140n },
  ]);
  const oz = StandardMerkleTree.of(
    tree.claims.map((c) => [workedExample.raceId, c.holder, c.amountWei.toString()]),
    [...payoutLeafEncoding],
  );
  assert.is(tree.root, oz.root);
  assert.is(tree.root, workedExampleRoot);
});

test('a holder with lines on several clones has one claim: the sum', () => {
  const holder = '0x00000000000000000000000000000000000000A1';
  const tree = payoutTree('race-1', [
    { holder, cloneId: 'a', amountWei: 5n },
    { holder: '0x00000000000000000000000000000000000000a1', cloneId: 'b', amountWei: 7n },
  ]);
  assert.equal(tree.claims, [{ holder, amountWei: 12n }]);
  // one leaf: the root is the leaf itself and the proof is empty
  assert.is(tree.root, payoutLeaf('race-1', { holder, amountWei: 12n }));
  assert.equal(payoutProof(tree, holder)?.proof, []);
  assert.is(payoutProof(tree, '0x00000000000000000000000000000000000000b2'), null);
});

test.run();
