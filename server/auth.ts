/**
 * Who is calling. An Authenticator turns the Authorization header into a Principal; routes
 * declare which principals they accept. Service tokens (for workers and internal callers)
 * come from configuration; user sessions (SIWE + JWT) plug in as another Authenticator.
 */
import { timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { ClashError } from '../core/errors.ts';

export type Principal =
  | { readonly kind: 'user'; readonly userId: string; readonly address: string; readonly admin: boolean }
  | { readonly kind: 'service'; readonly name: string };

export interface Authenticator {
  /** The principal for this header, null when the header is absent or not this authenticator's kind. */
  authenticate(authorization: string | undefined): Promise<Principal | null>;
}

export class Unauthorized extends ClashError {
  constructor(message = 'sign in first') {
    super('unauthorized', 'unauthorized', message);
  }
}

export class Forbidden extends ClashError {
  constructor(message = 'not allowed') {
    super('forbidden', 'forbidden', message);
  }
}

/** Service tokens: `Authorization: Bearer <token>` where token is configured as `name:secret`. */
export function serviceTokenAuthenticator(tokens: readonly { name: string; secret: string }[]): Authenticator {
  const known = tokens.map((t) => ({ name: t.name, secret: Buffer.from(t.secret) }));
  return {
    authenticate: async (header) => {
      const presented = header?.startsWith('Bearer ') ? Buffer.from(header.slice(7)) : undefined;
      if (!presented) return null;
      const match = known.find((t) => t.secret.length === presented.length && timingSafeEqual(t.secret, presented));
      return match ? { kind: 'service', name: match.name } : null;
    },
  };
}

/** Tries each authenticator in turn; the first that recognises the header wins. */
export function anyOf(authenticators: readonly Authenticator[]): Authenticator {
  return {
    authenticate: async (header) => {
      for (const a of authenticators) {
        const p = await a.authenticate(header);
        if (p) return p;
      }
      return null;
    },
  };
}

export interface AuthEnv {
  Variables: { principal: Principal | null };
}

/** Sets `principal` (or null) for every request; routes then require what they need. */
export function authenticate(authenticator: Authenticator): MiddlewareHandler<AuthEnv> {
  return async (c, next) => {
    c.set('principal', await authenticator.authenticate(c.req.header('authorization')));
    await next();
  };
}

export function requireUser(p: Principal | null): Extract<Principal, { kind: 'user' }> {
  if (!p) throw new Unauthorized();
  if (p.kind !== 'user') throw new Forbidden('a user session is required');
  return p;
}

export function requireAdmin(p: Principal | null): Extract<Principal, { kind: 'user' }> {
  const user = requireUser(p);
  if (!user.admin) throw new Forbidden('admins only');
  return user;
}

export function requireService(p: Principal | null): Extract<Principal, { kind: 'service' }> {
  if (!p) throw new Unauthorized('a service token is required');
  if (p.kind !== 'service') throw new Forbidden('a service token is required');
  return p;
}

/** The actor recorded in event metadata. */
export function actorOf(p: Principal): string {
  return p.kind === 'user' ? `user:${p.userId}` : `service:${p.name}`;
}
