/**
 * Who may call a route, declared once: the route's OpenAPI `security` and the middleware that
 * enforces it before any input is read (so a caller without the right credentials gets 401 or
 * 403, never a validation error). Handlers then apply finer rules (whose clone, whose quote).
 *
 * Schemes (`doc/api.md` "Authentication"): `userToken`, the access JWT of a signed-in user
 * (role `admin` for wallets in `CLASH_ADMIN_ADDRESSES`); `serviceToken`, a secret from
 * `CLASH_SERVICE_TOKENS`. Both are `Authorization: Bearer <token>`.
 */
import type { MiddlewareHandler } from 'hono';
import { type AuthEnv, Forbidden, type Principal, Unauthorized } from '../auth.ts';

/** `operator`: an admin session or a service token (worker health, dead letters, metrics: doc/operations.md). */
export type Access = 'public' | 'user' | 'admin' | 'service' | 'user_or_service' | 'operator';

const SECURITY: Record<Access, Record<string, string[]>[]> = {
  public: [],
  user: [{ userToken: [] }],
  admin: [{ userToken: ['admin'] }],
  service: [{ serviceToken: [] }],
  user_or_service: [{ userToken: [] }, { serviceToken: [] }],
  operator: [{ userToken: ['admin'] }, { serviceToken: [] }],
};

/** The refusal for this principal under this access, or null when it may pass. */
export function refusal(access: Access, p: Principal | null): Error | null {
  if (access === 'public') return null;
  if (!p) return new Unauthorized(access === 'service' ? 'a service token is required' : 'sign in first');
  if (access === 'user_or_service') return null;
  if (access === 'operator') return p.kind === 'service' || p.admin ? null : new Forbidden('admins and services only');
  if (access === 'service') return p.kind === 'service' ? null : new Forbidden('a service token is required');
  if (p.kind !== 'user') return new Forbidden('a user session is required');
  return access === 'admin' && !p.admin ? new Forbidden('admins only') : null;
}

/** Spread into `createRoute`: the operation's `security` and its enforcement. */
export function secured(access: Access): { security: Record<string, string[]>[]; middleware: MiddlewareHandler<AuthEnv>[] } {
  const guard: MiddlewareHandler<AuthEnv> = async (c, next) => {
    const refused = refusal(access, c.get('principal'));
    if (refused) throw refused;
    await next();
  };
  return { security: SECURITY[access], middleware: access === 'public' ? [] : [guard] };
}

/** The security schemes the document declares. */
export const securitySchemes = {
  userToken: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description:
      'The access token from POST /api/v1/auth/verify (Sign-In With Ethereum), renewed with POST /api/v1/auth/refresh. Role `admin`: the wallet is in CLASH_ADMIN_ADDRESSES. With CLASH_DEV_IDENTITY (development only) `Authorization: Dev <address>` is accepted in its place.',
  },
  serviceToken: {
    type: 'http',
    scheme: 'bearer',
    description: 'A service secret from CLASH_SERVICE_TOKENS, for workers and internal callers.',
  },
} as const;
