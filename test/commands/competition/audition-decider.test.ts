import { test } from 'uvu';
import { auditionDecider } from '../../../commands/competition/audition-decider.ts';
import { type AuditionEvent, type AuditionFigures, defaultAuditionRules } from '../../../commands/competition/audition-events.ts';
import { specFor } from '../../support/decider-spec.ts';

const spec = specFor(auditionDecider);
const HOUR = 3_600_000;
const USD = 1_000_000n;
const T0 = Date.UTC(2026, 0, 1);
const rules = defaultAuditionRules;

const submitted: AuditionEvent = {
  type: 'AuditionSubmitted',
  data: { auditionId: 'a1', cloneId: 'c1', strategyVersionId: 'v1', feePaymentId: 'pay-1', rules, submittedAt: T0 },
};
const requested = (attempt: number, strategyVersionId = 'v1', at = T0): AuditionEvent => ({
  type: 'AuditionAccountRequested',
  data: {
    auditionId: 'a1',
    attempt,
    cloneId: 'c1',
    strategyVersionId,
    purpose: 'audition',
    startingEquityMicroUsd: 10_000n * USD,
    requestedAt: at,
  },
});
const opened = (attempt = 1, propAccountId = 'pa-1', at = T0): AuditionEvent => ({
  type: 'AuditionAccountOpened',
  data: { auditionId: 'a1', attempt, propAccountId, startingEquityMicroUsd: 10_000n * USD, windowEndsAt: at + 24 * HOUR, openedAt: at },
});
const figures = (equityUsd: bigint, more: Partial<AuditionFigures> = {}): AuditionFigures => ({
  equityMicroUsd: equityUsd * USD,
  startOfDayEquityMicroUsd: 10_000n * USD,
  maxDrawdownMicroUsd: 0n,
  fills: 3,
  dailyLossBreached: false,
  totalLossBreached: false,
  ...more,
});
const evaluate = (f: AuditionFigures, at: number, propAccountId = 'pa-1') =>
  ({ type: 'EvaluateAudition', auditionId: 'a1', propAccountId, figures: f, at }) as const;
const failed = (
  reason: 'daily_loss_limit' | 'total_loss_limit' | 'too_few_fills' | 'target_not_met',
  f: AuditionFigures,
  at: number,
): AuditionEvent => ({
  type: 'AuditionFailed',
  data: { auditionId: 'a1', attempt: 1, cloneId: 'c1', propAccountId: 'pa-1', reason, figures: f, failedAt: at },
});
const running = [submitted, requested(1), opened()];
const END = T0 + 24 * HOUR;

test('submit freezes the default rules and requests an audition account', () => {
  spec
    .given([])
    .when({ type: 'SubmitAudition', auditionId: 'a1', cloneId: 'c1', strategyVersionId: 'v1', feePaymentId: 'pay-1', at: T0 })
    .thenEmits([submitted, requested(1)]);
});

test('submit with configured rules freezes those; bad rules are refused; a second submit is refused', () => {
  const custom = { ...rules, windowMs: 2 * HOUR, profitTargetBps: 500 };
  spec
    .given([])
    .when({
      type: 'SubmitAudition',
      auditionId: 'a1',
      cloneId: 'c1',
      strategyVersionId: 'v1',
      feePaymentId: 'pay-1',
      rules: { windowMs: 2 * HOUR, profitTargetBps: 500 },
      at: T0,
    })
    .thenEmits([{ ...submitted, data: { ...submitted.data, rules: custom } } as AuditionEvent, requested(1)]);
  spec
    .given([])
    .when({
      type: 'SubmitAudition',
      auditionId: 'a1',
      cloneId: 'c1',
      strategyVersionId: 'v1',
      feePaymentId: 'p',
      rules: { maxDailyLossBps: 20_000 },
      at: T0,
    })
    .thenThrows('audition_rules_invalid');
  spec
    .given([submitted])
    .when({ type: 'SubmitAudition', auditionId: 'a1', cloneId: 'c1', strategyVersionId: 'v1', feePaymentId: 'pay-1', at: T0 })
    .thenThrows('audition_exists');
  spec
    .given([])
    .when(evaluate(figures(10_000n), T0))
    .thenThrows('audition_not_found');
});

