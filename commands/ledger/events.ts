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

export const ledgerEvents = [LedgerCheckpointSigned, LedgerKeyRotated];
export type LedgerEvent = EventOf<typeof LedgerCheckpointSigned> | EventOf<typeof LedgerKeyRotated>;
export type LedgerCheckpoint = EventOf<typeof LedgerCheckpointSigned>['data'];
export type LedgerKeyRotation = EventOf<typeof LedgerKeyRotated>['data'];
