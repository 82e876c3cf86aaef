/**
 * The decision runtime's configuration (issue 13; README "Decisions"): the engine of this
 * deployment, the Anthropic settings with a model per model strength, and the worker's pace.
 * Validated at start-up with the rest of `configSchema`; `anthropic` without a key is refused.
 */
import { z } from 'zod';
import { type AnthropicConfig, anthropicEngine } from '../adapters/models/anthropic.ts';
import type { ModelPrice } from '../adapters/models/cost.ts';
import { type DecisionEngine, engineNames } from '../adapters/models/engine.ts';
import { type ReplyArchive, recordedEngine } from '../adapters/models/recorded.ts';
import { noneEngine } from '../commands/decisions/engines/none.ts';
import { rulesEngine } from '../commands/decisions/engines/rules.ts';
import type { Config } from './config.ts';

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const model = z.string().min(1).max(100);

/**
 * Prices of the default models, micro-USD per million tokens (input:output), as listed on
 * Anthropic's pricing page (https://www.anthropic.com/pricing, "API") in October 2025:
 * Haiku 3.5 $0.80/$4, Sonnet 4.5 $3/$15, Opus 4.1 $15/$75. `ANTHROPIC_PRICES` adds or replaces entries.
 */
export const DEFAULT_ANTHROPIC_PRICES =
  'claude-3-5-haiku-latest=800000:4000000,claude-sonnet-4-5=3000000:15000000,claude-opus-4-1=15000000:75000000';

const MAX_PRICE = 1_000_000_000n;
const priceEntry = /^([A-Za-z0-9._:@-]{1,100})=(\d{1,10}):(\d{1,10})$/;

/**
 * `model=inputMicroUsdPerMTok:outputMicroUsdPerMTok,…` (at most 50 entries, prices integers up to
 * 10^9) → prices by model id. Errors: a zod issue on the variable naming the malformed entry.
 */
const zPrices = z
  .string()
  .max(4000)
  .transform((s, ctx) => {
    const prices: Record<string, ModelPrice> = {};
    for (const entry of s
      .split(',')
      .map((e) => e.trim())
      .filter(Boolean)) {
      const m = priceEntry.exec(entry);
      const [input, output] = [BigInt(m?.[2] ?? -1), BigInt(m?.[3] ?? -1)];
      if (!m || input > MAX_PRICE || output > MAX_PRICE) {
        ctx.addIssue({
          code: 'custom',
          message: `not model=inputMicroUsdPerMTok:outputMicroUsdPerMTok (≤ ${MAX_PRICE}): ${entry.slice(0, 120)}`,
        });
        return z.NEVER;
      }
      prices[m[1] as string] = { inputMicroUsdPerMTok: input, outputMicroUsdPerMTok: output };
    }
    if (Object.keys(prices).length > 50) ctx.addIssue({ code: 'custom', message: 'at most 50 priced models' });
    return prices;
  });

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
  /** Prices per model (`model=in:out,…`, micro-USD per million tokens), over `DEFAULT_ANTHROPIC_PRICES`. */
  ANTHROPIC_PRICES: zPrices.default({}),
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

/** The prices in force: `DEFAULT_ANTHROPIC_PRICES` with `ANTHROPIC_PRICES` over them (micro-USD per million tokens, by model id). */
export const anthropicPricesOf = (c: Pick<Config, 'ANTHROPIC_PRICES'>): Record<string, ModelPrice> => ({
  ...zPrices.parse(DEFAULT_ANTHROPIC_PRICES),
  ...c.ANTHROPIC_PRICES,
});

type AnthropicSettings = Pick<
  Config,
  | 'DECISION_MODEL_PROVIDER'
  | 'ANTHROPIC_API_KEY'
  | 'ANTHROPIC_PRICES'
  | 'ANTHROPIC_MODEL_BASIC'
  | 'ANTHROPIC_MODEL_STANDARD'
  | 'ANTHROPIC_MODEL_ADVANCED'
>;

/**
 * `anthropic` needs its key; wherever the engine can run (the `anthropic` provider, or a key for
 * backtests) every configured model needs a price, so every call records its cost.
 */
export const refuseAnthropicWithoutKey = (c: AnthropicSettings, ctx: z.RefinementCtx) => {
  if (c.DECISION_MODEL_PROVIDER === 'anthropic' && c.ANTHROPIC_API_KEY === undefined) {
    ctx.addIssue({ code: 'custom', path: ['ANTHROPIC_API_KEY'], message: 'required with DECISION_MODEL_PROVIDER=anthropic' });
  }
  if (c.DECISION_MODEL_PROVIDER !== 'anthropic' && c.ANTHROPIC_API_KEY === undefined) return;
  const prices = anthropicPricesOf(c);
  const unpriced = [c.ANTHROPIC_MODEL_BASIC, c.ANTHROPIC_MODEL_STANDARD, c.ANTHROPIC_MODEL_ADVANCED].filter((m) => !(m in prices));
  if (unpriced.length > 0) {
    ctx.addIssue({ code: 'custom', path: ['ANTHROPIC_PRICES'], message: `no price for ${unpriced.join(', ')}` });
  }
};

/** The Anthropic engine's settings from the configuration. */
export function anthropicConfigOf(c: Config): AnthropicConfig {
  return {
    apiKey: c.ANTHROPIC_API_KEY ?? '',
    ...(c.ANTHROPIC_BASE_URL === undefined ? {} : { baseURL: c.ANTHROPIC_BASE_URL }),
    models: { basic: c.ANTHROPIC_MODEL_BASIC, standard: c.ANTHROPIC_MODEL_STANDARD, advanced: c.ANTHROPIC_MODEL_ADVANCED },
    prices: anthropicPricesOf(c),
    maxTokens: c.ANTHROPIC_MAX_TOKENS,
    timeoutMs: c.ANTHROPIC_TIMEOUT_MS,
    maxRetries: c.ANTHROPIC_MAX_RETRIES,
    backoffMs: 500,
    maxBackoffMs: 8_000,
  };
}

/**
 * The configured engine; `recorded` replays the replies of `archive` (the decision read model's
 * completed runs by packet digest, `server/decision-replies.ts`).
 */
export function engineOf(c: Config, archive: ReplyArchive): DecisionEngine {
  switch (c.DECISION_MODEL_PROVIDER) {
    case 'none':
      return noneEngine;
    case 'rules':
      return rulesEngine;
    case 'anthropic':
      return anthropicEngine(anthropicConfigOf(c));
    case 'recorded':
      return recordedEngine(archive);
  }
}