test('the account opens the window; a repeat is a no-op; another account, attempt or equity is refused', () => {
  const record = (attempt: number, propAccountId: string, equity = 10_000n * USD) =>
    ({ type: 'RecordAuditionAccount', auditionId: 'a1', attempt, propAccountId, startingEquityMicroUsd: equity, at: T0 }) as const;
  spec
    .given([submitted, requested(1)])
    .when(record(1, 'pa-1'))
    .thenEmits([opened()]);
  spec.given(running).when(record(1, 'pa-1')).thenEmits([]);
  spec.given(running).when(record(1, 'pa-2')).thenThrows('audition_account_already_open');
  spec
    .given([submitted, requested(1)])
    .when(record(2, 'pa-1'))
    .thenThrows('audition_attempt_mismatch');
  spec
    .given([submitted, requested(1)])
    .when(record(1, 'pa-1', 9_000n * USD))
    .thenThrows('audition_starting_equity_mismatch');
  const voided: AuditionEvent = {
    type: 'AuditionVoided',
    data: { auditionId: 'a1', cloneId: 'c1', reason: 'outage', voidedBy: 'op', voidedAt: T0 },
  };
  spec
    .given([submitted, requested(1), voided])
    .when(record(1, 'pa-1'))
    .thenThrows('audition_not_awaiting_account');
});

test('evaluation needs the open account and its own figures', () => {
  spec
    .given([submitted, requested(1)])
    .when(evaluate(figures(10_000n), T0))
    .thenThrows('audition_account_not_open');
  spec
    .given(running)
    .when(evaluate(figures(10_000n), T0, 'pa-9'))
    .thenThrows('audition_account_mismatch');
});

test('inside the window without a breach nothing happens, even above the target', () => {
  spec
    .given(running)
    .when(evaluate(figures(11_500n), T0 + HOUR))
    .thenEmits([]);
});

test('a daily loss beyond 5% of the start-of-day equity fails at once; exactly 5% does not', () => {
  const atLimit = figures(9_500n);
  spec
    .given(running)
    .when(evaluate(atLimit, T0 + HOUR))
    .thenEmits([]);
  const beyond = { ...atLimit, equityMicroUsd: atLimit.equityMicroUsd - 1n };
  spec
    .given(running)
    .when(evaluate(beyond, T0 + HOUR))
    .thenEmits([failed('daily_loss_limit', beyond, T0 + HOUR)]);
  const flagged = figures(10_000n, { dailyLossBreached: true });
  spec
    .given(running)
    .when(evaluate(flagged, T0 + HOUR))
    .thenEmits([failed('daily_loss_limit', flagged, T0 + HOUR)]);
});

test('a total loss beyond 10% (drawdown or equity) fails at once', () => {
  const drawdown = figures(9_600n, { startOfDayEquityMicroUsd: 9_700n * USD, maxDrawdownMicroUsd: 1_000n * USD + 1n });
  spec
    .given(running)
    .when(evaluate(drawdown, T0 + HOUR))
    .thenEmits([failed('total_loss_limit', drawdown, T0 + HOUR)]);
  const flagged = figures(10_000n, { totalLossBreached: true });
  spec
    .given(running)
    .when(evaluate(flagged, T0 + HOUR))
    .thenEmits([failed('total_loss_limit', flagged, T0 + HOUR)]);
});

