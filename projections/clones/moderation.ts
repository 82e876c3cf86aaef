/**
 * The moderation queue, read from the profiles read model: reported profiles with their open
 * reports (newest first) and their history of reports and moderation decisions, newest report
 * first or most open reports first, filtered by moderation state, paged by a keyset cursor.
 */
import type { Db } from '../../core/database.ts';
import { BOUND_LIMIT } from '../../core/statements.ts';
import { type PublicProfile, publicProfileOf } from './profiles.ts';

export interface ModerationQueueQuery {
  /** `open`: profiles with open reports (the default); `all`: every profile ever reported. */
  readonly reports: 'open' | 'all';
  readonly state?: 'active' | 'retired' | undefined;
  /** `newest`: latest report first; `most_reported`: most open reports first, then latest report. */
  readonly sort: 'newest' | 'most_reported';
  /** From a page's `next`: "openReports.lastReportOrder" of the last item shown. */
  readonly after?: string | undefined;
  /** 1..100 */
  readonly limit: number;
}

export interface ModerationReport {
  readonly reportId: string;
  readonly reporterUserId: string;
  readonly reason: string;
  readonly reportedAt: number;
}

export type ModerationHistoryEntry =
  | { readonly kind: 'reported'; readonly at: number; readonly by: string; readonly reason: string; readonly reportId: string }
  | {
      readonly kind: 'retired' | 'reinstated';
      readonly at: number;
      readonly by: string;
      readonly reason: string;
      /** The open reports the decision resolved. */
      readonly resolvedReports: number;
    };

export interface ModerationQueueItem {
  readonly profile: PublicProfile;
  readonly openReports: number;
  readonly totalReports: number;
  readonly lastReportedAt: number;
  /** The open reports, newest first (at most `MODERATION_LIST_LIMIT`). */
  readonly open: readonly ModerationReport[];
  /** Reports and decisions, newest first (at most `MODERATION_LIST_LIMIT`). */
  readonly history: readonly ModerationHistoryEntry[];
}

/** The most open reports and history entries listed per profile; the counts stay exact. */
export const MODERATION_LIST_LIMIT = 20;

interface QueueRow {
  clone_id: string;
  open_reports: number;
  last_report_order: number;
}

export function moderationQueue(db: Db, q: ModerationQueueQuery): { items: ModerationQueueItem[]; next: string | null } {
  const where = ['report_count > 0'];
  const params: (string | number)[] = [];
  if (q.reports === 'open') where.push('open_reports > 0');
  if (q.state) {
    where.push('moderation_status = ?');
    params.push(q.state);
  }
  if (q.after) {
    const [count = 0, order = 0] = q.after.split('.').map(Number);
    if (q.sort === 'newest') {
      where.push('last_report_order < ?');
      params.push(order);
    } else {
      where.push('(open_reports < ? OR (open_reports = ? AND last_report_order < ?))');
      params.push(count, count, order);
    }
  }
  const order = q.sort === 'newest' ? 'last_report_order DESC' : 'open_reports DESC, last_report_order DESC';
  const rows = db
    .prepare<(string | number)[], QueueRow>(
      `SELECT clone_id, open_reports, last_report_order FROM clone_profiles WHERE ${where.join(' AND ')} ORDER BY ${order} LIMIT ${BOUND_LIMIT}`,
    )
    .all(...params, q.limit + 1);
  const page = rows.slice(0, q.limit);
  const last = page.at(-1);
  return {
    items: page.map((r) => itemOf(db, r.clone_id)),
    next: rows.length > q.limit && last ? `${last.open_reports}.${last.last_report_order}` : null,
  };
}

interface HistoryRow {
  kind: 'reported' | 'retired' | 'reinstated';
  at: number;
  by: string;
  reason: string;
  reportId: string | null;
  resolved: number | null;
}

function historyEntry(h: HistoryRow): ModerationHistoryEntry {
  const { kind, at, by, reason } = h;
  return kind === 'reported'
    ? { kind, at, by, reason, reportId: h.reportId ?? '' }
    : { kind, at, by, reason, resolvedReports: h.resolved ?? 0 };
}

function itemOf(db: Db, cloneId: string): ModerationQueueItem {
  const profile = publicProfileOf(db, cloneId);
  if (!profile) throw new Error(`profile of ${cloneId} missing from the read model`);
  const counts = db
    .prepare<[string], { open_reports: number; last_reported_at: number }>(
      'SELECT open_reports, last_reported_at FROM clone_profiles WHERE clone_id = ?',
    )
    .get(cloneId);
  const open = db
    .prepare<[string, number], ModerationReport>(
      `SELECT report_id AS reportId, reporter_user_id AS reporterUserId, reason, reported_at AS reportedAt
       FROM clone_reports WHERE clone_id = ? AND status = 'open' ORDER BY position DESC LIMIT ${BOUND_LIMIT}`,
    )
    .all(cloneId, MODERATION_LIST_LIMIT);
  const history = db
    .prepare<[string, string, number], HistoryRow>(
      `SELECT 'reported' AS kind, position, reported_at AS at, reporter_user_id AS by, reason, report_id AS reportId, NULL AS resolved
         FROM clone_reports WHERE clone_id = ?
       UNION ALL
       SELECT action, position, at, admin_user_id, reason, NULL, resolved_reports FROM clone_moderation_actions WHERE clone_id = ?
       ORDER BY position DESC LIMIT ${BOUND_LIMIT}`,
    )
    .all(cloneId, cloneId, MODERATION_LIST_LIMIT)
    .map(historyEntry);
  return {
    profile,
    openReports: counts?.open_reports ?? 0,
    totalReports: profile.reportCount,
    lastReportedAt: counts?.last_reported_at ?? 0,
    open,
    history,
  };
}
