/**
 * Reading `decision_runs`: a clone's runs newest first (paged by log position), one run, and the
 * tokens and cost per clone and UTC day. Rows leave as typed objects (JSON columns parsed);
 * money stays integer micro-USD text, times ms. A run's order is joined with its fill in
 * `prop_fills` (the order's market fill) when it has one.
 */

import type { ArtifactRef } from '../../adapters/artifacts/content.ts';
import type { TradingAction } from '../../commands/ai-trading/action.ts';
import type { Db } from '../../core/database.ts';
import { BOUND_LIMIT, prepared } from '../../core/statements.ts';

export interface DecisionFill {
  /** Signed size (base units, 1e-8 integer text): positive buys. */
  readonly size: string;
  /** 1e-8 USD integer text. */
  readonly price: string;
  readonly feeMicroUsd: string;
  readonly at: number;
}

export interface DecisionRunRow {
  readonly runId: string;
  /** The log position of its `DecisionRunScheduled`: the paging key. */
  readonly position: number;
  readonly propAccountId: string;
  readonly cloneId: string;
  readonly asset: string;
  readonly status: 'running' | 'completed' | 'failed';
  readonly dueAt: number;
  readonly scheduledAt: number;
  readonly startedAt: number | null;
  readonly endedAt: number | null;
  readonly engine: string | null;
  readonly model: string | null;
  readonly replyModel: string | null;
  readonly packetDigest: string | null;
  readonly promptTemplateVersion: string | null;
  readonly packet: ArtifactRef | null;
  readonly prompt: ArtifactRef | null;
  readonly reply: ArtifactRef | null;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly costMicroUsd: string;
  readonly latencyMs: number | null;
  readonly attempts: number;
  readonly parse: { status: string; reason: string | null; issues: { path: string; message: string }[] } | null;
  readonly verdict: 'accepted' | 'refused' | null;
  readonly action: TradingAction | null;
  readonly refusals: { stage: string; refusals: { code: string; detail: string }[] } | null;
  readonly order: { orderId: string; status: string; code: string | null; fill: DecisionFill | null } | null;
  readonly failure: { code: string; message: string } | null;
}

/** Tokens and cost of one clone on one UTC day (`day`: days since the epoch). */
export interface DecisionCostRow {
  readonly cloneId: string;
  readonly day: number;
  readonly runs: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly costMicroUsd: string;
}

interface Raw {
  run_id: string;
  position: number;
  prop_account_id: string;
  clone_id: string;
  asset: string;
  status: DecisionRunRow['status'];
  due_at: number;
  scheduled_at: number;
  started_at: number | null;
  ended_at: number | null;
  engine: string | null;
  model: string | null;
  reply_model: string | null;
  packet_digest: string | null;
  prompt_template_version: string | null;
  packet: string | null;
  prompt: string | null;
  reply: string | null;
  input_tokens: number;
  output_tokens: number;
  cost_micro_usd: string;
  latency_ms: number | null;
  attempts: number;
  parse: string | null;
  verdict: DecisionRunRow['verdict'];
  action: string | null;
  refusals: string | null;
  order_id: string | null;
  order_status: string | null;
  order_code: string | null;
  failure_code: string | null;
  failure_message: string | null;
  fill_size: string | null;
  fill_price: string | null;
  fill_fee: string | null;
  fill_at: number | null;
}

const SELECT = `SELECT r.*, f.size AS fill_size, f.price AS fill_price, f.fee AS fill_fee, f.at AS fill_at
  FROM decision_runs r LEFT JOIN prop_fills f ON f.order_id = r.order_id AND f.kind = 'order'`;

const parsed = <T>(text: string | null): T | null => (text === null ? null : (JSON.parse(text) as T));

