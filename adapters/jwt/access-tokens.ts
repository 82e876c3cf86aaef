/**
 * Short-lived access tokens: JWTs signed with the configured asymmetric key (jose). The token
 * names the user, the wallet and the session (refresh-token family) it was issued under, so a
 * revoked session can be refused before the token expires.
 */
import { errors, jwtVerify, SignJWT } from 'jose';
import type { SigningKey } from './signing-key.ts';

export interface AccessClaims {
  readonly userId: string;
  readonly address: string;
  readonly sessionId: string;
}

export interface IssuedAccessToken {
  readonly token: string;
  /** Milliseconds since the epoch. */
  readonly expiresAt: number;
}

export interface AccessTokens {
  issue(claims: AccessClaims, nowMs: number): Promise<IssuedAccessToken>;
  /** The claims of a valid, unexpired token of ours; null for anything else. */
  verify(token: string, nowMs: number): Promise<AccessClaims | null>;
}

export function accessTokens(options: { key: SigningKey; issuer: string; ttlSeconds: number }): AccessTokens {
  const { key, issuer, ttlSeconds } = options;
  const audience = 'clash-api';
  return {
    issue: async (claims, nowMs) => {
      const issuedAt = Math.floor(nowMs / 1000);
      const token = await new SignJWT({ addr: claims.address, sid: claims.sessionId })
        .setProtectedHeader({ alg: key.alg, typ: 'JWT' })
        .setSubject(claims.userId)
        .setIssuer(issuer)
        .setAudience(audience)
        .setIssuedAt(issuedAt)
        .setExpirationTime(issuedAt + ttlSeconds)
        .sign(key.privateKey);
      return { token, expiresAt: (issuedAt + ttlSeconds) * 1000 };
    },
    verify: async (token, nowMs) => {
      try {
        const { payload } = await jwtVerify(token, key.publicKey, {
          issuer,
          audience,
          algorithms: [key.alg],
          currentDate: new Date(nowMs),
        });
        const { sub, addr, sid } = payload;
        if (typeof sub !== 'string' || typeof addr !== 'string' || typeof sid !== 'string') return null;
        return { userId: sub, address: addr, sessionId: sid };
      } catch (error) {
        if (error instanceof errors.JOSEError) return null;
        throw error;
      }
    },
  };
}
