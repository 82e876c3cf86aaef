/**
 * Read model `decision_runs` (inline): one row per decision run of every prop account — its
 * unit, engine and model, the packet/prompt/reply artifact references, tokens, cost, latency,
 * the parse result, the validated action or the refusals, the resulting order, and how it ended
 * (issue 13 "Reads"; doc/ai-trading.md "Decision reads"). Events of a run may come in one append
 * (today's layout) or one per append (streams written before): each event updates its own columns.
 * Money in micro-USD (integer text), times in ms; `utc_day` (days since the epoch of the reply,
 * or of the failure) keys the cost summary. A run retried after a failure (scheduled again under
 * its id, `commands/decisions/decider.ts`) starts its row over as running.
 */
import type { DecisionEvent } from '../../commands/decisions/events.ts';
import { utcDayOf } from '../../commands/prop-trading/figures.ts';
import type { Db } from '../../core/database.ts';
import type { RecordedEvent } from '../../core/event-store.ts';
import { defineProjection } from '../../core/projection.ts';

export const decisionRunsProjection = defineProjection({
  name: 'decision_runs',
  version: 1,
  mode: 'inline',
  eventTypes: [
    'DecisionRunScheduled',
    'DecisionRunStarted',
    'DecisionReplyRecorded',
    'DecisionActionAccepted',
    'DecisionActionRefused',
    'DecisionRunCompleted',
    'DecisionRunFailed',
  ],
  tables: [
    {
      name: 'decision_runs',
      columns: {
        run_id: 'TEXT NOT NULL',
        position: 'INTEGER NOT NULL',
        prop_account_id: 'TEXT NOT NULL',
        clone_id: 'TEXT NOT NULL',
        asset: 'TEXT NOT NULL',
        status: 'TEXT NOT NULL',
        due_at: 'INTEGER NOT NULL',
        scheduled_at: 'INTEGER NOT NULL',
        engine: 'TEXT',
        model: 'TEXT',
        packet_digest: 'TEXT',
        prompt_template_version: 'TEXT',
        packet: 'TEXT',
        prompt: 'TEXT',
        reply: 'TEXT',
        reply_model: 'TEXT',
        input_tokens: 'INTEGER NOT NULL',
        output_tokens: 'INTEGER NOT NULL',
        cost_micro_usd: 'TEXT NOT NULL',
        latency_ms: 'INTEGER',
        attempts: 'INTEGER NOT NULL',
        parse: 'TEXT',
        verdict: 'TEXT',
        action: 'TEXT',
        refusals: 'TEXT',
        order_id: 'TEXT',
        order_status: 'TEXT',
        order_code: 'TEXT',
        failure_code: 'TEXT',
        failure_message: 'TEXT',
        started_at: 'INTEGER',
        ended_at: 'INTEGER',
        utc_day: 'INTEGER',
      },
      primaryKey: ['run_id'],
      indexes: [
        ['clone_id', 'position'],
        ['utc_day', 'clone_id'],
      ],
    },
  ],
  bind(db: Db, t) {
    const table = `"${t.decision_runs}"`;
    const insert = db.prepare(
      `INSERT INTO ${table} (run_id, position, prop_account_id, clone_id, asset, status, due_at, scheduled_at,
         input_tokens, output_tokens, cost_micro_usd, attempts) VALUES (?, ?, ?, ?, ?, 'running', ?, ?, 0, 0, '0', 0)
       ON CONFLICT (run_id) DO UPDATE SET position = excluded.position, status = 'running', scheduled_at = excluded.scheduled_at,
         failure_code = NULL, failure_message = NULL, ended_at = NULL`,
    );
    const start = db.prepare(
      `UPDATE ${table} SET engine = ?, model = ?, packet_digest = ?, prompt_template_version = ?, packet = ?, prompt = ?, started_at = ?
       WHERE run_id = ?`,
    );
    const reply = db.prepare(
      `UPDATE ${table} SET reply = ?, reply_model = ?, input_tokens = ?, output_tokens = ?, cost_micro_usd = ?, latency_ms = ?, attempts = ?,
         parse = ?, utc_day = ? WHERE run_id = ?`,
    );
    const accept = db.prepare(`UPDATE ${table} SET verdict = 'accepted', action = ? WHERE run_id = ?`);
    const refuse = db.prepare(`UPDATE ${table} SET verdict = 'refused', refusals = ? WHERE run_id = ?`);
    const complete = db.prepare(
      `UPDATE ${table} SET status = 'completed', order_id = ?, order_status = ?, order_code = ?, ended_at = ? WHERE run_id = ?`,
    );
    const fail = db.prepare(
      `UPDATE ${table} SET status = 'failed', failure_code = ?, failure_message = ?, ended_at = ?, utc_day = coalesce(utc_day, ?) WHERE run_id = ?`,
    );
    const json = JSON.stringify;
    return (raw: RecordedEvent) => {
      const e = raw as RecordedEvent<DecisionEvent>;
      switch (e.type) {
        case 'DecisionRunScheduled': {
          const d = e.data;
          insert.run(d.runId, e.position, d.propAccountId, d.cloneId, d.asset, d.dueAt, d.scheduledAt);
          return;
        }
        case 'DecisionRunStarted': {
          const d = e.data;
          start.run(d.engine, d.model, d.packetDigest, d.promptTemplateVersion, json(d.packet), json(d.prompt), d.startedAt, d.runId);
          return;
        }
        case 'DecisionReplyRecorded': {
          const d = e.data;
          reply.run(
            json(d.reply),
            d.model,
            d.inputTokens,
            d.outputTokens,
            String(d.costMicroUsd),
            d.latencyMs,
            d.attempts,
            json(d.parse),
            utcDayOf(d.recordedAt),
            d.runId,
          );
          return;
        }
        case 'DecisionActionAccepted':
          accept.run(json(e.data.action), e.data.runId);
          return;
        case 'DecisionActionRefused':
          refuse.run(json({ stage: e.data.stage, refusals: e.data.refusals }), e.data.runId);
          return;
        case 'DecisionRunCompleted': {
          const o = e.data.order;
          complete.run(o?.orderId ?? null, o?.status ?? null, o?.code ?? null, e.data.completedAt, e.data.runId);
          return;
        }
        case 'DecisionRunFailed':
          fail.run(e.data.code, e.data.message, e.data.failedAt, utcDayOf(e.data.failedAt), e.data.runId);
          return;
      }
    };
  },
});