function fromRaw(r: Raw): DecisionRunRow {
  const fill =
    r.fill_size === null || r.fill_price === null || r.fill_at === null
      ? null
      : { size: r.fill_size, price: r.fill_price, feeMicroUsd: r.fill_fee ?? '0', at: r.fill_at };
  return {
    runId: r.run_id,
    position: r.position,
    propAccountId: r.prop_account_id,
    cloneId: r.clone_id,
    asset: r.asset,
    status: r.status,
    dueAt: r.due_at,
    scheduledAt: r.scheduled_at,
    startedAt: r.started_at,
    endedAt: r.ended_at,
    engine: r.engine,
    model: r.model,
    replyModel: r.reply_model,
    packetDigest: r.packet_digest,
    promptTemplateVersion: r.prompt_template_version,
    packet: parsed(r.packet),
    prompt: parsed(r.prompt),
    reply: parsed(r.reply),
    inputTokens: r.input_tokens,
    outputTokens: r.output_tokens,
    costMicroUsd: r.cost_micro_usd,
    latencyMs: r.latency_ms,
    attempts: r.attempts,
    parse: parsed(r.parse),
    verdict: r.verdict,
    action: parsed(r.action),
    refusals: parsed(r.refusals),
    order: r.order_id === null ? null : { orderId: r.order_id, status: r.order_status ?? '', code: r.order_code, fill },
    failure: r.failure_code === null ? null : { code: r.failure_code, message: r.failure_message ?? '' },
  };
}

/** A clone's runs, newest first: at most `limit`, before log position `before` when given; `next` is the cursor of the following page. */
export function decisionRunsOfClone(
  db: Db,
  cloneId: string,
  options: { readonly before?: number | undefined; readonly limit: number },
): { items: DecisionRunRow[]; next: number | null } {
  const rows = prepared<[string, number, number], Raw>(
    db,
    `${SELECT} WHERE r.clone_id = ? AND r.position < ? ORDER BY r.position DESC LIMIT ${BOUND_LIMIT}`,
  ).all(cloneId, options.before ?? Number.MAX_SAFE_INTEGER, options.limit + 1);
  const items = rows.slice(0, options.limit).map(fromRaw);
  return { items, next: rows.length > options.limit ? (items.at(-1)?.position ?? null) : null };
}

/** One run, or undefined. */
export function findDecisionRun(db: Db, runId: string): DecisionRunRow | undefined {
  const row = prepared<[string], Raw>(db, `${SELECT} WHERE r.run_id = ?`).get(runId);
  return row && fromRaw(row);
}

/** Tokens and cost per clone and UTC day for days `fromDay`..`toDay` (inclusive), by day then clone. */
export function decisionCosts(db: Db, fromDay: number, toDay: number): DecisionCostRow[] {
  return prepared<[number, number], DecisionCostRow>(
    db,
    `SELECT clone_id AS cloneId, utc_day AS day, count(*) AS runs, sum(input_tokens) AS inputTokens,
       sum(output_tokens) AS outputTokens, CAST(sum(CAST(cost_micro_usd AS INTEGER)) AS TEXT) AS costMicroUsd
     FROM decision_runs WHERE utc_day BETWEEN ? AND ? GROUP BY utc_day, clone_id ORDER BY utc_day, clone_id`,
  ).all(fromDay, toDay);
}

/** The reply a completed run recorded for a packet: its artifact reference and the model that answered. */
export interface RecordedReplyRow {
  readonly reply: { readonly key: string; readonly sha256: string; readonly size: number };
  readonly model: string;
}

/** The reply of the newest completed run whose packet digest (sha-256 hex) is `packetDigest`, or undefined (the `recorded` engine's archive). */
export function replyOfPacket(db: Db, packetDigest: string): RecordedReplyRow | undefined {
  const row = prepared<[string], { reply: string; model: string }>(
    db,
    `SELECT reply, reply_model AS model FROM decision_runs
       WHERE packet_digest = ? AND status = 'completed' AND reply IS NOT NULL AND reply_model IS NOT NULL
       ORDER BY position DESC LIMIT 1`,
  ).get(packetDigest);
  return row && { reply: JSON.parse(row.reply) as RecordedReplyRow['reply'], model: row.model };
}

/**
 * The completed runs of one prop account of `cloneId` due in [`fromMs`, `toMs`], in log order,
 * at most `limit` (a live window re-run's steps; the clone's index, then the account).
 */
export function completedRunsOfAccount(
  db: Db,
  cloneId: string,
  propAccountId: string,
  window: { readonly fromMs: number; readonly toMs: number; readonly limit: number },
): DecisionRunRow[] {
  return prepared<[string, string, number, number, number], Raw>(
    db,
    `${SELECT} WHERE r.clone_id = ? AND r.prop_account_id = ? AND r.status = 'completed' AND r.due_at BETWEEN ? AND ?
       ORDER BY r.position LIMIT ${BOUND_LIMIT}`,
  )
    .all(cloneId, propAccountId, window.fromMs, window.toMs, window.limit)
    .map(fromRaw);
}
