/** Read model of auditions: each audition's status, and each attempt with the figures it was judged on. */

import type { AuditionEvent } from '../../commands/competition/audition-events.ts';
import type { Db } from '../../core/database.ts';
import type { RecordedEvent } from '../../core/event-store.ts';
import { defineProjection } from '../../core/projection.ts';

export const auditionsProjection = defineProjection({
  name: 'competition_auditions',
  version: 1,
  mode: 'inline',
  eventTypes: [
    'AuditionSubmitted',
    'AuditionAccountOpened',
    'AuditionPassed',
    'AuditionFailed',
    'AuditionRetried',
    'AuditionVoided',
    'AuditionFeeRefundOwed',
  ],
  tables: [
    {
      name: 'competition_auditions',
      columns: {
        audition_id: 'TEXT NOT NULL',
        clone_id: 'TEXT NOT NULL',
        strategy_version_id: 'TEXT NOT NULL',
        fee_payment_id: 'TEXT NOT NULL',
        /** awaiting_account | running | passed | failed | voided */
        status: 'TEXT NOT NULL',
        attempt: 'INTEGER NOT NULL',
        retries_left: 'INTEGER NOT NULL',
        prop_account_id: 'TEXT',
        window_ends_at: 'INTEGER',
        failure_reason: 'TEXT',
        void_reason: 'TEXT',
        fee_refund_owed: 'INTEGER NOT NULL',
        submitted_at: 'INTEGER NOT NULL',
        updated_at: 'INTEGER NOT NULL',
      },
      primaryKey: ['audition_id'],
      indexes: [['clone_id']],
    },
    {
      name: 'competition_audition_attempts',
      columns: {
        audition_id: 'TEXT NOT NULL',
        attempt: 'INTEGER NOT NULL',
        prop_account_id: 'TEXT NOT NULL',
        window_ends_at: 'INTEGER NOT NULL',
        /** running | passed | failed */
        outcome: 'TEXT NOT NULL',
        failure_reason: 'TEXT',
        equity_micro_usd: 'TEXT',
        max_drawdown_micro_usd: 'TEXT',
        fills: 'INTEGER',
        decided_at: 'INTEGER',
      },
      primaryKey: ['audition_id', 'attempt'],
    },
  ],
  bind(db: Db, t) {
    const A = `"${t.competition_auditions}"`;
    const T = `"${t.competition_audition_attempts}"`;
    const insert = db.prepare(
      `INSERT INTO ${A} (audition_id, clone_id, strategy_version_id, fee_payment_id, status, attempt, retries_left, fee_refund_owed, submitted_at, updated_at)
       VALUES (?, ?, ?, ?, 'awaiting_account', 1, ?, 0, ?, ?)`,
    );
    const opened = db.prepare(
      `UPDATE ${A} SET status = 'running', prop_account_id = ?, window_ends_at = ?, updated_at = ? WHERE audition_id = ?`,
    );
    const decided = db.prepare(`UPDATE ${A} SET status = ?, failure_reason = ?, updated_at = ? WHERE audition_id = ?`);
    const retried = db.prepare(
      `UPDATE ${A} SET status = 'awaiting_account', attempt = ?, retries_left = ?, strategy_version_id = ?, prop_account_id = NULL,
         window_ends_at = NULL, failure_reason = NULL, updated_at = ? WHERE audition_id = ?`,
    );
    const voided = db.prepare(`UPDATE ${A} SET status = 'voided', void_reason = ?, updated_at = ? WHERE audition_id = ?`);
    const refundOwed = db.prepare(`UPDATE ${A} SET fee_refund_owed = 1 WHERE audition_id = ?`);
    const attempt = db.prepare(
      `INSERT INTO ${T} (audition_id, attempt, prop_account_id, window_ends_at, outcome) VALUES (?, ?, ?, ?, 'running')`,
    );
    const attemptDecided = db.prepare(
      `UPDATE ${T} SET outcome = ?, failure_reason = ?, equity_micro_usd = ?, max_drawdown_micro_usd = ?, fills = ?, decided_at = ?
       WHERE audition_id = ? AND attempt = ?`,
    );
    return (raw: RecordedEvent) => {
      const e = raw as RecordedEvent<AuditionEvent>;
      switch (e.type) {
        case 'AuditionSubmitted': {
          const d = e.data;
          insert.run(d.auditionId, d.cloneId, d.strategyVersionId, d.feePaymentId, d.rules.freeRetries, d.submittedAt, d.submittedAt);
          break;
        }
        case 'AuditionAccountOpened': {
          const d = e.data;
          opened.run(d.propAccountId, d.windowEndsAt, d.openedAt, d.auditionId);
          attempt.run(d.auditionId, d.attempt, d.propAccountId, d.windowEndsAt);
          break;
        }
        case 'AuditionPassed':
        case 'AuditionFailed': {
          const d = e.data;
          const [outcome, reason, at] =
            e.type === 'AuditionPassed' ? ['passed', null, e.data.passedAt] : ['failed', e.data.reason, e.data.failedAt];
          decided.run(outcome, reason, at, d.auditionId);
          const f = d.figures;
          attemptDecided.run(
            outcome,
            reason,
            f.equityMicroUsd.toString(),
            f.maxDrawdownMicroUsd.toString(),
            f.fills,
            at,
            d.auditionId,
            d.attempt,
          );
          break;
        }
        case 'AuditionRetried': {
          const d = e.data;
          retried.run(d.attempt, d.retriesLeft, d.strategyVersionId, d.retriedAt, d.auditionId);
          break;
        }
        case 'AuditionVoided':
          voided.run(e.data.reason, e.data.voidedAt, e.data.auditionId);
          break;
        case 'AuditionFeeRefundOwed':
          refundOwed.run(e.data.auditionId);
          break;
      }
    };
  },
});
