/**
 * Recording signed checkpoints (doc/ledger-integrity.md, "Checkpoints"): the handler adds what
 * the decider may not fetch — the tree size (the head of the log), its Merkle root, the time and
 * the Ed25519 signature of the ledger key — and lets the decider rule. `due` is the schedule the
 * server's worker applies; `covering` is what a settlement asks for.
 */
import type { KeyObject } from 'node:crypto';
import type { Clock } from '../../core/clock.ts';
import { CommandHandler } from '../../core/decider.ts';
import { DomainError } from '../../core/errors.ts';
import type { EventStore } from '../../core/event-store.ts';
import { keyRotationMessage, publicKeyHex, signCheckpoint, signMessage } from '../../core/signed-checkpoint.ts';
import { CHECKPOINT_STREAM_ID, ledgerDecider } from './decider.ts';
import type { LedgerCheckpoint, LedgerKeyRotation } from './events.ts';

/** The name of this log in every signed checkpoint message. */
export const CHECKPOINT_ORIGIN = 'clash-ledger';
export const CHECKPOINT_ACTOR = 'service:ledger';

/** The signing half of the ledger key (adapters/ledger-key). */
export interface CheckpointSigner {
  readonly privateKey: KeyObject;
  readonly keyId: string;
}

/** A key a rotation hands over from or to: its private half signs the rotation message. */
export interface RotationKey extends CheckpointSigner {
  readonly publicKey: KeyObject;
}

/** When a checkpoint is due: after `everyEvents` new events, or `intervalMs` after the last one when anything was appended since. */
export interface CheckpointSchedule {
  readonly everyEvents: number;
  readonly intervalMs: number;
}

export class LedgerCheckpoints {
  private readonly handler;

  /** `signer` is called only when a checkpoint is signed (a development key file is created on first use). */
  constructor(private readonly deps: { readonly store: EventStore; readonly clock: Clock; readonly signer: () => CheckpointSigner }) {
    this.handler = new CommandHandler(deps.store, ledgerDecider);
  }

  /** The latest recorded checkpoint, or null. */
  latest(): LedgerCheckpoint | null {
    return this.handler.load(CHECKPOINT_STREAM_ID).state.latest;
  }

  /**
   * Signs and records a checkpoint of the whole log as it is now (tree size = head); returns the
   * latest one unchanged when nothing but it was appended since it was made.
   */
  record(): LedgerCheckpoint {
    const latest = this.latest();
    const head = this.deps.store.headPosition();
    if (latest && head <= latest.treeSize + 1) return latest; // only the checkpoint's own event since
    const signer = this.deps.signer();
    const body = {
      origin: CHECKPOINT_ORIGIN,
      treeSize: head,
      rootHash: this.deps.store.merkle.rootAt(head).toString('hex'),
      signedAt: this.deps.clock.now(),
    };
    const checkpoint = { ...body, keyId: signer.keyId, signature: signCheckpoint(signer.privateKey, body) };
    this.handler.handle({
      streamId: CHECKPOINT_STREAM_ID,
      command: { type: 'RecordCheckpoint', checkpoint },
      metadata: { actor: CHECKPOINT_ACTOR },
    });
    return checkpoint;
  }

  /** The key id the log's checkpoints must carry now (null before the first checkpoint or rotation). */
  currentKeyId(): string | null {
    return this.handler.load(CHECKPOINT_STREAM_ID).state.keyId;
  }

  /**
   * Records that the log's signing key changes from `previous` to `next` (doc/ledger-integrity.md,
   * "Rotation"), the message signed by both. DomainError `ledger_key_mismatch` when `previous` is
   * not the log's current key, `ledger_key_unchanged` when both are the same key.
   */
  rotateKey(previous: RotationKey, next: RotationKey): LedgerKeyRotation {
    const body = {
      origin: CHECKPOINT_ORIGIN,
      previousPublicKey: publicKeyHex(previous.publicKey),
      publicKey: publicKeyHex(next.publicKey),
      rotatedAt: this.deps.clock.now(),
    };
    const message = keyRotationMessage(body);
    const rotation = {
      ...body,
      previousKeyId: previous.keyId,
      keyId: next.keyId,
      signature: signMessage(previous.privateKey, message),
      nextKeySignature: signMessage(next.privateKey, message),
    };
    this.handler.handle({
      streamId: CHECKPOINT_STREAM_ID,
      command: { type: 'RotateKey', rotation },
      metadata: { actor: CHECKPOINT_ACTOR },
    });
    return rotation;
  }

  /**
   * Makes `key` the log's signing key: nothing when it already is (or the log has no key yet);
   * a rotation from `previous` when that is the log's key (a newly configured key, its
   * predecessor configured beside it); otherwise DomainError `ledger_key_mismatch` naming both
   * key ids, and nothing is recorded.
   */
  adopt(key: RotationKey, previous?: RotationKey): LedgerKeyRotation | null {
    const current = this.currentKeyId();
    if (current === null || current === key.keyId) return null;
    if (previous?.keyId === current) return this.rotateKey(previous, key);
    throw new DomainError(
      'ledger_key_mismatch',
      'conflict',
      `the log is signed by key ${current}, the configured key is ${key.keyId}: configure the log's key as the previous key to rotate`,
      { keyId: current, configured: key.keyId },
    );
  }

  /** A checkpoint whose tree covers `position` (every event up to it): the latest if it does, else a new one. */
  covering(position: number): LedgerCheckpoint {
    const latest = this.latest();
    return latest && latest.treeSize >= position ? latest : this.record();
  }

  /** True when the schedule asks for a checkpoint at `now`. */
  due(now: number, schedule: CheckpointSchedule): boolean {
    const latest = this.latest();
    const head = this.deps.store.headPosition();
    if (!latest) return head > 0;
    const since = head - latest.treeSize - 1; // events after the checkpoint, not counting the checkpoint event itself
    return since >= schedule.everyEvents || (since > 0 && now - latest.signedAt >= schedule.intervalMs);
  }
}
