/**
 * Reading the signed checkpoints back from the log, as an auditor does: each
 * `LedgerCheckpointSigned` row parsed from its stored JSON and its signature checked against a
 * trusted public key (never against a key the log itself names).
 */
import type { KeyObject } from 'node:crypto';
import type { EventStore } from '../../core/event-store.ts';
import { keyIdOf, verifyCheckpointSignature } from '../../core/signed-checkpoint.ts';
import { CHECKPOINT_STREAM_ID } from './decider.ts';
import { type LedgerCheckpoint, LedgerCheckpointSigned } from './events.ts';

export interface StoredCheckpoint {
  /** The position of the checkpoint's own event. */
  readonly position: number;
  /** The parsed checkpoint, or why its row does not parse. */
  readonly checkpoint: LedgerCheckpoint | { readonly unreadable: string };
}

/** Every checkpoint event of the log in order, parsed straight from the stored rows. */
export function storedCheckpoints(store: EventStore): StoredCheckpoint[] {
  const rows = store.db
    .prepare<[string], { position: number; data: string }>('SELECT position, data FROM events WHERE stream_id = ? ORDER BY position')
    .all(CHECKPOINT_STREAM_ID);
  return rows.map(({ position, data }) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(data);
    } catch {
      return { position, checkpoint: { unreadable: 'its data is not JSON' } };
    }
    const result = LedgerCheckpointSigned.schema.safeParse(parsed);
    return { position, checkpoint: result.success ? result.data : { unreadable: result.error.issues[0]?.message ?? 'invalid' } };
  });
}

/** Null when `checkpoint` is signed by `trusted`; otherwise what is wrong with it. */
export function signatureProblem(checkpoint: LedgerCheckpoint, trusted: KeyObject): string | null {
  if (checkpoint.keyId !== keyIdOf(trusted)) return `is signed by key ${checkpoint.keyId}, not the trusted key ${keyIdOf(trusted)}`;
  return verifyCheckpointSignature(trusted, checkpoint, checkpoint.signature) ? null : 'has a signature that does not verify';
}
