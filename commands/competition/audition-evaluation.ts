/**
 * The audition's judgement of an account's figures at a time: a breach fails at once; at the
 * window's end the audition passes iff the profit target is met with enough fills. Every limit
 * is compared exactly by cross-multiplication in basis points: no division, no rounding.
 */
import { BPS, maxBigint } from '../../core/money.ts';
import type { AuditionFailure, AuditionFigures, AuditionRules } from './audition-events.ts';

export type AuditionJudgement =
  | { readonly outcome: 'pending' }
  | { readonly outcome: 'passed' }
  | { readonly outcome: 'failed'; readonly reason: AuditionFailure };

/** loss / base > limitBps / 10000, exactly. */
function beyond(loss: bigint, base: bigint, limitBps: number): boolean {
  return loss * BPS > base * BigInt(limitBps);
}

export function judgeAudition(
  rules: AuditionRules,
  startingEquityMicroUsd: bigint,
  figures: AuditionFigures,
  windowEnded: boolean,
): AuditionJudgement {
  const dailyLoss = figures.startOfDayEquityMicroUsd - figures.equityMicroUsd;
  if (figures.dailyLossBreached || beyond(dailyLoss, figures.startOfDayEquityMicroUsd, rules.maxDailyLossBps)) {
    return { outcome: 'failed', reason: 'daily_loss_limit' };
  }
  const totalLoss = maxBigint(figures.maxDrawdownMicroUsd, startingEquityMicroUsd - figures.equityMicroUsd);
  if (figures.totalLossBreached || beyond(totalLoss, startingEquityMicroUsd, rules.maxTotalLossBps)) {
    return { outcome: 'failed', reason: 'total_loss_limit' };
  }
  if (!windowEnded) return { outcome: 'pending' };
  if (figures.fills < rules.minFills) return { outcome: 'failed', reason: 'too_few_fills' };
  const profit = figures.equityMicroUsd - startingEquityMicroUsd;
  if (profit * BPS < startingEquityMicroUsd * BigInt(rules.profitTargetBps)) return { outcome: 'failed', reason: 'target_not_met' };
  return { outcome: 'passed' };
}
