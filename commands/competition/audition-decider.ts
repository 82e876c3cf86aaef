/**
 * The audition decider (`audition-<id>`): submit with the rules frozen, an account per attempt
 * opened through Prop Trading, evaluation at a time from the account's figures (idempotent: a
 * decided attempt is never judged again), a free retry after a fail, a void by an operator that
 * owes the fee back. Facts from other modules (the account id, its figures) arrive in commands.
 */
import type { Decider } from '../../core/decider.ts';
import { judgeAudition } from './audition-evaluation.ts';
import { type AuditionEvent, type AuditionFigures, type AuditionRules, defaultAuditionRules, zAuditionRules } from './audition-events.ts';
import { frozenRules, refuse } from './refusal.ts';

export const AUDITION_CATEGORY = 'audition';
export const auditionStreamId = (auditionId: string) => `${AUDITION_CATEGORY}-${auditionId}`;

export type AuditionCommand =
  | {
      type: 'SubmitAudition';
      auditionId: string;
      cloneId: string;
      /** The clone's active strategy version (Clone Service). */
      strategyVersionId: string;
      /** A verified, unused audition fee (Economy). */
      feePaymentId: string;
      rules?: Partial<AuditionRules>;
      at: number;
    }
  | {
      type: 'RecordAuditionAccount';
      auditionId: string;
      attempt: number;
      propAccountId: string;
      startingEquityMicroUsd: bigint;
      at: number;
    }
  | { type: 'EvaluateAudition'; auditionId: string; propAccountId: string; figures: AuditionFigures; at: number }
  | { type: 'RetryAudition'; auditionId: string; strategyVersionId: string; at: number }
  | { type: 'VoidAudition'; auditionId: string; reason: string; operator: string; at: number };

export type AuditionStatus = 'awaiting_account' | 'running' | 'passed' | 'failed' | 'voided';

export interface AuditionAccount {
  readonly propAccountId: string;
  readonly startingEquityMicroUsd: bigint;
  readonly windowEndsAt: number;
}

export interface Audition {
  readonly auditionId: string;
  readonly cloneId: string;
  readonly strategyVersionId: string;
  readonly feePaymentId: string;
  readonly rules: AuditionRules;
  readonly status: AuditionStatus;
  /** 1 for the first run, 2 after the first retry… */
  readonly attempt: number;
  readonly retriesUsed: number;
  /** The current attempt's account, once opened. */
  readonly account: AuditionAccount | null;
}

export type AuditionState = Audition | null;

function existing(state: AuditionState, auditionId: string): Audition {
  return state ?? refuse('audition_not_found', 'not_found', `audition ${auditionId} not found`, { auditionId });
}

function accountRequested(a: Pick<Audition, 'auditionId' | 'cloneId' | 'rules'>, attempt: number, strategyVersionId: string, at: number) {
  return {
    type: 'AuditionAccountRequested' as const,
    data: {
      auditionId: a.auditionId,
      attempt,
      cloneId: a.cloneId,
      strategyVersionId,
      purpose: 'audition' as const,
      startingEquityMicroUsd: a.rules.startingEquityMicroUsd,
      requestedAt: at,
    },
  };
}

function decide(command: AuditionCommand, state: AuditionState): AuditionEvent[] {
  if (command.type === 'SubmitAudition') {
    if (state) refuse('audition_exists', 'conflict', `audition ${command.auditionId} exists`, { auditionId: command.auditionId });
    const { auditionId, cloneId, strategyVersionId, feePaymentId, at } = command;
    const rules = frozenRules(zAuditionRules, defaultAuditionRules, command.rules, 'audition_rules_invalid');
    return [
      { type: 'AuditionSubmitted', data: { auditionId, cloneId, strategyVersionId, feePaymentId, rules, submittedAt: at } },
      accountRequested({ auditionId, cloneId, rules }, 1, strategyVersionId, at),
    ];
  }
  const a = existing(state, command.auditionId);
  switch (command.type) {
    case 'RecordAuditionAccount':
      return recordAccount(a, command);
    case 'EvaluateAudition':
      return evaluate(a, command);
    case 'RetryAudition':
      return retry(a, command);
    case 'VoidAudition':
      return voidAudition(a, command);
  }
}

function recordAccount(a: Audition, c: Extract<AuditionCommand, { type: 'RecordAuditionAccount' }>): AuditionEvent[] {
  if (c.attempt !== a.attempt) {
    refuse('audition_attempt_mismatch', 'conflict', `audition is at attempt ${a.attempt}`, { attempt: a.attempt, given: c.attempt });
  }
  if (a.account) {
    if (a.account.propAccountId === c.propAccountId) return [];
    refuse('audition_account_already_open', 'conflict', `attempt ${a.attempt} already has account ${a.account.propAccountId}`);
  }
  if (a.status !== 'awaiting_account') refuse('audition_not_awaiting_account', 'unprocessable', `audition is ${a.status}`);
  if (c.startingEquityMicroUsd !== a.rules.startingEquityMicroUsd) {
    refuse('audition_starting_equity_mismatch', 'unprocessable', 'the account does not start at the audition equity', {
      expected: a.rules.startingEquityMicroUsd.toString(),
      given: c.startingEquityMicroUsd.toString(),
    });
  }
  const data = {
    auditionId: a.auditionId,
    attempt: a.attempt,
    propAccountId: c.propAccountId,
    startingEquityMicroUsd: c.startingEquityMicroUsd,
    windowEndsAt: c.at + a.rules.windowMs,
    openedAt: c.at,
  };
  return [{ type: 'AuditionAccountOpened', data }];
}

