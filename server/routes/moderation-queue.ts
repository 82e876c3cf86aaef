/**
 * The moderation queue for admins (`../shared/seeds/002_…` "Public clone profile and
 * moderation queue"; report-based moderation, `001_…`): reported profiles as the public sees
 * them, with their moderation state, open reports and reasons, and the history of reports and
 * retire/reinstate decisions. Retiring and reinstating stay at `/api/v1/admin/clones/{id}/…`.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { MODERATION_LIST_LIMIT, type ModerationQueueItem, moderationQueue } from '../../projections/clones/moderation.ts';
import { requireAdmin } from '../auth.ts';
import type { RouteModule } from '../route-module.ts';
import { secured } from './access.ts';
import { PublicProfileSchema, publicProfileView } from './clone-profiles.ts';
import { errorsOf, iso, json } from './schemas.ts';

const at = z.string().openapi({ format: 'date-time', example: '2026-01-05T00:00:00.000Z' });

const Query = z
  .object({
    reports: z
      .enum(['open', 'all'])
      .default('open')
      .openapi({ description: '`open`: profiles with open reports; `all`: every reported profile' }),
    state: z.enum(['active', 'retired']).optional().openapi({ description: 'only profiles in this moderation state' }),
    sort: z
      .enum(['newest', 'most_reported'])
      .default('newest')
      .openapi({ description: '`newest`: latest report first; `most_reported`: most open reports first, then latest report' }),
    after: z
      .string()
      .max(40)
      .regex(/^\d+\.\d+$/, 'a cursor from `next`')
      .optional(),
    limit: z.coerce.number().int().min(1).max(100).default(20),
  })
  .strict();

const Report = z.object({ reportId: z.string(), reporterUserId: z.string(), reason: z.string(), reportedAt: at });
const History = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('reported'), at, by: z.string(), reason: z.string(), reportId: z.string() }),
  z.object({
    kind: z.enum(['retired', 'reinstated']),
    at,
    by: z.string().openapi({ description: 'the admin’s user id' }),
    reason: z.string(),
    resolvedReports: z.number().int().openapi({ description: 'the open reports this decision resolved' }),
  }),
]);
const Item = z
  .object({
    cloneId: z.string(),
    profile: PublicProfileSchema,
    moderationStatus: z.enum(['active', 'retired']),
    openReports: z.number().int(),
    totalReports: z.number().int(),
    lastReportedAt: at,
    reports: z.array(Report).openapi({ description: `the open reports, newest first (at most ${MODERATION_LIST_LIMIT})` }),
    history: z.array(History).openapi({ description: `reports and decisions, newest first (at most ${MODERATION_LIST_LIMIT})` }),
  })
  .openapi('ModerationQueueItem');
const Page = z
  .object({ items: z.array(Item), next: z.string().nullable().openapi({ description: 'cursor for `after`; null on the last page' }) })
  .openapi('ModerationQueue');

const route = createRoute({
  method: 'get',
  ...secured('admin'),
  path: '/api/v1/admin/moderation',
  tags: ['moderation'],
  summary: 'The moderation queue: reported profiles, their open reports and history (admin)',
  request: { query: Query },
  responses: { 200: { description: 'A page of the queue', content: json(Page) }, ...errorsOf(400, 401, 403) },
});

function itemView(i: ModerationQueueItem): z.output<typeof Item> {
  return {
    cloneId: i.profile.cloneId,
    profile: publicProfileView(i.profile),
    moderationStatus: i.profile.moderationStatus,
    openReports: i.openReports,
    totalReports: i.totalReports,
    lastReportedAt: iso(i.lastReportedAt),
    reports: i.open.map((r) => ({ ...r, reportedAt: iso(r.reportedAt) })),
    history: i.history.map((h) => ({ ...h, at: iso(h.at) })),
  };
}

export const moderationQueueRoutes: RouteModule = (app, { ledger }) => {
  app.openapi(route, (c) => {
    requireAdmin(c.get('principal'));
    const page = moderationQueue(ledger.store.db, c.req.valid('query'));
    return c.json({ items: page.items.map(itemView), next: page.next }, 200);
  });
};
