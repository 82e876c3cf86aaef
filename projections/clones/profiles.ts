/**
 * Read model `clone_profiles`, `clone_reports` and `clone_moderation_actions`: what backers see
 * of a clone (name, description, avatar, the signals the creator chose to show, moderation
 * status), the reports against it and the admins' retire and reinstate decisions, for the
 * moderation queue. A report stays open until an admin decides on the profile (retires or
 * reinstates it): the decision resolves every report filed before it (`doc/clones.md`).
 * Nothing of the private draft or versions is ever copied here.
 */

import type { CloneEvent } from '../../commands/clones/events.ts';
import type { Db } from '../../core/database.ts';
import type { RecordedEvent } from '../../core/event-store.ts';
import { defineProjection } from '../../core/projection.ts';
import { prepared } from '../../core/statements.ts';

export const profilesProjection = defineProjection({
  name: 'clone_profiles',
  version: 2,
  mode: 'inline',
  eventTypes: ['CloneCreated', 'CloneProfileUpdated', 'CloneReported', 'CloneProfileRetired', 'CloneProfileReinstated'],
  tables: [
    {
      name: 'clone_profiles',
      columns: {
        clone_id: 'TEXT NOT NULL',
        name: 'TEXT NOT NULL',
        description: 'TEXT NOT NULL',
        avatar_url: 'TEXT',
        capability_signals: 'TEXT NOT NULL',
        moderation_status: 'TEXT NOT NULL',
        moderated_at: 'INTEGER',
        report_count: 'INTEGER NOT NULL',
        /** Reports filed after the last moderation decision. */
        open_reports: 'INTEGER NOT NULL',
        /** The latest report: its time and its log position (the queue's order). */
        last_reported_at: 'INTEGER',
        last_report_order: 'INTEGER',
        updated_at: 'INTEGER NOT NULL',
      },
      primaryKey: ['clone_id'],
      indexes: [['last_report_order']],
    },
    {
      name: 'clone_reports',
      columns: {
        clone_id: 'TEXT NOT NULL',
        report_id: 'TEXT NOT NULL',
        reporter_user_id: 'TEXT NOT NULL',
        reason: 'TEXT NOT NULL',
        reported_at: 'INTEGER NOT NULL',
        /** The log position of the report. */
        position: 'INTEGER NOT NULL',
        /** open | resolved */
        status: 'TEXT NOT NULL',
        resolved_at: 'INTEGER',
      },
      primaryKey: ['clone_id', 'report_id'],
    },
    {
      name: 'clone_moderation_actions',
      columns: {
        clone_id: 'TEXT NOT NULL',
        /** The log position of the decision. */
        position: 'INTEGER NOT NULL',
        /** retired | reinstated */
        action: 'TEXT NOT NULL',
        admin_user_id: 'TEXT NOT NULL',
        reason: 'TEXT NOT NULL',
        at: 'INTEGER NOT NULL',
        /** The open reports this decision resolved. */
        resolved_reports: 'INTEGER NOT NULL',
      },
      primaryKey: ['clone_id', 'position'],
    },
  ],
  bind(db, t) {
    const create = db.prepare(
      `INSERT INTO "${t.clone_profiles}" (clone_id, name, description, avatar_url, capability_signals, moderation_status, report_count,
         open_reports, updated_at)
       VALUES (?, ?, '', NULL, '[]', 'active', 0, 0, ?)`,
    );
    const update = db.prepare(
      `UPDATE "${t.clone_profiles}" SET name = ?, description = ?, avatar_url = ?, capability_signals = ?, updated_at = ? WHERE clone_id = ?`,
    );
    const report = db.prepare(
      `INSERT INTO "${t.clone_reports}" (clone_id, report_id, reporter_user_id, reason, reported_at, position, status)
       VALUES (?, ?, ?, ?, ?, ?, 'open')`,
    );
    const count = db.prepare(
      `UPDATE "${t.clone_profiles}" SET report_count = report_count + 1, open_reports = open_reports + 1, last_reported_at = ?,
         last_report_order = ? WHERE clone_id = ?`,
    );
    const moderate = db.prepare(
      `UPDATE "${t.clone_profiles}" SET moderation_status = ?, moderated_at = ?, open_reports = 0 WHERE clone_id = ?`,
    );
    const resolve = db.prepare(
      `UPDATE "${t.clone_reports}" SET status = 'resolved', resolved_at = ? WHERE clone_id = ? AND status = 'open'`,
    );
    const decision = db.prepare(
      `INSERT INTO "${t.clone_moderation_actions}" (clone_id, position, action, admin_user_id, reason, at, resolved_reports) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    const decide = (
      e: RecordedEvent<CloneEvent>,
      d: { cloneId: string; adminUserId: string; reason: string; at: number },
      status: 'retired' | 'active',
    ) => {
      moderate.run(status, d.at, d.cloneId);
      const resolved = resolve.run(d.at, d.cloneId).changes;
      decision.run(d.cloneId, e.position, status === 'retired' ? 'retired' : 'reinstated', d.adminUserId, d.reason, d.at, resolved);
    };
    return (raw: RecordedEvent) => {
      const e = raw as RecordedEvent<CloneEvent>;
      switch (e.type) {
        case 'CloneCreated':
          create.run(e.data.cloneId, e.data.name, e.data.createdAt);
          break;
        case 'CloneProfileUpdated': {
          const p = e.data.profile;
          update.run(p.name, p.description, p.avatarUrl, JSON.stringify(p.capabilitySignals), e.data.updatedAt, e.data.cloneId);
          break;
        }
        case 'CloneReported':
          report.run(e.data.cloneId, e.data.reportId, e.data.reporterUserId, e.data.reason, e.data.reportedAt, e.position);
          count.run(e.data.reportedAt, e.position, e.data.cloneId);
          break;
        case 'CloneProfileRetired':
          decide(e, e.data, 'retired');
          break;
        case 'CloneProfileReinstated':
          decide(e, e.data, 'active');
          break;
      }
    };
  },
});

export interface PublicProfile {
  readonly cloneId: string;
  readonly name: string;
  readonly description: string;
  readonly avatarUrl: string | null;
  readonly capabilitySignals: readonly string[];
  readonly moderationStatus: 'active' | 'retired';
  readonly reportCount: number;
  readonly updatedAt: number;
}

export function publicProfileOf(db: Db, cloneId: string): PublicProfile | undefined {
  const row = prepared<[string], Omit<PublicProfile, 'capabilitySignals'> & { capabilitySignals: string }>(
    db,
    `SELECT clone_id AS cloneId, name, description, avatar_url AS avatarUrl, capability_signals AS capabilitySignals,
        moderation_status AS moderationStatus, report_count AS reportCount, updated_at AS updatedAt FROM clone_profiles WHERE clone_id = ?`,
  ).get(cloneId);
  return row && { ...row, capabilitySignals: JSON.parse(row.capabilitySignals) as string[] };
}

export interface CloneReport {
  readonly reportId: string;
  readonly reporterUserId: string;
  readonly reason: string;
  readonly reportedAt: number;
}

export function reportsOf(db: Db, cloneId: string): CloneReport[] {
  return db
    .prepare<[string], CloneReport>(
      `SELECT report_id AS reportId, reporter_user_id AS reporterUserId, reason, reported_at AS reportedAt
       FROM clone_reports WHERE clone_id = ? ORDER BY reported_at, report_id`,
    )
    .all(cloneId);
}
