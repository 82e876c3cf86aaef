/**
 * Parsing an engine's raw reply into the action contract (`action.ts`). Every outcome is a
 * value to record, never an exception:
 * - `valid`: the whole reply (trimmed) is one JSON object that satisfies the contract;
 * - `extracted`: the reply is one Markdown code fence (```json … ``` or ``` … ```) around such an
 *   object and nothing else — accepted and flagged, since models commonly fence JSON;
 * - `refused`: anything else — prose around JSON, no JSON, several objects, unknown fields,
 *   out-of-bound numbers — with the reason (`reply_too_long`, `reply_not_json` or
 *   `contract_violation` with the zod issues). Prose-wrapped JSON is refused, not extracted:
 *   reading an action out of free text would guess which object the model meant.
 * Replies longer than `MAX_REPLY_CHARS` are refused unread.
 */
import { type TradingAction, zTradingAction } from '../ai-trading/action.ts';

export const MAX_REPLY_CHARS = 16_000;

/** One problem with a reply: the JSON path of the field and what is wrong (at most 10 kept). */
export interface ReplyIssue {
  readonly path: string;
  readonly message: string;
}

export type ParsedReply =
  | { readonly status: 'valid' | 'extracted'; readonly action: TradingAction }
  | {
      readonly status: 'refused';
      readonly reason: 'reply_too_long' | 'reply_not_json' | 'contract_violation';
      readonly issues: readonly ReplyIssue[];
    };

const FENCE = /^```(?:json)?[ \t]*\r?\n([\s\S]*?)\r?\n?```$/;

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/** Parses a raw reply strictly; see the module comment for the outcomes. */
export function parseReply(raw: string): ParsedReply {
  if (raw.length > MAX_REPLY_CHARS) return { status: 'refused', reason: 'reply_too_long', issues: [] };
  const trimmed = raw.trim();
  const fenced = FENCE.exec(trimmed);
  const body = fenced ? (fenced[1] ?? '') : trimmed;
  const json = parseJson(body);
  if (!json.ok || typeof json.value !== 'object' || json.value === null || Array.isArray(json.value)) {
    return { status: 'refused', reason: 'reply_not_json', issues: [{ path: '', message: 'the reply is not one JSON object' }] };
  }
  const result = zTradingAction.safeParse(json.value);
  if (!result.success) {
    const issues = result.error.issues.slice(0, 10).map((i) => ({ path: i.path.join('.'), message: i.message.slice(0, 200) }));
    return { status: 'refused', reason: 'contract_violation', issues };
  }
  return { status: fenced ? 'extracted' : 'valid', action: result.data };
}

/** The refusal a parse failure is recorded with (`reply_refused`): the reason and its first issue, at most 300 characters. */
export function replyRefusalDetail(parsed: Extract<ParsedReply, { status: 'refused' }>): string {
  const issue = parsed.issues[0];
  return `${parsed.reason}${issue ? `: ${[issue.path, issue.message].filter(Boolean).join(' ')}` : ''}`.slice(0, 300);
}
