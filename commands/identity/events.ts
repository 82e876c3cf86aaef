/**
 * Events of `user-<id>` streams: the wallet a user signs in with, and their sessions. A session
 * is a refresh-token family: it starts at sign-in, each refresh rotates its token, and it ends
 * when revoked (logout, or a rotated token presented again). Tokens are stored as hashes only.
 */
import { z } from 'zod';
import { defineEvent, type EventOf } from '../../core/event-registry.ts';

const userId = z.string().min(1);
const sessionId = z.string().min(1);
const tokenHash = z.string().regex(/^[0-9a-f]{64}$/);
const at = z.number().int();

export const WalletLinked = defineEvent(
  'WalletLinked',
  z.object({ userId, address: z.string().regex(/^0x[0-9a-fA-F]{40}$/), chainId: z.number().int().positive(), linkedAt: at }).strict(),
);

export const SessionStarted = defineEvent(
  'SessionStarted',
  z
    .object({
      userId,
      sessionId,
      refreshTokenHash: tokenHash,
      /** The SIWE nonce this sign-in burned. */
      nonce: z.string().min(8),
      startedAt: at,
      /** The family's absolute end: rotation does not extend it. */
      expiresAt: at,
    })
    .strict(),
);

export const RefreshTokenRotated = defineEvent(
  'RefreshTokenRotated',
  z.object({ userId, sessionId, previousTokenHash: tokenHash, refreshTokenHash: tokenHash, rotatedAt: at }).strict(),
);

export const SessionRevoked = defineEvent(
  'SessionRevoked',
  z.object({ userId, sessionId, reason: z.enum(['logout', 'refresh_token_reused']), revokedAt: at }).strict(),
);

export const identityEvents = [WalletLinked, SessionStarted, RefreshTokenRotated, SessionRevoked];
export type IdentityEvent =
  | EventOf<typeof WalletLinked>
  | EventOf<typeof SessionStarted>
  | EventOf<typeof RefreshTokenRotated>
  | EventOf<typeof SessionRevoked>;
