/**
 * What a backtest request names (issue 14, "Jobs"): the clone, the strategy (a published version
 * or a draft snapshot), the simulated window, the assets, the engine and the cadences. Shared by
 * the events, the HTTP body and the CLI so every boundary validates the same bounds.
 */
import { z } from 'zod';

/** Decision engines of the runtime (issue 13). */
export const zBacktestEngine = z.enum(['none', 'rules', 'recorded', 'anthropic']);
export type BacktestEngine = z.output<typeof zBacktestEngine>;

const MINUTE_MS = 60_000;
/** The longest window a request may name (366 days, ms): the tier's step cap is usually far lower. */
export const MAX_WINDOW_MS = 366 * 24 * 60 * MINUTE_MS;

export const zAssetSymbol = z
  .string()
  .max(20)
  .regex(/^[A-Z0-9]{1,20}$/, 'an upper-case asset symbol such as BTC');

/** A published version of the clone, or a draft graph stored as an artifact (key and sha-256). */
export const zStrategyRef = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('version'), versionId: z.string().min(1).max(200) }).strict(),
  z.object({ kind: z.literal('draft'), snapshotKey: z.string().min(1).max(500), sha256: z.string().regex(/^[0-9a-f]{64}$/) }).strict(),
]);
export type StrategyRef = z.output<typeof zStrategyRef>;

/**
 * A live audition or race account whose decision window a `recorded` run re-runs (doc/backtesting.md,
 * "Re-running a live window"): its runs' stored packets and replies, on the backtest's own account.
 */
export const zLiveWindow = z.object({ propAccountId: z.string().min(1).max(200) }).strict();
export type LiveWindow = z.output<typeof zLiveWindow>;

/** The run's shape; times are Unix ms, cadences ms (whole minutes, the decision interval a multiple of the step). */
export const zRunShape = z
  .object({
    strategy: zStrategyRef,
    fromMs: z.number().int().nonnegative(),
    toMs: z.number().int().positive(),
    assets: z
      .array(zAssetSymbol)
      .min(1)
      .max(50)
      .refine((a) => new Set(a).size === a.length, 'assets must be distinct'),
    engine: zBacktestEngine,
    stepMs: z
      .number()
      .int()
      .min(MINUTE_MS)
      .max(24 * 60 * MINUTE_MS)
      .refine((ms) => ms % MINUTE_MS === 0, 'whole minutes'),
    decisionIntervalMs: z
      .number()
      .int()
      .min(MINUTE_MS)
      .max(24 * 60 * MINUTE_MS),
    /** Absent for a replay of the strategy; set, the decisions are the live account's runs in the window (engine `recorded`). */
    liveWindow: zLiveWindow.optional(),
  })
  .strict()
  .superRefine((r, ctx) => {
    if (r.toMs <= r.fromMs) ctx.addIssue({ code: 'custom', path: ['toMs'], message: 'the window must end after it starts' });
    if (r.toMs - r.fromMs > MAX_WINDOW_MS) ctx.addIssue({ code: 'custom', path: ['toMs'], message: 'the window is at most 366 days' });
    if (r.decisionIntervalMs % r.stepMs !== 0)
      ctx.addIssue({ code: 'custom', path: ['decisionIntervalMs'], message: 'a whole number of steps' });
    if (r.liveWindow && r.engine !== 'recorded')
      ctx.addIssue({ code: 'custom', path: ['engine'], message: 'a live window is re-run with the recorded engine' });
  });
export type RunShape = z.output<typeof zRunShape>;

/** Defaults where a request is silent: 5-minute steps (the `last_6h` / 5-minute shape) and 15-minute decisions. */
export const DEFAULT_STEP_MS = 5 * MINUTE_MS;
export const DEFAULT_DECISION_INTERVAL_MS = 15 * MINUTE_MS;
