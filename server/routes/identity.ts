/** Sign-in routes (SIWE + JWT) and the signed-in user: /api/v1/auth/*, /api/v1/me. */
import { createRoute, z } from '@hono/zod-openapi';
import type { SessionGrant } from '../../commands/identity/handlers.ts';
import { findUser } from '../../projections/identity/users.ts';
import { requireUser } from '../auth.ts';
import type { RouteModule } from '../route-module.ts';
import { secured } from './access.ts';
import { errorsOf, iso, json, zTime } from './schemas.ts';

const NonceSchema = z
  .object({
    nonce: z.string(),
    domain: z.string().openapi({ description: 'the EIP-4361 domain to put in the message' }),
    uri: z.string().openapi({ description: 'the URI to put in the message' }),
    chainId: z.number().int(),
    issuedAt: zTime,
    expiresAt: zTime.openapi({ description: 'the nonce is refused after this' }),
  })
  .openapi('SignInChallenge');

const UserSchema = z.object({ id: z.string(), address: z.string() }).openapi('UserRef');

const SessionSchema = z
  .object({
    accessToken: z.string().openapi({ description: 'JWT; send as `Authorization: Bearer <token>`' }),
    accessTokenExpiresAt: zTime,
    refreshToken: z.string().openapi({ description: 'opaque; single use: each refresh returns a new one' }),
    refreshTokenExpiresAt: zTime,
    user: UserSchema,
  })
  .openapi('Session');

const VerifyBody = z
  .object({
    message: z.string().min(1).max(4000).openapi({ description: 'the EIP-4361 message that was signed' }),
    signature: z
      .string()
      .regex(/^0x[0-9a-fA-F]+$/, 'expected 0x-prefixed hex')
      .max(1000),
  })
  .strict()
  .openapi('SignInProof');

const RefreshBody = z
  .object({ refreshToken: z.string().min(1).max(200) })
  .strict()
  .openapi('RefreshRequest');

const MeSchema = z.object({ id: z.string(), address: z.string(), admin: z.boolean(), registeredAt: zTime }).openapi('Me');

const nonceRoute = createRoute({
  method: 'get',
  ...secured('public'),
  path: '/api/v1/auth/nonce',
  tags: ['auth'],
  summary: 'A single-use sign-in challenge',
  responses: { 200: { description: 'Build the EIP-4361 message from these fields', content: json(NonceSchema) } },
});

const verifyRoute = createRoute({
  method: 'post',
  ...secured('public'),
  path: '/api/v1/auth/verify',
  tags: ['auth'],
  summary: 'Sign in with a signed EIP-4361 message',
  request: { body: { content: json(VerifyBody), required: true } },
  responses: { 200: { description: 'Signed in', content: json(SessionSchema) }, ...errorsOf(400, 401, 409) },
});

const refreshRoute = createRoute({
  method: 'post',
  ...secured('public'),
  path: '/api/v1/auth/refresh',
  tags: ['auth'],
  summary: 'Rotate a refresh token (a reused one revokes its session)',
  request: { body: { content: json(RefreshBody), required: true } },
  responses: { 200: { description: 'A new token pair', content: json(SessionSchema) }, ...errorsOf(400, 401) },
});

const logoutRoute = createRoute({
  method: 'post',
  ...secured('public'),
  path: '/api/v1/auth/logout',
  tags: ['auth'],
  summary: 'Revoke the session of a refresh token',
  request: { body: { content: json(RefreshBody), required: true } },
  responses: { 204: { description: 'Signed out' }, ...errorsOf(400, 401) },
});

const meRoute = createRoute({
  method: 'get',
  ...secured('user'),
  path: '/api/v1/me',
  tags: ['auth'],
  summary: 'The signed-in user',
  responses: { 200: { description: 'The user', content: json(MeSchema) }, ...errorsOf(401, 403) },
});

export const identityRoutes: RouteModule = (app, { ledger, config, identity }) => {
  const origin = new URL(config.CLASH_PUBLIC_ORIGIN);
  const session = (g: SessionGrant) => ({
    ...g,
    accessTokenExpiresAt: iso(g.accessTokenExpiresAt),
    refreshTokenExpiresAt: iso(g.refreshTokenExpiresAt),
  });

  app.openapi(nonceRoute, (c) => {
    const n = identity.commands.issueNonce();
    return c.json(
      {
        nonce: n.nonce,
        domain: origin.host,
        uri: origin.origin,
        chainId: config.CLASH_SIWE_CHAIN_ID,
        issuedAt: iso(n.issuedAt),
        expiresAt: iso(n.expiresAt),
      },
      200,
    );
  });
  app.openapi(verifyRoute, async (c) => {
    const { message, signature } = c.req.valid('json');
    return c.json(session(await identity.commands.signIn(message, signature)), 200);
  });
  app.openapi(refreshRoute, async (c) => c.json(session(await identity.commands.refresh(c.req.valid('json').refreshToken)), 200));
  app.openapi(logoutRoute, (c) => {
    identity.commands.logout(c.req.valid('json').refreshToken);
    return c.body(null, 204);
  });
  app.openapi(meRoute, (c) => {
    const p = requireUser(c.get('principal'));
    const row = findUser(ledger.store.db, p.userId);
    return c.json({ id: p.userId, address: p.address, admin: p.admin, registeredAt: iso(row?.registeredAt ?? 0) }, 200);
  });
};
