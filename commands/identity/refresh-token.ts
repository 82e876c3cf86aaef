/**
 * Opaque refresh tokens: `<userId>.<sessionId>.<secret>`, with 32 random bytes of secret. The
 * ids say which stream and session to load; only the SHA-256 of the whole token is stored.
 */
import { createHash, randomBytes } from 'node:crypto';
import { DomainError } from '../../core/errors.ts';

const FORMAT = /^([0-9a-f-]{36})\.([0-9a-f-]{36})\.([A-Za-z0-9_-]{43})$/;

export interface RefreshToken {
  readonly token: string;
  readonly userId: string;
  readonly sessionId: string;
  readonly hash: string;
}

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export function newRefreshToken(userId: string, sessionId: string): RefreshToken {
  const token = `${userId}.${sessionId}.${randomBytes(32).toString('base64url')}`;
  return { token, userId, sessionId, hash: hashToken(token) };
}

export function readRefreshToken(token: string): RefreshToken {
  const m = FORMAT.exec(token);
  if (!m) throw new DomainError('refresh_token_invalid', 'unauthorized', 'unknown refresh token');
  return { token, userId: m[1] as string, sessionId: m[2] as string, hash: hashToken(token) };
}
