/**
 * GET /api/v1/health: public, and says only `up` or `degraded` (`serviceHealth`: stale or
 * failing workers, dead letters, a lagging projection, an event row the store could not read). It reads a few small rows, never counts a
 * table. The details are for operators: `GET /api/v1/internal/health/workers` (`operations.ts`).
 */
import { createRoute, z } from '@hono/zod-openapi';
import { serviceHealth } from '../operations.ts';
import type { RouteModule } from '../route-module.ts';
import { secured } from './access.ts';
import { json } from './schemas.ts';

const HealthSchema = z
  .object({
    status: z
      .enum(['up', 'degraded'])
      .openapi({ description: 'degraded: a worker is stale or failing, a unit is a dead letter, or a projection lags' }),
  })
  .openapi('Health');

const route = createRoute({
  method: 'get',
  ...secured('public'),
  path: '/api/v1/health',
  tags: ['operations'],
  summary: 'Up or degraded (nothing else, to anyone)',
  responses: { 200: { description: 'The service answers', content: json(HealthSchema) } },
});

export const healthRoutes: RouteModule = (app, { ledger, ops }) => {
  app.openapi(route, (c) => c.json({ status: serviceHealth(ledger, ops, ledger.clock.now()).status }, 200));
};