test('at the window end: passes iff +10% with a fill; otherwise says why', () => {
  const exactly = figures(11_000n);
  spec
    .given(running)
    .when(evaluate(exactly, END))
    .thenEmits([
      {
        type: 'AuditionPassed',
        data: { auditionId: 'a1', attempt: 1, cloneId: 'c1', propAccountId: 'pa-1', figures: exactly, passedAt: END },
      },
    ]);
  const short = { ...exactly, equityMicroUsd: exactly.equityMicroUsd - 1n };
  spec
    .given(running)
    .when(evaluate(short, END))
    .thenEmits([failed('target_not_met', short, END)]);
  const idle = figures(11_000n, { fills: 0 });
  spec
    .given(running)
    .when(evaluate(idle, END + 1))
    .thenEmits([failed('too_few_fills', idle, END + 1)]);
});

test('evaluation is idempotent: a decided audition emits nothing more', () => {
  const passed: AuditionEvent = {
    type: 'AuditionPassed',
    data: { auditionId: 'a1', attempt: 1, cloneId: 'c1', propAccountId: 'pa-1', figures: figures(11_000n), passedAt: END },
  };
  spec
    .given([...running, passed])
    .when(evaluate(figures(5_000n), END + HOUR))
    .thenEmits([]);
  spec
    .given([...running, failed('target_not_met', figures(10_000n), END)])
    .when(evaluate(figures(12_000n), END))
    .thenEmits([]);
});

test('one free retry after a fail, with a new account request; no more; none while running', () => {
  const fail = failed('target_not_met', figures(10_000n), END);
  const retried: AuditionEvent = {
    type: 'AuditionRetried',
    data: { auditionId: 'a1', attempt: 2, strategyVersionId: 'v2', retriesLeft: 0, retriedAt: END + 1 },
  };
  const retry = { type: 'RetryAudition', auditionId: 'a1', strategyVersionId: 'v2', at: END + 1 } as const;
  spec
    .given([...running, fail])
    .when(retry)
    .thenEmits([retried, requested(2, 'v2', END + 1)]);
  spec.given(running).when(retry).thenThrows('audition_not_failed');
  const second = [...running, fail, retried, requested(2, 'v2', END + 1), opened(2, 'pa-2', END + 2)];
  spec
    .given(second)
    .when(evaluate(figures(10_000n), END + 2, 'pa-1'))
    .thenThrows('audition_account_mismatch');
  const secondFail: AuditionEvent = {
    type: 'AuditionFailed',
    data: {
      auditionId: 'a1',
      attempt: 2,
      cloneId: 'c1',
      propAccountId: 'pa-2',
      reason: 'target_not_met',
      figures: figures(10_000n),
      failedAt: END * 2,
    },
  };
  spec
    .given([...second, secondFail])
    .when(retry)
    .thenThrows('audition_retries_exhausted');
});

test('an operator void owes the fee back, once; a passed audition cannot be voided', () => {
  const voidIt = { type: 'VoidAudition', auditionId: 'a1', reason: 'market data outage', operator: 'op-1', at: T0 + HOUR } as const;
  const voided: AuditionEvent = {
    type: 'AuditionVoided',
    data: { auditionId: 'a1', cloneId: 'c1', reason: 'market data outage', voidedBy: 'op-1', voidedAt: T0 + HOUR },
  };
  spec
    .given(running)
    .when(voidIt)
    .thenEmits([
      voided,
      { type: 'AuditionFeeRefundOwed', data: { auditionId: 'a1', cloneId: 'c1', feePaymentId: 'pay-1', owedAt: T0 + HOUR } },
    ]);
  spec
    .given([...running, voided])
    .when(voidIt)
    .thenThrows('audition_already_voided');
  const passed: AuditionEvent = {
    type: 'AuditionPassed',
    data: { auditionId: 'a1', attempt: 1, cloneId: 'c1', propAccountId: 'pa-1', figures: figures(11_000n), passedAt: END },
  };
  spec
    .given([...running, passed])
    .when(voidIt)
    .thenThrows('audition_already_passed');
  spec
    .given([...running, voided])
    .when({ type: 'RetryAudition', auditionId: 'a1', strategyVersionId: 'v1', at: END })
    .thenThrows('audition_not_failed');
});

test.run();
