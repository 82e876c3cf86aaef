/**
 * One retry policy for every worker unit (hand-offs, ingestion polls, decision runs, backtests,
 * webhook deliveries): exponential backoff with full jitter and an attempt limit, after which the
 * unit is parked as a dead letter (`work-units.ts`). Issue 15, "Retries and dead letters".
 */
import { z } from 'zod';

/** `baseMs · factor^(attempt−1)`, capped at `maxMs`, then scaled by a jitter in [1 − jitter, 1]. */
export interface RetryPolicy {
  /** Attempts in all, the first included; after the last failure the unit is a dead letter. */
  readonly maxAttempts: number;
  /** Delay after the first failure, in ms. */
  readonly baseMs: number;
  /** Upper bound of any delay, in ms. */
  readonly maxMs: number;
  /** Growth per attempt (2: doubling). */
  readonly factor: number;
  /** Share of the delay drawn at random (0: none, 1: full jitter), so retries of many units spread out. */
  readonly jitter: number;
}

export const zRetryPolicy = z.object({
  maxAttempts: z.number().int().min(1).max(100),
  baseMs: z.number().int().min(0).max(86_400_000),
  maxMs: z.number().int().min(0).max(86_400_000),
  factor: z.number().min(1).max(10),
  jitter: z.number().min(0).max(1),
});

/** The default for worker units: 5 attempts, 1 s doubling to at most 5 min, half jitter. */
export const defaultRetryPolicy: RetryPolicy = { maxAttempts: 5, baseMs: 1000, maxMs: 300_000, factor: 2, jitter: 0.5 };

/** A source of numbers in [0, 1): `Math.random` in production, a fixed sequence in tests. */
export type Random = () => number;

/**
 * The delay in ms before attempt `failures + 1`, after `failures` (≥ 1) failed attempts; an
 * integer in `[(1 − jitter) · d, d]` where `d = min(maxMs, baseMs · factor^(failures−1))`.
 */
export function backoffMs(policy: RetryPolicy, failures: number, random: Random = Math.random): number {
  const exponential = Math.min(policy.maxMs, policy.baseMs * policy.factor ** Math.max(0, failures - 1));
  return Math.floor(exponential * (1 - policy.jitter * random()));
}

/** True when a unit that has failed `attempts` times may not be tried again (it becomes a dead letter). */
export function exhausted(policy: RetryPolicy, attempts: number): boolean {
  return attempts >= policy.maxAttempts;
}

/**
 * Runs `fn` until it succeeds or the policy is exhausted, sleeping the backoff between attempts;
 * rethrows the last error. For short in-call retries (a webhook POST); units that must survive
 * a restart park in `WorkUnits` instead.
 */
export async function withRetries<T>(
  fn: (attempt: number) => Promise<T>,
  policy: RetryPolicy,
  options: { sleep?: (ms: number) => Promise<void>; random?: Random } = {},
): Promise<T> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await fn(attempt);
    } catch (error) {
      if (exhausted(policy, attempt)) throw error;
      await sleep(backoffMs(policy, attempt, options.random));
    }
  }
}
