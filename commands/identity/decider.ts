/**
 * The user decider: links the wallet on first sign-in, starts sessions, rotates refresh tokens
 * and detects reuse. A token that was already rotated away, presented again, means two parties
 * hold the family: the whole family is revoked (an event, so the revocation is remembered),
 * and the handler then refuses the request — except the token rotated away last, presented
 * again inside the grace window (`graceMs` of the command, since the rotation): that is a
 * client retrying a refresh whose answer it lost, or two tabs racing, and decides nothing, so
 * the handler answers the same successor (doc/identity.md).
 */
import type { Decider } from '../../core/decider.ts';
import { DomainError } from '../../core/errors.ts';
import type { IdentityEvent } from './events.ts';

export type IdentityCommand =
  | { type: 'LinkWallet'; userId: string; address: string; chainId: number; at: number }
  | {
      type: 'StartSession';
      userId: string;
      address: string;
      chainId: number;
      sessionId: string;
      refreshTokenHash: string;
      nonce: string;
      at: number;
      expiresAt: number;
    }
  | {
      type: 'RotateRefreshToken';
      userId: string;
      sessionId: string;
      presentedHash: string;
      refreshTokenHash: string;
      at: number;
      /** How long after a rotation the token rotated away may be presented again (ms). */
      graceMs: number;
    }
  | { type: 'RevokeSession'; userId: string; sessionId: string; presentedHash: string; at: number };

export interface SessionState {
  readonly currentHash: string;
  readonly previousHashes: readonly string[];
  /** When the current token replaced the last of `previousHashes` (ms); absent before the first rotation. */
  readonly rotatedAt?: number;
  readonly expiresAt: number;
  readonly revoked: boolean;
}

export interface UserState {
  readonly address: string | null;
  readonly sessions: Readonly<Record<string, SessionState>>;
}

const unauthorized = (code: string, message: string) => new DomainError(code, 'unauthorized', message);

function linkIfNew(state: UserState, c: { userId: string; address: string; chainId: number; at: number }): IdentityEvent[] {
  if (state.address === null) {
    return [{ type: 'WalletLinked', data: { userId: c.userId, address: c.address, chainId: c.chainId, linkedAt: c.at } }];
  }
  if (state.address.toLowerCase() !== c.address.toLowerCase()) {
    throw new DomainError('wallet_mismatch', 'conflict', `user ${c.userId} is linked to another wallet`);
  }
  return [];
}

/** The live session a presented refresh token belongs to, or the refusal. */
function liveSession(state: UserState, sessionId: string, at: number): SessionState {
  const session = state.sessions[sessionId];
  if (!session) throw unauthorized('refresh_token_invalid', 'unknown refresh token');
  if (session.revoked) throw unauthorized('refresh_token_revoked', 'this session was revoked; sign in again');
  if (at >= session.expiresAt) throw unauthorized('refresh_token_expired', 'this session expired; sign in again');
  return session;
}

export const identityDecider: Decider<IdentityCommand, UserState, IdentityEvent> = {
  name: 'user',
  initialState: () => ({ address: null, sessions: {} }),
  decide(command, state) {
    switch (command.type) {
      case 'LinkWallet':
        return linkIfNew(state, command);
      case 'StartSession': {
        const { userId, sessionId, refreshTokenHash, nonce, at, expiresAt } = command;
        if (state.sessions[sessionId]) throw new DomainError('session_exists', 'conflict', `session ${sessionId} exists`);
        return [
          ...linkIfNew(state, command),
          { type: 'SessionStarted', data: { userId, sessionId, refreshTokenHash, nonce, startedAt: at, expiresAt } },
        ];
      }
      case 'RotateRefreshToken': {
        const { userId, sessionId, presentedHash, refreshTokenHash, at } = command;
        const session = liveSession(state, sessionId, at);
        const justRotated = session.previousHashes.at(-1) === presentedHash && session.rotatedAt !== undefined;
        if (justRotated && at < (session.rotatedAt as number) + command.graceMs) return [];
        if (session.previousHashes.includes(presentedHash)) {
          return [{ type: 'SessionRevoked', data: { userId, sessionId, reason: 'refresh_token_reused', revokedAt: at } }];
        }
        if (session.currentHash !== presentedHash) throw unauthorized('refresh_token_invalid', 'unknown refresh token');
        return [
          { type: 'RefreshTokenRotated', data: { userId, sessionId, previousTokenHash: presentedHash, refreshTokenHash, rotatedAt: at } },
        ];
      }
      case 'RevokeSession': {
        const session = state.sessions[command.sessionId];
        if (!session || (session.currentHash !== command.presentedHash && !session.previousHashes.includes(command.presentedHash))) {
          throw unauthorized('refresh_token_invalid', 'unknown refresh token');
        }
        if (session.revoked) return [];
        return [
          {
            type: 'SessionRevoked',
            data: { userId: command.userId, sessionId: command.sessionId, reason: 'logout', revokedAt: command.at },
          },
        ];
      }
    }
  },
  evolve(state, event) {
    switch (event.type) {
      case 'WalletLinked':
        return { ...state, address: event.data.address };
      case 'SessionStarted': {
        const { sessionId, refreshTokenHash, expiresAt } = event.data;
        const session: SessionState = { currentHash: refreshTokenHash, previousHashes: [], expiresAt, revoked: false };
        return { ...state, sessions: { ...state.sessions, [sessionId]: session } };
      }
      case 'RefreshTokenRotated': {
        const { sessionId, previousTokenHash, refreshTokenHash, rotatedAt } = event.data;
        const s = state.sessions[sessionId] as SessionState;
        const session = { ...s, currentHash: refreshTokenHash, previousHashes: [...s.previousHashes, previousTokenHash], rotatedAt };
        return { ...state, sessions: { ...state.sessions, [sessionId]: session } };
      }
      case 'SessionRevoked': {
        const s = state.sessions[event.data.sessionId] as SessionState;
        return { ...state, sessions: { ...state.sessions, [event.data.sessionId]: { ...s, revoked: true } } };
      }
    }
  },
};
