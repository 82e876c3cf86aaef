/**
 * The events of an audition stream (`audition-<id>`): submitted with its rules frozen, an
 * account requested from Prop Trading and opened, evaluated to passed or failed with the
 * figures it was judged on, retried, voided with the fee refund owed. Equity in micro-USD.
 */
import { z } from 'zod';
import { defineEvent, type EventOf } from '../../core/event-registry.ts';
import { MICRO_USD, zAmount, zNonNegativeAmount } from '../../core/money.ts';
import { zBps, zCount, zDuration, zId, zReason, zTime } from './fields.ts';

const HOUR_MS = 3_600_000;

export const zAuditionRules = z
  .object({
    /** From the account's opening to the end of the evaluation window. */
    windowMs: zDuration,
    /** Equity of the audition prop account at opening. */
    startingEquityMicroUsd: zNonNegativeAmount.refine((v) => v > 0n, 'must be > 0'),
    /** Pass needs (equity − start) / start ≥ this. */
    profitTargetBps: zBps,
    /** A fall from the start-of-day equity beyond this fails at once. */
    maxDailyLossBps: zBps,
    /** A drawdown from the starting equity beyond this fails at once. */
    maxTotalLossBps: zBps,
    /** Pass needs at least this many fills. */
    minFills: zCount,
    /** Retries allowed after a fail, on the same fee. */
    freeRetries: zCount,
  })
  .strict();
export type AuditionRules = z.output<typeof zAuditionRules>;

export const defaultAuditionRules: AuditionRules = Object.freeze({
  windowMs: 24 * HOUR_MS,
  startingEquityMicroUsd: 10_000n * MICRO_USD.one,
  profitTargetBps: 1_000,
  maxDailyLossBps: 500,
  maxTotalLossBps: 1_000,
  minFills: 1,
  freeRetries: 1,
});

/** What the evaluator read from the audition prop account at the time of evaluation. */
export const zAuditionFigures = z
  .object({
    equityMicroUsd: zAmount,
    startOfDayEquityMicroUsd: zAmount,
    /** The worst fall below the starting equity seen so far (Prop Trading's drawdown). */
    maxDrawdownMicroUsd: zNonNegativeAmount,
    fills: zCount,
    /** Prop Trading's own breach flags, from marks the evaluator may not have seen. */
    dailyLossBreached: z.boolean(),
    totalLossBreached: z.boolean(),
  })
  .strict();
export type AuditionFigures = z.output<typeof zAuditionFigures>;

export const zAuditionFailure = z.enum(['daily_loss_limit', 'total_loss_limit', 'too_few_fills', 'target_not_met']);
export type AuditionFailure = z.output<typeof zAuditionFailure>;

const attempt = z.number().int().min(1);

export const AuditionSubmitted = defineEvent(
  'AuditionSubmitted',
  z
    .object({
      auditionId: zId,
      cloneId: zId,
      strategyVersionId: zId,
      /** The verified audition fee this audition consumes. */
      feePaymentId: zId,
      rules: zAuditionRules,
      submittedAt: zTime,
    })
    .strict(),
);

/** For the process manager: open an audition prop account through Prop Trading. */
export const AuditionAccountRequested = defineEvent(
  'AuditionAccountRequested',
  z
    .object({
      auditionId: zId,
      attempt,
      cloneId: zId,
      strategyVersionId: zId,
      purpose: z.literal('audition'),
      startingEquityMicroUsd: zNonNegativeAmount,
      requestedAt: zTime,
    })
    .strict(),
);

export const AuditionAccountOpened = defineEvent(
  'AuditionAccountOpened',
  z
    .object({
      auditionId: zId,
      attempt,
      propAccountId: zId,
      startingEquityMicroUsd: zNonNegativeAmount,
      windowEndsAt: zTime,
      openedAt: zTime,
    })
    .strict(),
);

export const AuditionPassed = defineEvent(
  'AuditionPassed',
  z.object({ auditionId: zId, attempt, cloneId: zId, propAccountId: zId, figures: zAuditionFigures, passedAt: zTime }).strict(),
);

export const AuditionFailed = defineEvent(
  'AuditionFailed',
  z
    .object({
      auditionId: zId,
      attempt,
      cloneId: zId,
      propAccountId: zId,
      reason: zAuditionFailure,
      figures: zAuditionFigures,
      failedAt: zTime,
    })
    .strict(),
);

export const AuditionRetried = defineEvent(
  'AuditionRetried',
  z.object({ auditionId: zId, attempt, strategyVersionId: zId, retriesLeft: zCount, retriedAt: zTime }).strict(),
);

export const AuditionVoided = defineEvent(
  'AuditionVoided',
  z.object({ auditionId: zId, cloneId: zId, reason: zReason, voidedBy: zId, voidedAt: zTime }).strict(),
);

/** For the process manager: Economy refunds the audition fee (a withdrawal authorization). */
export const AuditionFeeRefundOwed = defineEvent(
  'AuditionFeeRefundOwed',
  z.object({ auditionId: zId, cloneId: zId, feePaymentId: zId, owedAt: zTime }).strict(),
);

export const auditionEvents = [
  AuditionSubmitted,
  AuditionAccountRequested,
  AuditionAccountOpened,
  AuditionPassed,
  AuditionFailed,
  AuditionRetried,
  AuditionVoided,
  AuditionFeeRefundOwed,
];

export type AuditionEvent =
  | EventOf<typeof AuditionSubmitted>
  | EventOf<typeof AuditionAccountRequested>
  | EventOf<typeof AuditionAccountOpened>
  | EventOf<typeof AuditionPassed>
  | EventOf<typeof AuditionFailed>
  | EventOf<typeof AuditionRetried>
  | EventOf<typeof AuditionVoided>
  | EventOf<typeof AuditionFeeRefundOwed>;