function evaluate(a: Audition, c: Extract<AuditionCommand, { type: 'EvaluateAudition' }>): AuditionEvent[] {
  if (a.status === 'passed' || a.status === 'failed' || a.status === 'voided') return [];
  const account = a.account ?? refuse('audition_account_not_open', 'unprocessable', 'the audition account is not open yet');
  if (c.propAccountId !== account.propAccountId) {
    refuse(
      'audition_account_mismatch',
      'unprocessable',
      `figures are for ${c.propAccountId}, the audition runs on ${account.propAccountId}`,
    );
  }
  const judgement = judgeAudition(a.rules, account.startingEquityMicroUsd, c.figures, c.at >= account.windowEndsAt);
  const common = {
    auditionId: a.auditionId,
    attempt: a.attempt,
    cloneId: a.cloneId,
    propAccountId: account.propAccountId,
    figures: c.figures,
  };
  switch (judgement.outcome) {
    case 'pending':
      return [];
    case 'passed':
      return [{ type: 'AuditionPassed', data: { ...common, passedAt: c.at } }];
    case 'failed':
      return [{ type: 'AuditionFailed', data: { ...common, reason: judgement.reason, failedAt: c.at } }];
  }
}

function retry(a: Audition, c: Extract<AuditionCommand, { type: 'RetryAudition' }>): AuditionEvent[] {
  if (a.status !== 'failed') refuse('audition_not_failed', 'unprocessable', `only a failed audition can be retried; it is ${a.status}`);
  if (a.retriesUsed >= a.rules.freeRetries) {
    refuse('audition_retries_exhausted', 'unprocessable', `all ${a.rules.freeRetries} free retries are used`);
  }
  const attempt = a.attempt + 1;
  const retriesLeft = a.rules.freeRetries - a.retriesUsed - 1;
  return [
    {
      type: 'AuditionRetried',
      data: { auditionId: a.auditionId, attempt, strategyVersionId: c.strategyVersionId, retriesLeft, retriedAt: c.at },
    },
    accountRequested(a, attempt, c.strategyVersionId, c.at),
  ];
}

function voidAudition(a: Audition, c: Extract<AuditionCommand, { type: 'VoidAudition' }>): AuditionEvent[] {
  if (a.status === 'passed') refuse('audition_already_passed', 'unprocessable', 'a passed audition cannot be voided');
  if (a.status === 'voided') refuse('audition_already_voided', 'conflict', 'the audition is already voided');
  return [
    {
      type: 'AuditionVoided',
      data: { auditionId: a.auditionId, cloneId: a.cloneId, reason: c.reason, voidedBy: c.operator, voidedAt: c.at },
    },
    { type: 'AuditionFeeRefundOwed', data: { auditionId: a.auditionId, cloneId: a.cloneId, feePaymentId: a.feePaymentId, owedAt: c.at } },
  ];
}

function evolve(state: AuditionState, event: AuditionEvent): AuditionState {
  if (event.type === 'AuditionSubmitted') {
    const { auditionId, cloneId, strategyVersionId, feePaymentId, rules } = event.data;
    return {
      auditionId,
      cloneId,
      strategyVersionId,
      feePaymentId,
      rules,
      status: 'awaiting_account',
      attempt: 1,
      retriesUsed: 0,
      account: null,
    };
  }
  if (!state) return state;
  switch (event.type) {
    case 'AuditionAccountRequested':
    case 'AuditionFeeRefundOwed':
      return state;
    case 'AuditionAccountOpened': {
      const { propAccountId, startingEquityMicroUsd, windowEndsAt } = event.data;
      return { ...state, status: 'running', account: { propAccountId, startingEquityMicroUsd, windowEndsAt } };
    }
    case 'AuditionPassed':
      return { ...state, status: 'passed' };
    case 'AuditionFailed':
      return { ...state, status: 'failed' };
    case 'AuditionRetried':
      return {
        ...state,
        status: 'awaiting_account',
        attempt: event.data.attempt,
        retriesUsed: state.retriesUsed + 1,
        strategyVersionId: event.data.strategyVersionId,
        account: null,
      };
    case 'AuditionVoided':
      return { ...state, status: 'voided' };
  }
}

export const auditionDecider: Decider<AuditionCommand, AuditionState, AuditionEvent> = {
  name: 'audition',
  initialState: () => null,
  decide,
  evolve,
};
