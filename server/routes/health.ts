/**
 * GET /api/v1/health: liveness plus the log head and each projection's lag. `degraded` when the
 * store has met an event row it cannot read back (`corruptEvent` says where; doc/runbook.md).
 */
import { createRoute, z } from '@hono/zod-openapi';
import type { RouteModule } from '../route-module.ts';
import { secured } from './access.ts';

const HealthSchema = z
  .object({
    status: z.enum(['ok', 'degraded']),
    head: z.number().int().openapi({ description: 'global position of the last event' }),
    projections: z.array(z.object({ name: z.string(), mode: z.enum(['inline', 'async']), lag: z.number().int() })),
    corruptEvent: z
      .object({ position: z.number().int(), streamId: z.string(), type: z.string(), reason: z.string() })
      .nullable()
      .openapi({ description: 'the first event row this server could not read back (null: none met)' }),
  })
  .openapi('Health');

const route = createRoute({
  method: 'get',
  ...secured('public'),
  path: '/api/v1/health',
  tags: ['operations'],
  responses: { 200: { description: 'The service is up', content: { 'application/json': { schema: HealthSchema } } } },
});

export const healthRoutes: RouteModule = (app, { ledger }) => {
  app.openapi(route, (c) => {
    const corrupt = ledger.store.corruption;
    return c.json(
      {
        status: corrupt ? ('degraded' as const) : ('ok' as const),
        head: ledger.store.headPosition(),
        projections: ledger.projections.status().map(({ name, mode, lag }) => ({ name, mode, lag })),
        corruptEvent: corrupt && { position: corrupt.position, streamId: corrupt.streamId, type: corrupt.type, reason: corrupt.message },
      },
      200,
    );
  });
};
