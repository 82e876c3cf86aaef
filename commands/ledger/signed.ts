/**
 * Reading the ledger stream back from the log, as an auditor does: each `LedgerCheckpointSigned`
 * and `LedgerKeyRotated` row parsed from its stored JSON, and signatures checked against the
 * chain of keys the rotations link, anchored at a trusted public key (never at a key the log
 * itself names alone). doc/ledger-integrity.md, "Keys" and "Rotation".
 */
import type { KeyObject } from 'node:crypto';
import type { EventStore } from '../../core/event-store.ts';
import {
  keyIdOf,
  keyRotationMessage,
  publicKeyFromHex,
  publicKeyHex,
  verifyCheckpointSignature,
  verifyMessage,
} from '../../core/signed-checkpoint.ts';
import { CHECKPOINT_STREAM_ID } from './decider.ts';
import { type LedgerCheckpoint, LedgerCheckpointSigned, LedgerKeyRotated, type LedgerKeyRotation } from './events.ts';

/** A stored row of the ledger's streams (a checkpoint, a rotation, an anchor), parsed, or why it does not parse. */
export interface StoredLedgerRow<T> {
  /** The position of the event. */
  readonly position: number;
  readonly checkpoint: T | { readonly unreadable: string };
}
export type StoredCheckpoint = StoredLedgerRow<LedgerCheckpoint>;
export type StoredRotation = StoredLedgerRow<LedgerKeyRotation>;

/**
 * Every `event` row of the stream `streamId` in position order, parsed straight from its stored
 * JSON with the event's schema (never through upcasters or read models), as an auditor reads them.
 */
export function storedOfType<T>(
  store: EventStore,
  streamId: string,
  event: {
    type: string;
    schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: { message: string }[] } } };
  },
): StoredLedgerRow<T>[] {
  const rows = store.db
    .prepare<[string, string], { position: number; data: string }>(
      'SELECT position, data FROM events WHERE stream_id = ? AND type = ? ORDER BY position',
    )
    .all(streamId, event.type);
  return rows.map(({ position, data }) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(data);
    } catch {
      return { position, checkpoint: { unreadable: 'its data is not JSON' } };
    }
    const result = event.schema.safeParse(parsed);
    return { position, checkpoint: result.success ? result.data : { unreadable: result.error.issues[0]?.message ?? 'invalid' } };
  });
}

/** Every checkpoint event of the log in order, parsed straight from the stored rows. */
export function storedCheckpoints(store: EventStore): StoredCheckpoint[] {
  return storedOfType(store, CHECKPOINT_STREAM_ID, LedgerCheckpointSigned);
}

/** Every key rotation of the log in order, parsed straight from the stored rows. */
export function storedRotations(store: EventStore): StoredRotation[] {
  return storedOfType(store, CHECKPOINT_STREAM_ID, LedgerKeyRotated);
}

/** One key of the log's chain and the positions it signed for. */
export interface ChainKey {
  readonly keyId: string;
  readonly publicKey: KeyObject;
  /** The position of the rotation that made it current (0 for the first key). */
  readonly from: number;
}

/**
 * The keys that signed the log, in order, and whether the trusted key anchors them. With no
 * rotation the chain is the trusted key alone. Each rotation must be signed by the key before
 * it and by the key it names (so trust in any key of the chain reaches every other); a broken
 * link ends the chain there, and problems name the rotation's position.
 */
