/** GET /api/v1/internal/health/ingestion: each market source and channel's health (service token or admin). */
import { createRoute, z } from '@hono/zod-openapi';
import { ingestionStatus } from '../../adapters/market/ingestion/health.ts';
import type { RouteModule } from '../route-module.ts';
import { secured } from './access.ts';
import { errorsOf, iso, json } from './schemas.ts';

const isoOrNull = z.string().nullable().openapi({ description: 'ISO 8601 UTC with milliseconds, or null' });

const ChannelHealthSchema = z
  .object({
    source: z.string(),
    channel: z.string(),
    state: z.enum(['ok', 'stale', 'failing']),
    lastSuccessAt: isoOrNull,
    lastErrorAt: isoOrNull,
    lastError: z.string().nullable(),
    consecutiveErrors: z.number().int(),
    invalidPayloads: z.number().int(),
    rowsLastHour: z.number().int(),
    lagMs: z.number().int().nullable().openapi({ description: 'now − newest row time, ms' }),
    staleAfterMs: z.number().int(),
    coverage: z.object({ fresh: z.number().int(), expected: z.number().int() }).nullable(),
  })
  .openapi('ChannelHealth');

const IngestionHealthSchema = z.object({ at: z.string(), channels: z.array(ChannelHealthSchema) }).openapi('IngestionHealth');

const route = createRoute({
  method: 'get',
  path: '/api/v1/internal/health/ingestion',
  tags: ['operations'],
  summary: 'Market ingestion health per source and channel',
  ...secured('operator'),
  responses: { 200: { description: 'Every channel', content: json(IngestionHealthSchema) }, ...errorsOf(401, 403) },
});

export const ingestionRoutes: RouteModule = (app, { ledger }) => {
  app.openapi(route, (c) => {
    const now = ledger.clock.now();
    const channels = ingestionStatus(ledger.store.db, now).map((h) => ({
      ...h,
      lastSuccessAt: h.lastSuccessAt === null ? null : iso(h.lastSuccessAt),
      lastErrorAt: h.lastErrorAt === null ? null : iso(h.lastErrorAt),
    }));
    return c.json({ at: iso(now), channels }, 200);
  });
};
