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

/**
 * Each rule of the audition against the figures, as the judgement reads them (micro-USD):
 * the loss since the start of the day and its limit, the total loss (the worse of the max
 * drawdown and the fall below the starting equity) and its limit, fills against the minimum,
 * profit against the target. `within`/`met` are exact comparisons in basis points.
 */
export interface AuditionChecks {
  readonly dailyLoss: { readonly lossMicroUsd: bigint; readonly limitBps: number; readonly within: boolean };
  readonly totalLoss: { readonly lossMicroUsd: bigint; readonly limitBps: number; readonly within: boolean };
  readonly fills: { readonly fills: number; readonly minFills: number; readonly met: boolean };
  readonly profit: { readonly profitMicroUsd: bigint; readonly targetBps: number; readonly met: boolean };
}

/** loss / base > limitBps / 10000, exactly. */
function beyond(loss: bigint, base: bigint, limitBps: number): boolean {
  return loss * BPS > base * BigInt(limitBps);
}

export function auditionChecks(rules: AuditionRules, startingEquityMicroUsd: bigint, figures: AuditionFigures): AuditionChecks {
  const dailyLoss = figures.startOfDayEquityMicroUsd - figures.equityMicroUsd;
  const totalLoss = maxBigint(figures.maxDrawdownMicroUsd, startingEquityMicroUsd - figures.equityMicroUsd);
  const profit = figures.equityMicroUsd - startingEquityMicroUsd;
  return {
    dailyLoss: {
      lossMicroUsd: dailyLoss,
      limitBps: rules.maxDailyLossBps,
      within: !figures.dailyLossBreached && !beyond(dailyLoss, figures.startOfDayEquityMicroUsd, rules.maxDailyLossBps),
    },
    totalLoss: {
      lossMicroUsd: totalLoss,
      limitBps: rules.maxTotalLossBps,
      within: !figures.totalLossBreached && !beyond(totalLoss, startingEquityMicroUsd, rules.maxTotalLossBps),
    },
    fills: { fills: figures.fills, minFills: rules.minFills, met: figures.fills >= rules.minFills },
    profit: {
      profitMicroUsd: profit,
      targetBps: rules.profitTargetBps,
      met: profit * BPS >= startingEquityMicroUsd * BigInt(rules.profitTargetBps),
    },
  };
}

export function judgeAudition(
  rules: AuditionRules,
  startingEquityMicroUsd: bigint,
  figures: AuditionFigures,
  windowEnded: boolean,
): AuditionJudgement {
  const checks = auditionChecks(rules, startingEquityMicroUsd, figures);
  if (!checks.dailyLoss.within) return { outcome: 'failed', reason: 'daily_loss_limit' };
  if (!checks.totalLoss.within) return { outcome: 'failed', reason: 'total_loss_limit' };
  if (!windowEnded) return { outcome: 'pending' };
  if (!checks.fills.met) return { outcome: 'failed', reason: 'too_few_fills' };
  if (!checks.profit.met) return { outcome: 'failed', reason: 'target_not_met' };
  return { outcome: 'passed' };
}
