/** GET /api/v1/health: liveness plus the log head and each projection's lag. */
import { createRoute, z } from '@hono/zod-openapi';
import type { RouteModule } from '../route-module.ts';

const HealthSchema = z
  .object({
    status: z.literal('ok'),
    head: z.number().int().openapi({ description: 'global position of the last event' }),
    projections: z.array(z.object({ name: z.string(), mode: z.enum(['inline', 'async']), lag: z.number().int() })),
  })
  .openapi('Health');

const route = createRoute({
  method: 'get',
  path: '/api/v1/health',
  tags: ['operations'],
  responses: { 200: { description: 'The service is up', content: { 'application/json': { schema: HealthSchema } } } },
});

export const healthRoutes: RouteModule = (app, { ledger }) => {
  app.openapi(route, (c) =>
    c.json(
      {
        status: 'ok' as const,
        head: ledger.store.headPosition(),
        projections: ledger.projections.status().map(({ name, mode, lag }) => ({ name, mode, lag })),
      },
      200,
    ),
  );
};
