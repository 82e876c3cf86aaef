/**
 * Entitlement routes: the owner reads the clone's entitlement; admins grant (with a reason) and
 * revoke; with the development fallback identity enabled, the owner may take the Starter grant.
 * Payment-backed grants come from the economy module through `EntitlementCommands`, not HTTP.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { zAdminReasonInput } from '../../commands/clones/inputs.ts';
import { EntitlementCommands } from '../../commands/entitlements/handlers.ts';
import { zModelStrength, zTierName } from '../../commands/entitlements/tiers.ts';
import { entitlementOf } from '../../projections/entitlements/entitlements.ts';
import { requireAdmin } from '../auth.ts';
import type { RouteModule } from '../route-module.ts';
import { secured } from './access.ts';
import { CloneParams, existingClone, ownedClone } from './clone-access.ts';
import { errorsOf, iso, json, zTime } from './schemas.ts';

const LimitsSchema = z
  .object({
    dailyBacktestRuns: z.number().int(),
    decisionCallsPerRun: z.number().int(),
    activeAssets: z.number().int(),
    estimatedTokensPerRun: z.number().int(),
    modelStrength: zModelStrength,
  })
  .openapi('EntitlementLimits');
const EntitlementSchema = z
  .object({
    active: z.boolean(),
    tier: zTierName.nullable(),
    limits: z.union([LimitsSchema, z.null()]),
    grantedBy: z.enum(['payment', 'admin', 'dev_fallback']).nullable(),
    grantedAt: zTime.nullable(),
    revokedAt: zTime.nullable(),
  })
  .openapi('Entitlement');
const GrantBody = z.object({ tier: zTierName, reason: zAdminReasonInput }).strict().openapi('AdminGrantInput');
const RevokeBody = z.object({ reason: zAdminReasonInput }).strict().openapi('AdminRevokeInput');

const routes = {
  show: createRoute({
    method: 'get',
    ...secured('user'),
    path: '/api/v1/clones/{id}/entitlement',
    tags: ['entitlements'],
    summary: 'The clone’s entitlement',
    request: { params: CloneParams },
    responses: { 200: { description: 'The entitlement', content: json(EntitlementSchema) }, ...errorsOf(401, 403, 404) },
  }),
  devGrant: createRoute({
    method: 'post',
    ...secured('user'),
    path: '/api/v1/clones/{id}/entitlement/dev-grant',
    tags: ['entitlements'],
    summary: 'Development only: grant Starter without payment (exists only with CLASH_DEV_IDENTITY)',
    request: { params: CloneParams },
    responses: { 201: { description: 'Granted', content: json(EntitlementSchema) }, ...errorsOf(401, 403, 404, 409) },
  }),
  grant: createRoute({
    method: 'post',
    ...secured('admin'),
    path: '/api/v1/admin/clones/{id}/entitlement',
    tags: ['entitlements'],
    summary: 'Grant a tier, with a reason',
    request: { params: CloneParams, body: { content: json(GrantBody), required: true } },
    responses: { 201: { description: 'Granted', content: json(EntitlementSchema) }, ...errorsOf(400, 401, 403, 404, 409) },
  }),
  revoke: createRoute({
    method: 'post',
    ...secured('admin'),
    path: '/api/v1/admin/clones/{id}/entitlement/revoke',
    tags: ['entitlements'],
    summary: 'Revoke the active entitlement, with a reason',
    request: { params: CloneParams, body: { content: json(RevokeBody), required: true } },
    responses: { 200: { description: 'Revoked', content: json(EntitlementSchema) }, ...errorsOf(400, 401, 403, 404, 409) },
  }),
};

export const entitlementRoutes: RouteModule = (app, { ledger, config }) => {
  const db = ledger.store.db;
  const entitlements = new EntitlementCommands(ledger);
  const view = (cloneId: string) => {
    const e = entitlementOf(db, cloneId);
    const active = e !== undefined && e.revokedAt === null;
    return {
      active,
      tier: e?.tier ?? null,
      limits: e?.limits ?? null,
      grantedBy: e?.justification.kind ?? null,
      grantedAt: e ? iso(e.grantedAt) : null,
      revokedAt: e?.revokedAt ? iso(e.revokedAt) : null,
    };
  };

  app.openapi(routes.show, (c) => c.json(view(ownedClone(db, c.req.valid('param').id, c.get('principal')).id), 200));
  if (config.CLASH_DEV_IDENTITY) {
    app.openapi(routes.devGrant, (c) => {
      const clone = ownedClone(db, c.req.valid('param').id, c.get('principal'));
      entitlements.grant(clone.id, 'starter', { kind: 'dev_fallback', userId: clone.ownerUserId }, `user:${clone.ownerUserId}`);
      return c.json(view(clone.id), 201);
    });
  }
  app.openapi(routes.grant, (c) => {
    const admin = requireAdmin(c.get('principal'));
    const clone = existingClone(db, c.req.valid('param').id);
    const { tier, reason } = c.req.valid('json');
    entitlements.grant(clone.id, tier, { kind: 'admin', adminUserId: admin.userId, reason }, `user:${admin.userId}`);
    return c.json(view(clone.id), 201);
  });
  app.openapi(routes.revoke, (c) => {
    const admin = requireAdmin(c.get('principal'));
    const clone = existingClone(db, c.req.valid('param').id);
    entitlements.revoke(clone.id, { kind: 'admin', adminUserId: admin.userId, reason: c.req.valid('json').reason }, `user:${admin.userId}`);
    return c.json(view(clone.id), 200);
  });
};
