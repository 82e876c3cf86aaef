/**
 * The `recorded` decision engine: replays a stored reply by packet digest, for deterministic
 * re-runs in audits and backtests (issue 13 "Engines"). Replies are read from a small port so
 * they can come from the artifact store (a run's raw-reply artifact) or a fixture.
 *
 * Errors: `recording_missing` (404) when no reply is stored for the packet digest.
 */
import { ClashError } from '../../core/errors.ts';
import type { DecisionEngine, DecisionRequest, EngineReply } from './engine.ts';

/** A stored reply: the raw text and the model that first produced it. */
export interface StoredReply {
  readonly text: string;
  readonly model: string;
}

/** Where recorded replies are looked up: by sha-256 hex of the packet. */
export interface ReplyArchive {
  get(packetDigest: string): Promise<StoredReply | undefined>;
}

/** Replays the archive's reply; usage and cost are zero (nothing was called). */
export function recordedEngine(archive: ReplyArchive): DecisionEngine {
  return {
    name: 'recorded',
    async decide(request: DecisionRequest): Promise<EngineReply> {
      const stored = await archive.get(request.packetDigest);
      if (!stored)
        throw new ClashError('recording_missing', 'not_found', 'no recorded reply for this packet', { packetDigest: request.packetDigest });
      return { text: stored.text, model: stored.model, usage: { inputTokens: 0, outputTokens: 0 }, costMicroUsd: 0n, attempts: 0 };
    },
  };
}
