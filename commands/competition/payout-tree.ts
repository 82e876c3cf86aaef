/**
 * The payout table of a settled race as a Merkle tree, one leaf per holder:
 * leaf = keccak256(bytes.concat(keccak256(abi.encode(string raceId, address holder, uint256 amountWei))))
 * — OpenZeppelin's StandardMerkleTree leaf with encoding ['string', 'address', 'uint256'].
 * The race id is in the leaf so that the same holder paid the same amount in two races gives two
 * different leaves: a claim (or a "claimed" flag keyed by leaf) for one race can never be taken
 * for another race's.
 */
import { type Address, encodeAbiParameters, type Hex, keccak256 } from 'viem';
import { type MerkleTree, merkleProof, merkleTree, verifyMerkleProof } from './merkle.ts';
import type { Payout } from './settlement.ts';
import { compareAddresses } from './settlement-input.ts';

/** The leaf encoding, as `StandardMerkleTree.of(values, payoutLeafEncoding)` takes it. */
export const payoutLeafEncoding = ['string', 'address', 'uint256'] as const;

/** What one holder can claim from a race: the sum of their payout lines over every clone. */
export interface PayoutClaim {
  readonly holder: Address;
  readonly amountWei: bigint;
}

export interface PayoutTree {
  readonly raceId: string;
  /** By holder address, ascending. */
  readonly claims: readonly PayoutClaim[];
  /** Null when nothing is paid to any holder (no tree can have zero leaves). */
  readonly root: Hex | null;
  readonly tree: MerkleTree | null;
}

export function payoutLeaf(raceId: string, claim: PayoutClaim): Hex {
  const encoded = encodeAbiParameters(
    payoutLeafEncoding.map((type) => ({ type })),
    [raceId, claim.holder, claim.amountWei],
  );
  return keccak256(keccak256(encoded));
}

/** Adds up each holder's payout lines (addresses compared case-insensitively) into one claim. */
export function payoutClaims(payouts: readonly Payout[]): PayoutClaim[] {
  const totals = new Map<string, PayoutClaim>();
  for (const { holder, amountWei } of payouts) {
    const key = holder.toLowerCase();
    totals.set(key, { holder: totals.get(key)?.holder ?? holder, amountWei: (totals.get(key)?.amountWei ?? 0n) + amountWei });
  }
  return [...totals.values()].sort((a, b) => compareAddresses(a.holder, b.holder));
}

export function payoutTree(raceId: string, payouts: readonly Payout[]): PayoutTree {
  const claims = payoutClaims(payouts);
  const tree = claims.length === 0 ? null : merkleTree(claims.map((c) => payoutLeaf(raceId, c)));
  return { raceId, claims, root: tree?.root ?? null, tree };
}

/** A holder's claim and its proof, or null when the race pays them nothing. */
export function payoutProof(table: PayoutTree, holder: Address): { claim: PayoutClaim; proof: Hex[] } | null {
  const claim = table.claims.find((c) => compareAddresses(c.holder, holder) === 0);
  if (!claim || !table.tree) return null;
  return { claim, proof: merkleProof(table.tree, payoutLeaf(table.raceId, claim)) };
}

export function verifyPayout(raceId: string, claim: PayoutClaim, proof: readonly Hex[], root: Hex): boolean {
  return verifyMerkleProof(proof, root, payoutLeaf(raceId, claim));
}
