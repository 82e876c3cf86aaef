/**
 * The `anthropic` decision engine: one Messages API call per decision run through
 * `@anthropic-ai/sdk` (issue 13 "Engines"). The model comes from the clone's model strength
 * (configured per tier); the SDK's own retries are off and this adapter retries instead, so the
 * rule is ours: 429, any 5xx (529 "overloaded" included), timeouts and lost connections are
 * retried with exponential backoff (`backoffMs · 2^(attempt−1)`, capped at `maxBackoffMs`),
 * other 4xx are not. Usage and cost (`callCostMicroUsd`) come with the reply.
 *
 * Errors: `engine_refused` (422) when the API refuses the request (4xx other than 429);
 * `engine_unavailable` (503) when every attempt failed; `reply_missing` (502-like, 503) when the
 * answer has no text block.
 */
import Anthropic from '@anthropic-ai/sdk';
import { z } from 'zod';
import { ClashError } from '../../core/errors.ts';
import { callCostMicroUsd } from './cost.ts';
import type { DecisionEngine, DecisionRequest, EngineReply } from './engine.ts';

const modelId = z.string().min(1).max(100);
const pricePerMTok = z.coerce.bigint().min(0n).max(1_000_000_000n);

/** The engine's configuration (validated at start-up; see the README configuration table). */
export const zAnthropicConfig = z
  .object({
    apiKey: z.string().min(1).max(500),
    /** Defaults to the SDK's (https://api.anthropic.com). */
    baseURL: z.url().max(500).optional(),
    /** The model per model strength (`basic`, `standard`, `advanced`; the server checks the names). */
    models: z.record(z.string().min(1).max(20), modelId),
    /** Prices per model id, micro-USD per million tokens; a model without a price is recorded at cost 0. */
    prices: z.record(modelId, z.object({ inputMicroUsdPerMTok: pricePerMTok, outputMicroUsdPerMTok: pricePerMTok }).strict()).default({}),
    maxTokens: z.number().int().min(1).max(64_000).default(1024),
    /** Per attempt, ms. */
    timeoutMs: z.number().int().min(10).max(600_000).default(60_000),
    /** Retries after the first attempt. */
    maxRetries: z.number().int().min(0).max(10).default(3),
    backoffMs: z.number().int().min(0).max(60_000).default(500),
    maxBackoffMs: z.number().int().min(0).max(600_000).default(8_000),
  })
  .strict();
export type AnthropicConfig = z.output<typeof zAnthropicConfig>;

/** Waits `ms`; injected so tests do not sleep. */
export type Sleep = (ms: number) => Promise<void>;
const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Whether a failed call may be retried: 429, 5xx (529 included), timeouts and connection errors. */
export function isRetryable(error: unknown): boolean {
  if (error instanceof Anthropic.APIConnectionError) return true;
  if (error instanceof Anthropic.APIError) return error.status === 429 || (error.status !== undefined && error.status >= 500);
  return false;
}

const describe = (error: unknown) =>
  error instanceof Anthropic.APIError
    ? { status: error.status ?? null, message: error.message.slice(0, 300) }
    : { status: null, message: String(error).slice(0, 300) };

/** Builds the engine; `sleep` is for tests. */
export function anthropicEngine(config: AnthropicConfig, sleep: Sleep = realSleep): DecisionEngine {
  const client = new Anthropic({ apiKey: config.apiKey, baseURL: config.baseURL ?? null, timeout: config.timeoutMs, maxRetries: 0 });
  return {
    name: 'anthropic',
    async decide(request: DecisionRequest): Promise<EngineReply> {
      const model = config.models[request.modelStrength];
      if (model === undefined)
        throw new ClashError('engine_refused', 'unprocessable', `no model configured for ${request.modelStrength}`, {
          modelStrength: request.modelStrength,
        });
      let attempt = 0;
      for (;;) {
        attempt += 1;
        try {
          const message = await client.messages.create({
            model,
            max_tokens: config.maxTokens,
            system: request.system,
            messages: [{ role: 'user', content: request.prompt }],
          });
          const text = message.content.flatMap((block) => (block.type === 'text' ? [block.text] : [])).join('');
          const usage = { inputTokens: message.usage.input_tokens, outputTokens: message.usage.output_tokens };
          if (text === '') throw new ClashError('reply_missing', 'unavailable', 'the model answered no text', { model });
          const price = config.prices[model];
          return { text, model, usage, costMicroUsd: price ? callCostMicroUsd(usage, price) : 0n, attempts: attempt };
        } catch (error) {
          if (error instanceof ClashError) throw error;
          if (!isRetryable(error)) {
            throw new ClashError('engine_refused', 'unprocessable', 'the model API refused the request', {
              model,
              attempts: attempt,
              ...describe(error),
            });
          }
          if (attempt > config.maxRetries) {
            throw new ClashError('engine_unavailable', 'unavailable', 'the model API failed on every attempt', {
              model,
              attempts: attempt,
              ...describe(error),
            });
          }
          await sleep(Math.min(config.maxBackoffMs, config.backoffMs * 2 ** (attempt - 1)));
        }
      }
    },
  };
}
