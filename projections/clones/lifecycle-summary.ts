/**
 * Reading the lifecycle read model: a clone's summary (its record, its latest audition, its
 * place in the Promotion Queue, the arena's strike limit) and what the clone needs next to
 * progress. Both are functions of the read model alone, so a rebuilt model answers the same.
 */
import { parseCanonicalJson } from '../../core/canonical-json.ts';
import type { Db } from '../../core/database.ts';
import type { AuditionRecord, CloneLifecycleRecord } from './lifecycle-record.ts';
import type { LifecycleState } from './lifecycle-state.ts';

export interface LifecycleSummary {
  readonly state: LifecycleState;
  readonly clone: CloneLifecycleRecord;
  /** The clone's latest audition (the one submitted or retried last), if any. */
  readonly audition: AuditionRecord | null;
  /** 1-based place in the Promotion Queue (pass time, then arrival) while queued. */
  readonly queuePosition: number | null;
  /** Strikes in a row that retire a clone, once the arena is open. */
  readonly strikesToRetire: number | null;
}

export function lifecycleSummaryOf(db: Db, cloneId: string): LifecycleSummary | undefined {
  const row = db
    .prepare<[string], { state: LifecycleState; record: string }>('SELECT state, record FROM clone_lifecycle WHERE clone_id = ?')
    .get(cloneId);
  if (!row) return undefined;
  const clone = parseCanonicalJson(row.record) as CloneLifecycleRecord;
  const auditionRow =
    clone.latestAuditionId === null
      ? undefined
      : db
          .prepare<[string], { record: string }>('SELECT record FROM clone_lifecycle_auditions WHERE audition_id = ?')
          .get(clone.latestAuditionId);
  const queue = clone.place === 'queue' ? clone.queue : null;
  const queuePosition = queue
    ? (db
        .prepare<[number, number, number], number>(
          `SELECT count(*) FROM clone_lifecycle WHERE place = 'queue'
             AND (queue_passed_at < ? OR (queue_passed_at = ? AND queue_order <= ?))`,
        )
        .pluck()
        .get(queue.passedAt, queue.passedAt, queue.order) ?? null)
    : null;
  const strikesToRetire =
    db.prepare<[], number>(`SELECT strikes_to_retire FROM clone_lifecycle_arena WHERE arena = 'main'`).pluck().get() ?? null;
  return {
    state: row.state,
    clone,
    audition: auditionRow ? (parseCanonicalJson(auditionRow.record) as AuditionRecord) : null,
    queuePosition,
    strikesToRetire,
  };
}

export const nextStepCodes = [
  'save_draft',
  'get_entitlement',
  'publish_version',
  'submit_audition',
  'wait_for_audition',
  'retry_audition',
  'wait_for_queue',
  'wait_for_arena_slot',
  'restore_profile',
  'compete',
  'none',
] as const;

/** What the clone needs next to progress, in words for the owner; `until` is a deadline or an expected time (ms). */
export interface NextStep {
  readonly code: (typeof nextStepCodes)[number];
  readonly message: string;
  readonly until: number | null;
}

const step = (code: NextStep['code'], message: string, until: number | null = null): NextStep => ({ code, message, until });

/**
 * The next step from the summary: setup (a draft, an entitlement, a published version), the
 * audition (submit, wait for the window's end, retry on the same fee while free retries are
 * left, submit anew after a void), the queue (joined at the next competition tick; admitted
 * by pass time when a slot frees and the public profile is not retired by moderation), the
 * Arena (race; strikes in a row retire), retirement (nothing). Rules: `doc/competition.md`,
 * `doc/clones.md`.
 */
export function nextStepOf(s: LifecycleSummary): NextStep {
  const c = s.clone;
  const a = s.audition;
  switch (s.state) {
    case 'retired':
      return step('none', 'Retired: the career is kept in the Hall of Fame.');
    case 'competing': {
      const limit = s.strikesToRetire === null ? '' : ` of ${s.strikesToRetire}`;
      const race = c.currentRace ? `racing in race ${c.currentRace.sequence}` : 'waiting for the next race to launch';
      return step(
        'compete',
        `In Arena slot ${c.arena?.slot ?? '?'}, ${race}; ${c.strikes.inARow}${limit} strikes in a row (poorly backed races give strikes).`,
        c.currentRace?.closesAt ?? null,
      );
    }
    case 'competition_eligible':
      if (c.place !== 'queue')
        return step('wait_for_queue', 'Audition passed: the clone joins the Promotion Queue at the next competition tick.');
      if (c.moderationStatus === 'retired') {
        return step('restore_profile', 'The public profile is retired by moderation: only approved profiles are admitted to the Arena.');
      }
      return step(
        'wait_for_arena_slot',
        `Queued at position ${s.queuePosition ?? '?'}: admitted in pass-time order when an Arena slot frees.`,
      );
    case 'audition_running':
      return a?.account
        ? step(
            'wait_for_audition',
            'The audition is running: it is judged at the end of its window (a loss limit breached fails it at once).',
            a.account.windowEndsAt,
          )
        : step('wait_for_audition', 'The audition account is being opened.');
    case 'audition_failed':
      if (a && a.retriesLeft > 0) {
        return step(
          'retry_audition',
          `Retry available: ${a.retriesLeft} free ${a.retriesLeft === 1 ? 'retry' : 'retries'} left on the same fee.`,
        );
      }
      return step('submit_audition', 'No free retries left: pay a new audition fee and submit the active version again.');
    case 'audition_voided':
      return step('submit_audition', 'The audition was voided and its fee is refunded: pay a new audition fee and submit again.');
    case 'configured':
      return c.place === 'removed'
        ? step('submit_audition', 'Removed from competition by an operator: pass a new audition to come back (pay the fee and submit).')
        : step('submit_audition', 'Pay the audition fee and submit the active version for audition.');
    case 'setup_required':
      if (!c.hasDraft) return step('save_draft', 'Build and save a strategy draft.');
      if (c.entitlementTier === null)
        return step('get_entitlement', 'Pay the audition fee (it grants the Starter tier) to unlock publishing.');
      return step('publish_version', 'Publish the draft as a strategy version.');
  }
}
