/**
 * The decision runtime's configuration (issue 13; README "Decisions"): the engine of this
 * deployment, the Anthropic settings with a model per model strength, and the worker's pace.
 * Validated at start-up with the rest of `configSchema`; `anthropic` without a key is refused.
 */
import { z } from 'zod';
import { type AnthropicConfig, anthropicEngine } from '../adapters/models/anthropic.ts';
import { type DecisionEngine, engineNames } from '../adapters/models/engine.ts';
import { noneEngine } from '../commands/decisions/engines/none.ts';
import { rulesEngine } from '../commands/decisions/engines/rules.ts';
import type { Config } from './config.ts';

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const model = z.string().min(1).max(100);

/** The decision variables of the server configuration (spread into `configSchema`). */
export const decisionConfigShape = {
  /** The engine every run of this deployment uses: `none` (hold, the safe default), `rules`, `anthropic`, `recorded`. */
  DECISION_MODEL_PROVIDER: z.enum(engineNames).default('none'),
  /** The Messages API key; required with `anthropic`. */
  ANTHROPIC_API_KEY: z.string().min(1).max(500).optional(),
  /** The Messages API origin (a local stub in tests); the SDK's default when unset. */
  ANTHROPIC_BASE_URL: z.url().max(500).optional(),
  /** The model of each model strength (a clone's model tier after its entitlement check). */
  ANTHROPIC_MODEL_BASIC: model.default('claude-3-5-haiku-latest'),
  ANTHROPIC_MODEL_STANDARD: model.default('claude-sonnet-4-5'),
  ANTHROPIC_MODEL_ADVANCED: model.default('claude-opus-4-1'),
  /** Output tokens per call. */
  ANTHROPIC_MAX_TOKENS: int(1, 64_000).default(1024),
  /** One call's timeout, ms. */
  ANTHROPIC_TIMEOUT_MS: int(10, 600_000).default(60_000),
  /** Retries of a call after its first attempt (429, 5xx, timeouts). */
  ANTHROPIC_MAX_RETRIES: int(0, 10).default(3),
  /** How often the decision worker looks for due units, ms; `0` turns it off. */
  DECISION_TICK_MS: int(0, 3_600_000).default(5_000),
  /** Units running at once in one process (engine calls in flight). */
  DECISION_CONCURRENCY: int(1, 64).default(4),
  /** A unit's lease, seconds: longer than its longest run (timeout × attempts); a dead worker's unit is taken over after it. */
  DECISION_LEASE_SECONDS: int(1, 86_400).default(600),
  /** Replaces every strategy's `decisionCadenceSec` (tests and development; ≥ 1 s), unset: the strategy's. */
  DECISION_CADENCE_SEC: int(1, 86_400).optional(),
};

/** `anthropic` needs its key. */
export const refuseAnthropicWithoutKey = (c: Pick<Config, 'DECISION_MODEL_PROVIDER' | 'ANTHROPIC_API_KEY'>, ctx: z.RefinementCtx) => {
  if (c.DECISION_MODEL_PROVIDER === 'anthropic' && c.ANTHROPIC_API_KEY === undefined) {
    ctx.addIssue({ code: 'custom', path: ['ANTHROPIC_API_KEY'], message: 'required with DECISION_MODEL_PROVIDER=anthropic' });
  }
};

/** The Anthropic engine's settings from the configuration (prices: none configured, cost recorded as 0). */
export function anthropicConfigOf(c: Config): AnthropicConfig {
  return {
    apiKey: c.ANTHROPIC_API_KEY ?? '',
    ...(c.ANTHROPIC_BASE_URL === undefined ? {} : { baseURL: c.ANTHROPIC_BASE_URL }),
    models: { basic: c.ANTHROPIC_MODEL_BASIC, standard: c.ANTHROPIC_MODEL_STANDARD, advanced: c.ANTHROPIC_MODEL_ADVANCED },
    prices: {},
    maxTokens: c.ANTHROPIC_MAX_TOKENS,
    timeoutMs: c.ANTHROPIC_TIMEOUT_MS,
    maxRetries: c.ANTHROPIC_MAX_RETRIES,
    backoffMs: 500,
    maxBackoffMs: 8_000,
  };
}

/**
 * The configured engine, or why the worker cannot run with it: `recorded` needs a reply archive
 * (the replies of earlier runs by packet digest), which needs the decision read model of
 * `decision-wiring` (`doc/ai-trading.md`, "Not built yet").
 */
export function engineOf(c: Config): DecisionEngine | string {
  switch (c.DECISION_MODEL_PROVIDER) {
    case 'none':
      return noneEngine;
    case 'rules':
      return rulesEngine;
    case 'anthropic':
      return anthropicEngine(anthropicConfigOf(c));
    case 'recorded':
      return 'DECISION_MODEL_PROVIDER=recorded has no reply archive in a server yet';
  }
}
