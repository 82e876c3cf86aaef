/**
 * Replies of earlier decision runs read back from the artifact store: the text of an artifact
 * checked against its sha-256 (the decision reads), and the `recorded` engine's archive over the
 * `decision_runs` read model — packet digest → the reply of the newest completed run with that
 * packet (issue 13 "Engines"; doc/ai-trading.md "Engines").
 */
import { type ArtifactRef, getContent } from '../adapters/artifacts/content.ts';
import type { ArtifactStore } from '../adapters/artifacts/store.ts';
import type { ReplyArchive } from '../adapters/models/recorded.ts';
import type { Db } from '../core/database.ts';
import { ClashError } from '../core/errors.ts';
import { replyOfPacket } from '../projections/decisions/queries.ts';

/**
 * The text of `ref` from the store, checked against its digest; null when there is none or
 * retention removed it. Errors: `artifact_corrupt` (500) when the bytes do not match.
 */
export async function artifactText(store: ArtifactStore, ref: ArtifactRef | null): Promise<string | null> {
  if (!ref) return null;
  try {
    const bytes = await getContent(store, ref);
    return bytes ? new TextDecoder().decode(bytes) : null;
  } catch (error) {
    throw new ClashError('artifact_corrupt', 'corrupt', `artifact ${ref.key} does not match its sha256`, {
      key: ref.key,
      cause: String(error),
    });
  }
}

/**
 * The replies of completed runs by packet digest: undefined when no completed run had the packet
 * or retention removed its reply (the engine then fails the run `recording_missing`). Errors:
 * `artifact_corrupt` (500) when the stored reply does not match its digest.
 */
export function decisionReplyArchive(db: Db, store: ArtifactStore): ReplyArchive {
  return {
    async get(packetDigest) {
      const found = replyOfPacket(db, packetDigest);
      const text = found ? await artifactText(store, found.reply) : null;
      return found && text !== null ? { text, model: found.model } : undefined;
    },
  };
}