export function keyChain(store: EventStore, trusted: KeyObject): { keys: ChainKey[]; problems: { position: number; problem: string }[] } {
  const rotations = storedRotations(store);
  const problems: { position: number; problem: string }[] = [];
  const first = rotations.find((r) => 'publicKey' in r.checkpoint)?.checkpoint as LedgerKeyRotation | undefined;
  const firstKey = first ? publicKeyFromHex(first.previousPublicKey) : trusted;
  const keys: ChainKey[] = [{ keyId: keyIdOf(firstKey), publicKey: firstKey, from: 0 }];
  for (const { position, checkpoint: r } of rotations) {
    const where = `key rotation at position ${position}`;
    if (!('publicKey' in r)) {
      problems.push({ position, problem: `${where} is unreadable: ${r.unreadable}` });
      break;
    }
    const current = keys.at(-1) as ChainKey;
    const next = publicKeyFromHex(r.publicKey);
    const message = keyRotationMessage(r);
    const broken =
      r.previousPublicKey !== publicKeyHex(current.publicKey) || r.previousKeyId !== current.keyId
        ? `hands over from key ${r.previousKeyId}, not the log's key ${current.keyId}`
        : r.keyId !== keyIdOf(next)
          ? `names key id ${r.keyId} for a key whose id is ${keyIdOf(next)}`
          : !verifyMessage(current.publicKey, message, r.signature)
            ? `is not signed by the previous key ${current.keyId}`
            : !verifyMessage(next, message, r.nextKeySignature)
              ? `is not signed by the next key ${r.keyId}`
              : null;
    if (broken) {
      problems.push({ position, problem: `${where} ${broken}` });
      break;
    }
    keys.push({ keyId: r.keyId, publicKey: next, from: position });
  }
  const anchor = keyIdOf(trusted);
  if (!keys.some((k) => k.keyId === anchor && publicKeyHex(k.publicKey) === publicKeyHex(trusted))) {
    problems.push({
      position: rotations[0]?.position ?? 0,
      problem: `the trusted key ${anchor} is not one of the log's keys (${keys.map((k) => k.keyId).join(', ')})`,
    });
    return { keys: [], problems };
  }
  return { keys, problems };
}

/** The chain key current at `position` (the last one whose rotation precedes it), or undefined for an empty chain. */
export function keyAt(keys: readonly ChainKey[], position: number): ChainKey | undefined {
  let found: ChainKey | undefined;
  for (const k of keys) if (k.from < position) found = k;
  return found;
}

/** Null when `checkpoint` is signed by `key`; otherwise what is wrong with it. */
export function signatureProblem(checkpoint: LedgerCheckpoint, key: ChainKey | KeyObject | undefined): string | null {
  if (key === undefined) return 'cannot be checked: no trusted key reaches it';
  const [keyId, publicKey] = 'from' in key ? [key.keyId, key.publicKey] : [keyIdOf(key), key];
  if (checkpoint.keyId !== keyId) return `is signed by key ${checkpoint.keyId}, not the trusted key ${keyId}`;
  return verifyCheckpointSignature(publicKey, checkpoint, checkpoint.signature) ? null : 'has a signature that does not verify';
}

/** One key in the log's history, as `GET /api/v1/ledger/key` serves it. */
export interface KeyHistoryEntry {
  readonly keyId: string;
  /** The raw Ed25519 public key, hex. */
  readonly publicKey: string;
  /** The position of the rotation that made it the signing key; 0 for the first key. */
  readonly fromPosition: number;
  /** The position of the rotation that retired it; null for the current key. */
  readonly retiredAtPosition: number | null;
  /** The rotation that made it current (ms since the epoch and both signatures); null for the first key. */
  readonly rotation: { readonly rotatedAt: number; readonly signature: string; readonly nextKeySignature: string } | null;
}

/**
 * The keys the log names, oldest first, as recorded (not verified: a verifier checks them with
 * `keyChain`). With no rotation recorded, the one entry is `current`, the key the server signs with.
 */
export function keyHistory(store: EventStore, current: { readonly keyId: string; readonly publicKey: string }): KeyHistoryEntry[] {
  const rotations = storedRotations(store).flatMap((r) => ('publicKey' in r.checkpoint ? [{ position: r.position, r: r.checkpoint }] : []));
  const first = rotations[0];
  if (!first) return [{ ...current, fromPosition: 0, retiredAtPosition: null, rotation: null }];
  const firstKey = { keyId: first.r.previousKeyId, publicKey: first.r.previousPublicKey, fromPosition: 0, rotation: null };
  return [
    { ...firstKey, retiredAtPosition: first.position },
    ...rotations.map(({ position, r }, i) => ({
      keyId: r.keyId,
      publicKey: r.publicKey,
      fromPosition: position,
      retiredAtPosition: rotations[i + 1]?.position ?? null,
      rotation: { rotatedAt: r.rotatedAt, signature: r.signature, nextKeySignature: r.nextKeySignature },
    })),
  ];
}
