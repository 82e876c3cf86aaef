/**
 * Wiring of sign-in: the access-token key and issuer, the identity commands, and the user
 * authenticators (JWT sessions, and the development fallback when it is enabled).
 */
import { getAddress } from 'viem';
import { type AccessTokens, accessTokens } from '../adapters/jwt/access-tokens.ts';
import { signingKey } from '../adapters/jwt/signing-key.ts';
import { IdentityCommands } from '../commands/identity/handlers.ts';
import { userIdFor } from '../commands/identity/user-id.ts';
import { isSessionLive } from '../projections/identity/sessions.ts';
import { findUser } from '../projections/identity/users.ts';
import type { Authenticator, Principal } from './auth.ts';
import type { ServingConfig } from './config.ts';
import type { Ledger } from './context.ts';

export interface Identity {
  readonly commands: IdentityCommands;
  readonly tokens: AccessTokens;
  /** Authenticators for users, to be combined with the service tokens. */
  readonly authenticators: readonly Authenticator[];
  /** True when the access-token key was generated at start-up (no CLASH_JWT_PRIVATE_KEY). */
  readonly generatedKey: boolean;
}

export function createIdentity(ledger: Ledger, config: ServingConfig): Identity {
  const key = signingKey(config.CLASH_JWT_PRIVATE_KEY);
  const tokens = accessTokens({ key, issuer: config.CLASH_PUBLIC_ORIGIN, ttlSeconds: config.CLASH_ACCESS_TOKEN_TTL_SECONDS });
  const commands = new IdentityCommands({
    store: ledger.store,
    clock: ledger.clock,
    ids: ledger.ids,
    tokens,
    policy: {
      domain: new URL(config.CLASH_PUBLIC_ORIGIN).host,
      origin: new URL(config.CLASH_PUBLIC_ORIGIN).origin,
      chainId: config.CLASH_SIWE_CHAIN_ID,
      skewMs: config.CLASH_SIWE_CLOCK_SKEW_SECONDS * 1000,
    },
    nonceTtlMs: config.CLASH_SIWE_NONCE_TTL_SECONDS * 1000,
    refreshTtlMs: config.CLASH_REFRESH_TOKEN_TTL_SECONDS * 1000,
    refreshGraceMs: config.CLASH_REFRESH_GRACE_SECONDS * 1000,
  });
  const admins = new Set(config.CLASH_ADMIN_ADDRESSES);
  const user = (userId: string, address: string): Principal => ({
    kind: 'user',
    userId,
    address,
    admin: admins.has(address.toLowerCase()),
  });
  const sessions: Authenticator = {
    authenticate: async (header) => {
      if (!header?.startsWith('Bearer ')) return null;
      const now = ledger.clock.now();
      const claims = await tokens.verify(header.slice(7), now);
      if (!claims || !isSessionLive(ledger.store.db, claims.sessionId, claims.userId, now)) return null;
      return user(claims.userId, claims.address);
    },
  };
  const devFallback: Authenticator = {
    authenticate: async (header) => {
      const given = /^Dev (0x[0-9a-fA-F]{40})$/.exec(header ?? '')?.[1];
      if (given === undefined) return null;
      const address = getAddress(given.toLowerCase());
      const known = findUser(ledger.store.db, userIdFor(address));
      const u = known ? { userId: known.id, address: known.address } : commands.registerUnverified(address);
      return user(u.userId, u.address);
    },
  };
  return {
    commands,
    tokens,
    authenticators: config.CLASH_DEV_IDENTITY ? [sessions, devFallback] : [sessions],
    generatedKey: key.generated,
  };
}
