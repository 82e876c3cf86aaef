/**
 * Events of `decisions-<propAccountId>` streams: one decision run per due unit (account, asset,
 * due time), from scheduled to completed or failed (issue 13 "Decision runs"; design
 * `ARCHITECTURE.md`). Large payloads are not in the log: the packet, the prompt and the raw
 * reply are artifacts named by key, sha-256 and size. Money in micro-USD (integer strings),
 * times in ms since the epoch, latency in ms. The run id is the order's `decisionRunId` in
 * Prop Trading, so a retried run never trades twice.
 */
import { z } from 'zod';
import { engineNames } from '../../adapters/models/engine.ts';
import { defineEvent, type EventOf } from '../../core/event-registry.ts';
import { zNonNegativeAmount } from '../../core/money.ts';
import { zTradingAction } from '../ai-trading/action.ts';
import { refusalCodes } from './validate.ts';

const id = z.string().min(1).max(200);
const at = z.number().int().nonnegative();
const sha256 = z.string().regex(/^[0-9a-f]{64}$/);
/** A stored payload: artifact key, hex sha-256, size in bytes. */
export const zArtifactRef = z.object({ key: z.string().min(1).max(300), sha256, size: z.number().int().nonnegative() }).strict();
const tokens = z.number().int().nonnegative().max(10_000_000);

export const DecisionRunScheduled = defineEvent(
  'DecisionRunScheduled',
  z.object({ runId: id, propAccountId: id, cloneId: id, asset: z.string().min(1).max(32), dueAt: at, scheduledAt: at }).strict(),
);

/**
 * Why the worker did not run a due unit (`worker.ts`): the clone or the engine's source family is
 * paused by an admin (`controls.ts`), or the clone's entitlement does not cover its strategy now
 * (none active, its model tier above the entitlement's strength, more active assets than its capacity).
 */
export const skipReasons = [
  'clone_paused',
  'source_paused',
  'no_entitlement',
  'model_strength_not_entitled',
  'asset_capacity_exceeded',
] as const;
export type SkipReason = (typeof skipReasons)[number];

/** A due unit recorded as not run, with its reason; it uses up the due time like a run (never silently dropped). */
export const DecisionRunSkipped = defineEvent(
  'DecisionRunSkipped',
  z
    .object({
      runId: id,
      propAccountId: id,
      cloneId: id,
      asset: z.string().min(1).max(32),
      dueAt: at,
      reason: z.enum(skipReasons),
      detail: z.string().min(1).max(300),
      skippedAt: at,
    })
    .strict(),
);

export const DecisionRunStarted = defineEvent(
  'DecisionRunStarted',
  z
    .object({
      runId: id,
      engine: z.enum(engineNames),
      /** The model the engine will call (the tier's model), or the engine's own name. */
      model: z.string().min(1).max(100),
      packetDigest: sha256,
      promptTemplateVersion: z.string().min(1).max(50),
      packet: zArtifactRef,
      prompt: zArtifactRef,
      startedAt: at,
    })
    .strict(),
);

/** How the raw reply parsed (`reply.ts`): valid, extracted from a fence (flagged), or refused with the reason. */
export const zParseResult = z
  .object({
    status: z.enum(['valid', 'extracted', 'refused']),
    reason: z.enum(['reply_too_long', 'reply_not_json', 'contract_violation']).nullable(),
    issues: z.array(z.object({ path: z.string().max(200), message: z.string().max(200) }).strict()).max(10),
  })
  .strict();

export const DecisionReplyRecorded = defineEvent(
  'DecisionReplyRecorded',
  z
    .object({
      runId: id,
      model: z.string().min(1).max(100),
      reply: zArtifactRef,
      inputTokens: tokens,
      outputTokens: tokens,
      costMicroUsd: zNonNegativeAmount,
      latencyMs: z.number().int().nonnegative(),
      attempts: z.number().int().nonnegative().max(100),
      parse: zParseResult,
      recordedAt: at,
    })
    .strict(),
);

export const DecisionActionAccepted = defineEvent(
  'DecisionActionAccepted',
  z.object({ runId: id, action: zTradingAction, acceptedAt: at }).strict(),
);

export const zRefusal = z.object({ code: z.enum([...refusalCodes, 'reply_refused']), detail: z.string().min(1).max(300) }).strict();

/** The reply did not parse (`stage: parse`, one `reply_refused` reason) or the action failed validation. */
export const DecisionActionRefused = defineEvent(
  'DecisionActionRefused',
  z.object({ runId: id, stage: z.enum(['parse', 'validation']), refusals: z.array(zRefusal).min(1).max(20), refusedAt: at }).strict(),
);

/** The run's end: the order it sent to Prop Trading (executed, or refused by its gates with the code), or none. */
export const DecisionRunCompleted = defineEvent(
  'DecisionRunCompleted',
  z
    .object({
      runId: id,
      order: z
        .object({ orderId: id, status: z.enum(['executed', 'refused']), code: z.string().max(100).nullable() })
        .strict()
        .nullable(),
      completedAt: at,
    })
    .strict(),
);

/** The run could not finish: the engine had no reply, or the context could not be compiled. */
export const DecisionRunFailed = defineEvent(
  'DecisionRunFailed',
  z.object({ runId: id, code: z.string().min(1).max(100), message: z.string().max(500), failedAt: at }).strict(),
);

export const decisionEvents = [
  DecisionRunScheduled,
  DecisionRunSkipped,
  DecisionRunStarted,
  DecisionReplyRecorded,
  DecisionActionAccepted,
  DecisionActionRefused,
  DecisionRunCompleted,
  DecisionRunFailed,
];
export type DecisionEvent =
  | EventOf<typeof DecisionRunScheduled>
  | EventOf<typeof DecisionRunSkipped>
  | EventOf<typeof DecisionRunStarted>
  | EventOf<typeof DecisionReplyRecorded>
  | EventOf<typeof DecisionActionAccepted>
  | EventOf<typeof DecisionActionRefused>
  | EventOf<typeof DecisionRunCompleted>
  | EventOf<typeof DecisionRunFailed>;
export type DecisionEventData<T extends DecisionEvent['type']> = Extract<DecisionEvent, { type: T }>['data'];
