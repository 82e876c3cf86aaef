/**
 * Leases in the ledger database: a named unit of work (an exclusive worker such as the
 * competition process manager, or one due decision unit) is held by one holder until its lease
 * expires, so processes sharing one SQLite file never run the same unit twice at once, and a
 * crashed holder's unit is taken over once its lease has expired. One row per unit in
 * `leases`; every operation is one statement (atomic in SQLite, whichever connection runs it).
 * Times are ms since the epoch and come from the caller (its clock), never read here.
 */
import type { Db } from '../database.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS leases (
  unit        TEXT PRIMARY KEY,
  holder      TEXT NOT NULL,
  expires_at  INTEGER NOT NULL,
  takeovers   INTEGER NOT NULL DEFAULT 0
) STRICT, WITHOUT ROWID;
`;

/** A lease as stored: who holds `unit` until `expiresAt` (ms), and how often it changed hands after expiring. */
export interface Lease {
  readonly unit: string;
  readonly holder: string;
  readonly expiresAt: number;
  readonly takeovers: number;
}

export class Leases {
  private readonly sql;

  constructor(db: Db) {
    db.exec(SCHEMA);
    this.sql = {
      take: db.prepare<[string, string, number, number]>(
        `INSERT INTO leases (unit, holder, expires_at) VALUES (?, ?, ?)
         ON CONFLICT (unit) DO UPDATE SET
           takeovers = takeovers + (holder <> excluded.holder), holder = excluded.holder, expires_at = excluded.expires_at
         WHERE leases.holder = excluded.holder OR leases.expires_at <= ?`,
      ),
      release: db.prepare<[string, string]>('DELETE FROM leases WHERE unit = ? AND holder = ?'),
      get: db.prepare<[string], { unit: string; holder: string; expires_at: number; takeovers: number }>(
        'SELECT unit, holder, expires_at, takeovers FROM leases WHERE unit = ?',
      ),
    };
  }

  /**
   * Takes or renews the lease on `unit` for `holder` until `now + ttlMs`: succeeds when the unit
   * is free, already held by `holder`, or its lease expired (`expires_at ≤ now`: a takeover).
   * Returns whether `holder` now holds it.
   */
  acquire(unit: string, holder: string, now: number, ttlMs: number): boolean {
    return this.sql.take.run(unit, holder, now + ttlMs, now).changes === 1;
  }

  /** Gives `unit` up if `holder` holds it; returns whether it did. */
  release(unit: string, holder: string): boolean {
    return this.sql.release.run(unit, holder).changes === 1;
  }

  /** The lease on `unit`, expired or not; `undefined` when nobody holds it. */
  get(unit: string): Lease | undefined {
    const row = this.sql.get.get(unit);
    return row && { unit: row.unit, holder: row.holder, expiresAt: row.expires_at, takeovers: row.takeovers };
  }
}
