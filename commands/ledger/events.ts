/**
 * The events of the ledger's own stream (`ledger-checkpoints`): signed checkpoints of the
 * Merkle tree over the log (doc/ledger-integrity.md, "Checkpoints"). A checkpoint of tree size N
 * covers positions 1..N and is itself appended after them, so the next checkpoint covers it.
 * Hashes, key ids and signatures are lower-case hex.
 */
import { z } from 'zod';
import { defineEvent, type EventOf } from '../../core/event-registry.ts';

/** A SHA-256 digest: 64 lower-case hex digits. */
export const zHashHex = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lower-case hex digits');

/** A tree size and its root: what a settlement records of the checkpoint that covers it. */
export const zCheckpointRef = z.object({ treeSize: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER), rootHash: zHashHex }).strict();
export type CheckpointRef = z.output<typeof zCheckpointRef>;

export const LedgerCheckpointSigned = defineEvent(
  'LedgerCheckpointSigned',
  zCheckpointRef
    .extend({
      /** The log's name in the signed message. */
      origin: z.string().min(1).max(100),
      /** ms since the epoch, as signed. */
      signedAt: z.number().int().nonnegative(),
      /** First 8 bytes of SHA-256 of the signing public key. */
      keyId: z.string().regex(/^[0-9a-f]{16}$/),
      /** Ed25519 signature of the checkpoint message (core/signed-checkpoint.ts). */
      signature: z.string().regex(/^[0-9a-f]{128}$/),
    })
    .strict(),
);

/** A raw Ed25519 public key: 64 lower-case hex digits. */
export const zPublicKeyHex = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lower-case hex digits');

/**
 * The log's signing key changed (doc/ledger-integrity.md, "Rotation"): checkpoints after this
 * event are signed by `publicKey`. Both keys sign the rotation message
 * (core/signed-checkpoint.ts, `keyRotationMessage`).
 */
export const LedgerKeyRotated = defineEvent(
  'LedgerKeyRotated',
  z
    .object({
      origin: z.string().min(1).max(100),
      previousKeyId: z.string().regex(/^[0-9a-f]{16}$/),
      previousPublicKey: zPublicKeyHex,
      keyId: z.string().regex(/^[0-9a-f]{16}$/),
      publicKey: zPublicKeyHex,
      /** ms since the epoch, as signed. */
      rotatedAt: z.number().int().nonnegative(),
      /** The previous key's Ed25519 signature of the rotation message: it hands the log over. */
      signature: z.string().regex(/^[0-9a-f]{128}$/),
      /** The next key's signature of the same message: its holder accepted the log. */
      nextKeySignature: z.string().regex(/^[0-9a-f]{128}$/),
    })
    .strict(),
);

/**
 * A signed checkpoint anchored on chain (stream `anchor-ledger-checkpoints`): the vault's `anchor(treeSize,
 * rootHash)` transaction and the block that holds its `CheckpointAnchored` log
 * (doc/ledger-integrity.md, "Anchoring on chain"). `sequence` is the checkpoint's number in
 * `ledger-checkpoints` (its stream version), a multiple of `CLASH_ANCHOR_EVERY_CHECKPOINTS`.
 */
export const LedgerCheckpointAnchored = defineEvent(
  'LedgerCheckpointAnchored',
  zCheckpointRef
    .extend({
      sequence: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
      chainId: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
      /** The vault, lower-case 0x-hex. */
      vault: z.string().regex(/^0x[0-9a-f]{40}$/),
      /** The anchoring transaction, lower-case 0x-hex. */
      txHash: z.string().regex(/^0x[0-9a-f]{64}$/),
      blockNumber: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
      /** The block's timestamp, ms since the epoch: the time the chain fixes for the checkpoint. */
      blockTime: z.number().int().nonnegative(),
    })
    .strict(),
);

export const ledgerEvents = [LedgerCheckpointSigned, LedgerKeyRotated, LedgerCheckpointAnchored];
/** The events of the `ledger-checkpoints` stream. */
export type LedgerEvent = EventOf<typeof LedgerCheckpointSigned> | EventOf<typeof LedgerKeyRotated>;
export type LedgerCheckpoint = EventOf<typeof LedgerCheckpointSigned>['data'];
export type LedgerKeyRotation = EventOf<typeof LedgerKeyRotated>['data'];
export type AnchorEvent = EventOf<typeof LedgerCheckpointAnchored>;
export type LedgerAnchor = AnchorEvent['data'];
