/**
 * SIWE nonces live in a small table, not in the event log: anyone may ask for one without
 * signing in, so logging them would let anonymous traffic grow the log forever, and a nonce
 * has no meaning once burned (the session it opened records it in `SessionStarted`). Burning is
 * one conditional UPDATE, so a nonce is used at most once even under concurrent sign-ins.
 * Losing the table only invalidates challenges that are at most a few minutes old.
 */
import type { Db } from '../../core/database.ts';
import { DomainError } from '../../core/errors.ts';

/**
 * How long a nonce is kept after it expires, to answer "expired" (or "used") instead of
 * "unknown" to a client that was a little late; after that it is pruned (issue 10: anonymous
 * nonce requests must not leave rows behind for a day).
 */
const KEEP_AFTER_EXPIRY_MS = 10 * 60 * 1000;

export class NonceBook {
  private readonly sql;

  /** `maxRows`: the most nonces kept at once; issuing beyond it is refused (503 `sign_in_busy`). */
  constructor(
    db: Db,
    private readonly maxRows: number,
  ) {
    db.exec(`CREATE TABLE IF NOT EXISTS siwe_nonces (
      nonce TEXT PRIMARY KEY, issued_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, used_at INTEGER)`);
    db.exec('CREATE INDEX IF NOT EXISTS siwe_nonces_expiry ON siwe_nonces (expires_at)');
    this.sql = {
      insert: db.prepare<[string, number, number]>('INSERT INTO siwe_nonces (nonce, issued_at, expires_at) VALUES (?, ?, ?)'),
      prune: db.prepare<[number]>('DELETE FROM siwe_nonces WHERE expires_at < ?'),
      count: db.prepare<[], { n: number }>('SELECT count(*) AS n FROM siwe_nonces'),
      burn: db.prepare<[number, string, number]>(
        'UPDATE siwe_nonces SET used_at = ? WHERE nonce = ? AND used_at IS NULL AND expires_at > ?',
      ),
      get: db.prepare<[string], { expires_at: number; used_at: number | null }>(
        'SELECT expires_at, used_at FROM siwe_nonces WHERE nonce = ?',
      ),
    };
  }

  /**
   * Prunes nonces expired more than KEEP_AFTER_EXPIRY_MS ago, then records a new one valid for
   * `ttlMs` from `now` (ms). Throws `sign_in_busy` (unavailable, retryable) when `maxRows` are kept.
   */
  issue(nonce: string, now: number, ttlMs: number): { nonce: string; issuedAt: number; expiresAt: number } {
    this.sql.prune.run(now - KEEP_AFTER_EXPIRY_MS);
    if ((this.sql.count.get()?.n ?? 0) >= this.maxRows) {
      throw new DomainError('sign_in_busy', 'unavailable', 'too many sign-ins are pending; retry in a minute', {
        retryable: true,
        retryAfterSeconds: 60,
      });
    }
    this.sql.insert.run(nonce, now, now + ttlMs);
    return { nonce, issuedAt: now, expiresAt: now + ttlMs };
  }

  /** Marks the nonce used; refuses an unknown, used or expired one with its own code. */
  burn(nonce: string, now: number): void {
    if (this.sql.burn.run(now, nonce, now).changes === 1) return;
    const row = this.sql.get.get(nonce);
    if (!row) throw new DomainError('siwe_nonce_unknown', 'unauthorized', 'this nonce was not issued here; ask for a new one');
    if (row.used_at !== null) throw new DomainError('siwe_nonce_used', 'unauthorized', 'this nonce was already used; ask for a new one');
    throw new DomainError('siwe_nonce_expired', 'unauthorized', 'this nonce expired; ask for a new one');
  }
}
