/**
 * The refresh grace window's memory: for each token just rotated away, its successor, sealed so
 * that only a holder of the rotated token can read it. A retried refresh (the client lost the
 * answer) or two tabs refreshing at once then get the same successor instead of revoking the
 * family (doc/identity.md, "Refresh rotation and reuse detection").
 *
 * The successor is sealed with AES-256-GCM under SHA-256 of the presented (rotated) token, so
 * the table never holds a usable token: reading it needs the old token, which the holder had
 * anyway. Rows live for the grace window and are pruned on every rotation. The table is not a
 * projection and not in the log: losing it only turns a retry inside the window into a reuse.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import type { Db } from '../../core/database.ts';
import type { RefreshToken } from './refresh-token.ts';

const keyOf = (presented: string) => createHash('sha256').update(`clash-refresh-successor\0${presented}`).digest();

export class SuccessorBook {
  private readonly sql;

  constructor(db: Db) {
    db.exec(`CREATE TABLE IF NOT EXISTS refresh_successors (
      presented_hash TEXT PRIMARY KEY, sealed TEXT NOT NULL, expires_at INTEGER NOT NULL)`);
    this.sql = {
      prune: db.prepare<[number]>('DELETE FROM refresh_successors WHERE expires_at <= ?'),
      put: db.prepare<[string, string, number]>(
        'INSERT OR REPLACE INTO refresh_successors (presented_hash, sealed, expires_at) VALUES (?, ?, ?)',
      ),
      get: db.prepare<[string, number], { sealed: string }>(
        'SELECT sealed FROM refresh_successors WHERE presented_hash = ? AND expires_at > ?',
      ),
    };
  }

  /** Remembers `successor` as the answer to `presented` until `expiresAt` (ms since the epoch). */
  keep(presented: RefreshToken, successor: string, now: number, expiresAt: number): void {
    this.sql.prune.run(now);
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', keyOf(presented.token), iv);
    const sealed = Buffer.concat([iv, cipher.update(successor, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    this.sql.put.run(presented.hash, sealed.toString('base64url'), expiresAt);
  }

  /** The successor remembered for `presented` and still inside its window, or `undefined`. */
  find(presented: RefreshToken, now: number): string | undefined {
    const row = this.sql.get.get(presented.hash, now);
    if (!row) return undefined;
    const sealed = Buffer.from(row.sealed, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', keyOf(presented.token), sealed.subarray(0, 12));
    decipher.setAuthTag(sealed.subarray(sealed.length - 16));
    return Buffer.concat([decipher.update(sealed.subarray(12, sealed.length - 16)), decipher.final()]).toString('utf8');
  }
}
