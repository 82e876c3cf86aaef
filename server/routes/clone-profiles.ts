/**
 * Public clone profiles and moderation: anyone may read a profile, anyone signed in may report
 * one, admins read the reports and retire or reinstate the profile (the status is public).
 */
import { createRoute, z } from '@hono/zod-openapi';
import { zAdminReasonInput, zReportReasonInput } from '../../commands/clones/inputs.ts';
import { type PublicProfile, publicProfileOf, reportsOf } from '../../projections/clones/profiles.ts';
import { requireAdmin, requireUser } from '../auth.ts';
import { cloneCommandsOf } from '../clones.ts';
import type { RouteModule } from '../route-module.ts';
import { secured } from './access.ts';
import { CloneParams, existingClone } from './clone-access.ts';
import { errorsOf, iso, json, zTime } from './schemas.ts';

export const PublicProfileSchema = z
  .object({
    cloneId: z.string(),
    name: z.string(),
    description: z.string(),
    avatarUrl: z.string().nullable(),
    capabilitySignals: z.array(z.string()),
    moderationStatus: z.enum(['active', 'retired']),
    updatedAt: zTime,
  })
  .openapi('PublicCloneProfile');
const ReportBody = z.object({ reason: zReportReasonInput }).strict().openapi('CloneReportInput');
const ReportSchema = z
  .object({ reportId: z.string(), reporterUserId: z.string(), reason: z.string(), reportedAt: zTime })
  .openapi('CloneReport');
const ModerationBody = z.object({ reason: zAdminReasonInput }).strict().openapi('ModerationInput');

/** A profile as the public sees it: without the report count. */
export function publicProfileView(p: PublicProfile): z.output<typeof PublicProfileSchema> {
  const { reportCount: _private, ...shown } = p;
  return { ...shown, capabilitySignals: [...p.capabilitySignals], updatedAt: iso(p.updatedAt) };
}

const moderationRoute = (action: 'retire' | 'reinstate') =>
  createRoute({
    method: 'post',
    ...secured('admin'),
    path: `/api/v1/admin/clones/{id}/${action}`,
    tags: ['moderation'],
    summary: action === 'retire' ? 'Retire a public profile' : 'Reinstate a retired public profile',
    request: { params: CloneParams, body: { content: json(ModerationBody), required: true } },
    responses: { 200: { description: 'The profile now', content: json(PublicProfileSchema) }, ...errorsOf(400, 401, 403, 404, 409) },
  });

const routes = {
  show: createRoute({
    method: 'get',
    ...secured('public'),
    path: '/api/v1/public/clones/{id}',
    tags: ['public'],
    summary: 'A clone’s public profile (no session needed)',
    request: { params: CloneParams },
    responses: { 200: { description: 'The profile', content: json(PublicProfileSchema) }, ...errorsOf(404) },
  }),
  report: createRoute({
    method: 'post',
    ...secured('user'),
    path: '/api/v1/clones/{id}/reports',
    tags: ['moderation'],
    summary: 'Report a clone’s profile',
    request: { params: CloneParams, body: { content: json(ReportBody), required: true } },
    responses: {
      201: { description: 'Reported', content: json(z.object({ reportId: z.string() })) },
      ...errorsOf(400, 401, 403, 404, 409),
    },
  }),
  reports: createRoute({
    method: 'get',
    ...secured('admin'),
    path: '/api/v1/admin/clones/{id}/reports',
    tags: ['moderation'],
    summary: 'Reports against a clone',
    request: { params: CloneParams },
    responses: { 200: { description: 'Reports', content: json(z.object({ reports: z.array(ReportSchema) })) }, ...errorsOf(401, 403, 404) },
  }),
  retire: moderationRoute('retire'),
  reinstate: moderationRoute('reinstate'),
};

export const cloneProfileRoutes: RouteModule = (app, { ledger, config }) => {
  const db = ledger.store.db;
  const clones = cloneCommandsOf(ledger, config);
  const profile = (cloneId: string) => {
    const p = publicProfileOf(db, existingClone(db, cloneId).id);
    if (!p) throw new Error(`profile of ${cloneId} missing from the read model`);
    return publicProfileView(p);
  };

  app.openapi(routes.show, (c) => c.json(profile(c.req.valid('param').id), 200));
  app.openapi(routes.report, (c) => {
    const user = requireUser(c.get('principal'));
    const clone = existingClone(db, c.req.valid('param').id);
    return c.json({ reportId: clones.report(clone.id, user.userId, c.req.valid('json').reason) }, 201);
  });
  app.openapi(routes.reports, (c) => {
    requireAdmin(c.get('principal'));
    const clone = existingClone(db, c.req.valid('param').id);
    return c.json({ reports: reportsOf(db, clone.id).map((r) => ({ ...r, reportedAt: iso(r.reportedAt) })) }, 200);
  });
  for (const [route, type] of [
    [routes.retire, 'RetireProfile'],
    [routes.reinstate, 'ReinstateProfile'],
  ] as const) {
    app.openapi(route, (c) => {
      const admin = requireAdmin(c.get('principal'));
      const clone = existingClone(db, c.req.valid('param').id);
      clones.moderate(type, clone.id, admin.userId, c.req.valid('json').reason);
      return c.json(profile(clone.id), 200);
    });
  }
};
