/**
 * Worker leases: a worker that must run in one process at a time (the competition process
 * manager keeps one checkpoint) holds a lease in the database, renewed every tick. Another
 * process running the same worker stands by until the lease expires (its holder died), then
 * takes over. Times are epoch ms.
 */
import type { Db } from '../database.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS worker_leases (
  worker      TEXT    PRIMARY KEY,
  holder      TEXT    NOT NULL,
  expires_at  INTEGER NOT NULL
) STRICT;
`;

export class Leases {
  private readonly take;

  constructor(db: Db) {
    db.exec(SCHEMA);
    this.take = db.prepare<[string, string, number, number]>(
      `INSERT INTO worker_leases (worker, holder, expires_at) VALUES (?, ?, ?)
       ON CONFLICT (worker) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
       WHERE worker_leases.holder = excluded.holder OR worker_leases.expires_at < ?`,
    );
    this.release = db.prepare<[string, string]>('DELETE FROM worker_leases WHERE worker = ? AND holder = ?');
  }

  private readonly release;

  /** Takes or renews `worker`'s lease for `holder` until `now + ttlMs`; false when another holder's lease is still valid. */
  acquire(worker: string, holder: string, now: number, ttlMs: number): boolean {
    return this.take.run(worker, holder, now + ttlMs, now).changes > 0;
  }

  /** Gives the lease up (a clean stop), so a standby process takes over at its next tick. */
  giveUp(worker: string, holder: string): void {
    this.release.run(worker, holder);
  }
}
