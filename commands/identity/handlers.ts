/**
 * Identity commands: issue a nonce, sign in with a signed EIP-4361 message, refresh, log out,
 * and (development fallback only) register a wallet without a signature. Handlers add the
 * time, the ids and the random secrets; the decider stays pure.
 */
import { randomBytes } from 'node:crypto';
import type { AccessTokens } from '../../adapters/jwt/access-tokens.ts';
import { type SiwePolicy, verifySiweMessage } from '../../adapters/siwe/siwe-verifier.ts';
import type { Clock, IdSource } from '../../core/clock.ts';
import { CommandHandler } from '../../core/decider.ts';
import { DomainError } from '../../core/errors.ts';
import type { EventStore } from '../../core/event-store.ts';
import { identityDecider } from './decider.ts';
import { NonceBook } from './nonces.ts';
import { newRefreshToken, readRefreshToken } from './refresh-token.ts';
import { SuccessorBook } from './successors.ts';
import { userIdFor, userStream } from './user-id.ts';

export interface IdentityDeps {
  readonly store: EventStore;
  readonly clock: Clock;
  readonly ids: IdSource;
  readonly tokens: AccessTokens;
  readonly policy: SiwePolicy;
  readonly nonceTtlMs: number;
  /** The most sign-in nonces kept at once (`NonceBook`). */
  readonly maxNonces: number;
  readonly refreshTtlMs: number;
  /** How long the token just rotated away still answers with its successor (ms; 0: never). */
  readonly refreshGraceMs: number;
}

export interface SessionGrant {
  readonly accessToken: string;
  readonly accessTokenExpiresAt: number;
  readonly refreshToken: string;
  readonly refreshTokenExpiresAt: number;
  readonly user: { readonly id: string; readonly address: string };
}

export class IdentityCommands {
  private readonly handler;
  private readonly nonces;
  private readonly successors;

  constructor(private readonly deps: IdentityDeps) {
    this.handler = new CommandHandler(deps.store, identityDecider);
    this.nonces = new NonceBook(deps.store.db, deps.maxNonces);
    this.successors = new SuccessorBook(deps.store.db);
  }

  issueNonce(): { nonce: string; issuedAt: number; expiresAt: number } {
    return this.deps.store.transaction(() =>
      this.nonces.issue(randomBytes(12).toString('hex'), this.deps.clock.now(), this.deps.nonceTtlMs),
    );
  }

  /** Verifies the message and signature, burns the nonce and starts a session, atomically. */
  async signIn(message: string, signature: string): Promise<SessionGrant> {
    const now = this.deps.clock.now();
    const fields = await verifySiweMessage(message, signature, this.deps.policy, now);
    const userId = userIdFor(fields.address);
    const refresh = newRefreshToken(userId, this.deps.ids.next());
    const expiresAt = now + this.deps.refreshTtlMs;
    this.deps.store.transaction(() => {
      this.nonces.burn(fields.nonce, now);
      this.handler.handle({
        streamId: userStream(userId),
        command: {
          type: 'StartSession',
          userId,
          address: fields.address,
          chainId: fields.chainId,
          sessionId: refresh.sessionId,
          refreshTokenHash: refresh.hash,
          nonce: fields.nonce,
          at: now,
          expiresAt,
        },
        metadata: { actor: `user:${userId}` },
      });
    });
    return this.grant(userId, fields.address, refresh.sessionId, refresh.token, expiresAt, now);
  }

  /**
   * Rotates a refresh token; a token rotated before revokes its whole family and is refused
   * (`refresh_token_reused`, 401, after appending `SessionRevoked`). The token rotated away
   * last, presented again within `refreshGraceMs` of its rotation, answers with the same
   * successor and appends nothing: the rotation and its sealed successor commit together, so
   * concurrent refreshes (in this process or another on the file) make one rotation.
   */
  async refresh(token: string): Promise<SessionGrant> {
    const now = this.deps.clock.now();
    const presented = readRefreshToken(token);
    const next = newRefreshToken(presented.userId, presented.sessionId);
    const result = this.deps.store.transaction(() => {
      const decided = this.handler.handle({
        streamId: userStream(presented.userId),
        command: {
          type: 'RotateRefreshToken',
          userId: presented.userId,
          sessionId: presented.sessionId,
          presentedHash: presented.hash,
          refreshTokenHash: next.hash,
          at: now,
          graceMs: this.deps.refreshGraceMs,
        },
        metadata: { actor: `user:${presented.userId}` },
      });
      if (decided.events.some((e) => e.type === 'RefreshTokenRotated')) {
        this.successors.keep(presented, next.token, now, now + this.deps.refreshGraceMs);
      }
      return decided;
    });
    if (result.events.some((e) => e.type === 'SessionRevoked')) {
      throw new DomainError('refresh_token_reused', 'unauthorized', 'this refresh token was already used: the session is revoked');
    }
    const successor = result.events.length > 0 ? next.token : this.successors.find(presented, now);
    const session = result.state.sessions[presented.sessionId];
    const address = result.state.address;
    if (!session || address === null || successor === undefined) {
      throw new DomainError('refresh_token_invalid', 'unauthorized', 'unknown refresh token');
    }
    return this.grant(presented.userId, address, presented.sessionId, successor, session.expiresAt, now);
  }

  logout(token: string): void {
    const presented = readRefreshToken(token);
    this.handler.handle({
      streamId: userStream(presented.userId),
      command: {
        type: 'RevokeSession',
        userId: presented.userId,
        sessionId: presented.sessionId,
        presentedHash: presented.hash,
        at: this.deps.clock.now(),
      },
      metadata: { actor: `user:${presented.userId}` },
    });
  }

  /** The development fallback identity: the user of this address, linked without a signature. */
  registerUnverified(address: string): { userId: string; address: string } {
    const userId = userIdFor(address);
    const { state } = this.handler.handle({
      streamId: userStream(userId),
      command: { type: 'LinkWallet', userId, address, chainId: this.deps.policy.chainId, at: this.deps.clock.now() },
      metadata: { actor: 'dev-fallback' },
    });
    return { userId, address: state.address ?? address };
  }

  private async grant(
    userId: string,
    address: string,
    sessionId: string,
    refreshToken: string,
    refreshTokenExpiresAt: number,
    now: number,
  ): Promise<SessionGrant> {
    const access = await this.deps.tokens.issue({ userId, address, sessionId }, now);
    return {
      accessToken: access.token,
      accessTokenExpiresAt: access.expiresAt,
      refreshToken,
      refreshTokenExpiresAt,
      user: { id: userId, address },
    };
  }
}
