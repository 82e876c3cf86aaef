/** The `none` engine: always holds (seed: the safe default). */
import type { DecisionEngine, DecisionRequest, EngineReply } from '../../../adapters/models/engine.ts';

/** Answers `hold` for the run's asset with confidence 1; no tokens, no cost. */
export const noneEngine: DecisionEngine = {
  name: 'none',
  async decide(request: DecisionRequest): Promise<EngineReply> {
    const text = JSON.stringify({ action: 'hold', asset: request.asset, confidence: 1, reason: 'the none engine always holds' });
    return { text, model: 'none', usage: { inputTokens: 0, outputTokens: 0 }, costMicroUsd: 0n, attempts: 0 };
  },
};
