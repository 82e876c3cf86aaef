/**
 * Read model `sessions`: one row per refresh-token family, with its rotation count and
 * revocation. Inline, so a logout or a reuse revocation refuses access tokens at once.
 */

import type { IdentityEvent } from '../../commands/identity/events.ts';
import type { Db } from '../../core/database.ts';
import type { RecordedEvent } from '../../core/event-store.ts';
import { defineProjection } from '../../core/projection.ts';

export const sessionsProjection = defineProjection({
  name: 'sessions',
  version: 1,
  mode: 'inline',
  eventTypes: ['SessionStarted', 'RefreshTokenRotated', 'SessionRevoked'],
  tables: [
    {
      name: 'sessions',
      columns: {
        session_id: 'TEXT NOT NULL',
        user_id: 'TEXT NOT NULL',
        started_at: 'INTEGER NOT NULL',
        expires_at: 'INTEGER NOT NULL',
        rotations: 'INTEGER NOT NULL',
        last_rotated_at: 'INTEGER',
        revoked_at: 'INTEGER',
        revoke_reason: 'TEXT',
      },
      primaryKey: ['session_id'],
      indexes: [['user_id']],
    },
  ],
  bind(db, t) {
    const start = db.prepare(`INSERT INTO "${t.sessions}" (session_id, user_id, started_at, expires_at, rotations) VALUES (?, ?, ?, ?, 0)`);
    const rotate = db.prepare(`UPDATE "${t.sessions}" SET rotations = rotations + 1, last_rotated_at = ? WHERE session_id = ?`);
    const revoke = db.prepare(`UPDATE "${t.sessions}" SET revoked_at = ?, revoke_reason = ? WHERE session_id = ?`);
    return (raw: RecordedEvent) => {
      const e = raw as RecordedEvent<IdentityEvent>;
      switch (e.type) {
        case 'SessionStarted':
          start.run(e.data.sessionId, e.data.userId, e.data.startedAt, e.data.expiresAt);
          break;
        case 'RefreshTokenRotated':
          rotate.run(e.data.rotatedAt, e.data.sessionId);
          break;
        case 'SessionRevoked':
          revoke.run(e.data.revokedAt, e.data.reason, e.data.sessionId);
          break;
      }
    };
  },
});

/** True when the session exists, is not revoked and has not reached its end. */
export function isSessionLive(db: Db, sessionId: string, userId: string, now: number): boolean {
  const row = db
    .prepare<[string, string, number], { n: number }>(
      'SELECT count(*) AS n FROM sessions WHERE session_id = ? AND user_id = ? AND revoked_at IS NULL AND expires_at > ?',
    )
    .get(sessionId, userId, now);
  return (row?.n ?? 0) > 0;
}
