/** Read model `entitlements`: each clone's effective entitlement (tier, limits, the fact behind it). */

import type { EntitlementEvent, GrantJustification } from '../../commands/entitlements/events.ts';
import type { TierLimits, TierName } from '../../commands/entitlements/tiers.ts';
import type { Db } from '../../core/database.ts';
import type { RecordedEvent } from '../../core/event-store.ts';
import { defineProjection } from '../../core/projection.ts';

export const entitlementsProjection = defineProjection({
  name: 'entitlements',
  version: 1,
  mode: 'inline',
  eventTypes: ['EntitlementGranted', 'EntitlementRevoked'],
  tables: [
    {
      name: 'entitlements',
      columns: {
        clone_id: 'TEXT NOT NULL',
        tier: 'TEXT NOT NULL',
        limits: 'TEXT NOT NULL',
        justification: 'TEXT NOT NULL',
        granted_at: 'INTEGER NOT NULL',
        revoked_at: 'INTEGER',
      },
      primaryKey: ['clone_id'],
    },
  ],
  bind(db, t) {
    const grant = db.prepare(
      `INSERT INTO "${t.entitlements}" (clone_id, tier, limits, justification, granted_at, revoked_at) VALUES (?, ?, ?, ?, ?, NULL)
       ON CONFLICT (clone_id) DO UPDATE SET tier = excluded.tier, limits = excluded.limits, justification = excluded.justification,
         granted_at = excluded.granted_at, revoked_at = NULL`,
    );
    const revoke = db.prepare(`UPDATE "${t.entitlements}" SET revoked_at = ? WHERE clone_id = ?`);
    return (raw: RecordedEvent) => {
      const e = raw as RecordedEvent<EntitlementEvent>;
      if (e.type === 'EntitlementGranted') {
        const d = e.data;
        grant.run(d.cloneId, d.tier, JSON.stringify(d.limits), JSON.stringify(d.justification), d.grantedAt);
      } else if (e.type === 'EntitlementRevoked') {
        revoke.run(e.data.revokedAt, e.data.cloneId);
      }
    };
  },
});

export interface Entitlement {
  readonly tier: TierName;
  readonly limits: TierLimits;
  readonly justification: GrantJustification;
  readonly grantedAt: number;
  readonly revokedAt: number | null;
}

export function entitlementOf(db: Db, cloneId: string): Entitlement | undefined {
  const row = db
    .prepare<[string], { tier: TierName; limits: string; justification: string; grantedAt: number; revokedAt: number | null }>(
      'SELECT tier, limits, justification, granted_at AS grantedAt, revoked_at AS revokedAt FROM entitlements WHERE clone_id = ?',
    )
    .get(cloneId);
  return (
    row && {
      ...row,
      limits: JSON.parse(row.limits) as TierLimits,
      justification: JSON.parse(row.justification) as GrantJustification,
    }
  );
}

/** The limits of the clone's active entitlement, or null. */
export function activeLimitsOf(db: Db, cloneId: string): TierLimits | null {
  const e = entitlementOf(db, cloneId);
  return e && e.revokedAt === null ? e.limits : null;
}
