/**
 * Events of `backtest-<id>` streams (one job each) and of `backtest-usage-<userId>-<cloneId>-<day>`
 * streams (the runs accepted per user, clone and UTC day). A request freezes the tier, the limits
 * and the estimate it was judged by; a refusal names the limit that refused it (issue 14).
 */
import { z } from 'zod';
import { defineEvent, type EventOf } from '../../core/event-registry.ts';
import { zTierName } from '../entitlements/tiers.ts';
import { zEstimate } from './estimate.ts';
import { zBacktestLimits, zLimitName } from './limits.ts';
import { zBacktestMetrics } from './metrics.ts';
import { zRunShape } from './request.ts';

const id = z.string().min(1).max(200);
const at = z.number().int();
/** A UTC calendar day, `YYYY-MM-DD`. */
export const zUsageDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

/** What an artifact of a run holds; `packets`, `prompts` and `replies` expire, the others are durable. */
export const zArtifactKind = z.enum(['summary', 'equity', 'trades', 'decisions', 'packets', 'prompts', 'replies']);
export type ArtifactKind = z.output<typeof zArtifactKind>;

export const zArtifactRef = z
  .object({
    /** The object's key, or for kinds written in parts the folder they are in (ending in `/`). */
    key: z.string().min(1).max(500),
    kind: zArtifactKind,
    /** When the artifact store may delete it (Unix ms); null for durable artifacts (summaries and metrics). */
    expiresAt: at.nullable(),
  })
  .strict();
export type ArtifactRef = z.output<typeof zArtifactRef>;

export const BacktestRequested = defineEvent(
  'BacktestRequested',
  z
    .object({
      backtestId: id,
      cloneId: id,
      userId: id,
      run: zRunShape,
      tier: zTierName,
      limits: zBacktestLimits,
      estimate: zEstimate,
      usageDay: zUsageDay,
      requestedAt: at,
    })
    .strict(),
);

export const BacktestAccepted = defineEvent('BacktestAccepted', z.object({ backtestId: id, propAccountId: id, acceptedAt: at }).strict());

export const BacktestRefused = defineEvent(
  'BacktestRefused',
  z
    .object({
      backtestId: id,
      limit: zLimitName,
      allowed: z.number().int().nonnegative(),
      requested: z.number().int().nonnegative(),
      refusedAt: at,
    })
    .strict(),
);

export const BacktestLeased = defineEvent(
  'BacktestLeased',
  z.object({ backtestId: id, workerId: id, attempt: z.number().int().positive(), leasedAt: at, leaseUntil: at }).strict(),
);

export const BacktestProgressed = defineEvent(
  'BacktestProgressed',
  z
    .object({
      backtestId: id,
      workerId: id,
      stepsDone: z.number().int().nonnegative(),
      stepsTotal: z.number().int().nonnegative(),
      /** The simulated clock (Unix ms). */
      simulatedAt: at,
      progressedAt: at,
      leaseUntil: at,
    })
    .strict(),
);

/**
 * What a live-window re-run reproduced (`live-window.ts`): of the live account's `runs`, how many
 * decisions and orders came out the same, how many runs diverged, and whether the re-run's
 * metrics equal the live account's byte for byte. The divergences themselves are in the summary.
 */
export const zLiveWindowVerdict = z
  .object({
    runs: z.number().int().nonnegative(),
    decisionsReproduced: z.number().int().nonnegative(),
    ordersReproduced: z.number().int().nonnegative(),
    divergences: z.number().int().nonnegative(),
    metricsReproduced: z.boolean(),
  })
  .strict();
export type LiveWindowVerdict = z.output<typeof zLiveWindowVerdict>;

/** A run finished; `liveWindow` only for a live-window re-run (an optional key added last: older events read without it). */
export const BacktestFinished = defineEvent(
  'BacktestFinished',
  z
    .object({
      backtestId: id,
      workerId: id,
      metrics: zBacktestMetrics,
      artifacts: z.array(zArtifactRef).max(20),
      finishedAt: at,
      liveWindow: zLiveWindowVerdict.optional(),
    })
    .strict(),
);

export const BacktestFailed = defineEvent(
  'BacktestFailed',
  z.object({ backtestId: id, workerId: id, code: z.string().min(1).max(100), message: z.string().max(2000), failedAt: at }).strict(),
);

/**
 * The expiring artifacts of a run (packets, prompts, replies) were deleted from the artifact
 * store once their retention window had passed (`001_…` "Artifact retention"); the summary and
 * the metrics stay. `keys` are the folders deleted, `objects` how many stored objects went.
 */
export const BacktestArtifactsExpired = defineEvent(
  'BacktestArtifactsExpired',
  z
    .object({
      backtestId: id,
      kinds: z.array(zArtifactKind).min(1).max(7),
      keys: z.array(z.string().min(1).max(500)).min(1).max(20),
      objects: z.number().int().nonnegative(),
      expiredAt: at,
    })
    .strict(),
);

/** One accepted run counted against the user's daily quota on the clone. */
export const BacktestRunCounted = defineEvent(
  'BacktestRunCounted',
  z.object({ backtestId: id, userId: id, cloneId: id, usageDay: zUsageDay, countedAt: at }).strict(),
);

export const backtestEvents = [
  BacktestRequested,
  BacktestAccepted,
  BacktestRefused,
  BacktestLeased,
  BacktestProgressed,
  BacktestFinished,
  BacktestFailed,
  BacktestArtifactsExpired,
  BacktestRunCounted,
];
export type BacktestEvent =
  | EventOf<typeof BacktestRequested>
  | EventOf<typeof BacktestAccepted>
  | EventOf<typeof BacktestRefused>
  | EventOf<typeof BacktestLeased>
  | EventOf<typeof BacktestProgressed>
  | EventOf<typeof BacktestFinished>
  | EventOf<typeof BacktestFailed>
  | EventOf<typeof BacktestArtifactsExpired>;
export type BacktestUsageEvent = EventOf<typeof BacktestRunCounted>;
