/**
 * Operator routes (a service token or an admin session): worker health
 * (`GET /api/v1/internal/health/workers`, the seed's route), dead letters (list, show, retry,
 * discard) and `GET /metrics` in the Prometheus text format. doc/operations.md.
 */
import { createRoute, z } from '@hono/zod-openapi';
import type { WorkerHealth } from '../../core/operations/heartbeats.ts';
import type { ParkedUnit } from '../../core/operations/work-units.ts';
import { actorOf } from '../auth.ts';
import { serviceHealth } from '../operations.ts';
import type { RouteModule } from '../route-module.ts';
import { secured } from './access.ts';
import { errorsOf, iso, json } from './schemas.ts';

const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));
const time = z.string().openapi({ example: '2026-01-05T00:00:00.000Z' });

const WorkerSchema = z
  .object({
    worker: z.string(),
    host: z.string(),
    pid: z.number().int(),
    state: z.enum(['ok', 'stale', 'failing']),
    startedAt: time,
    lastBeatAt: time,
    lastSuccessAt: time.nullable(),
    lastError: z.string().nullable(),
    lastErrorAt: time.nullable(),
    unitsInFlight: z.number().int(),
    intervalMs: z.number().int(),
    signals: z.record(z.string(), z.number()),
  })
  .openapi('WorkerHealth');
const WorkersSchema = z
  .object({
    status: z.enum(['up', 'degraded']),
    staleAfterBeats: z.number().int(),
    workers: z.array(WorkerSchema),
    deadLetters: z.number().int(),
    waitingUnits: z.number().int(),
    projections: z.array(z.object({ name: z.string(), mode: z.enum(['inline', 'async']), lag: z.number().int() })),
    corruptEvent: z
      .object({ position: z.number().int(), streamId: z.string(), type: z.string(), reason: z.string() })
      .nullable()
      .openapi({ description: 'the first event row this server could not read back (null: none met)' }),
  })
  .openapi('WorkersHealth');

const DeadLetterSchema = z
  .object({
    id: z.number().int(),
    worker: z.string(),
    unit: z.string(),
    orderingKey: z.string().nullable(),
    position: z.number().int().nullable(),
    description: z.string(),
    state: z.enum(['retrying', 'dead', 'waiting']),
    attempts: z.number().int(),
    firstFailureAt: time.nullable(),
    lastFailureAt: time.nullable(),
    lastError: z.string().nullable(),
    nextAttemptAt: time,
    parkedAt: time,
    blocking: z.number().int().openapi({ description: 'units of the same worker and ordering key waiting behind this one' }),
  })
  .openapi('DeadLetter');
const DeadLettersSchema = z.object({ items: z.array(DeadLetterSchema) }).openapi('DeadLetters');
const DeadLetterParams = z.object({
  id: z.coerce
    .number()
    .int()
    .positive()
    .max(Number.MAX_SAFE_INTEGER)
    .openapi({ param: { name: 'id', in: 'path' }, example: 1 }),
});
const ListQuery = z.object({
  state: z.enum(['dead', 'retrying', 'waiting', 'all']).default('all').openapi({ description: 'which parked units (default all)' }),
});

const routes = {
  workers: createRoute({
    method: 'get',
    ...secured('operator'),
    path: '/api/v1/internal/health/workers',
    tags: ['operations'],
    summary: 'Every worker process’s heartbeat and state, dead letters and projection lag',
    responses: { 200: { description: 'Worker health', content: json(WorkersSchema) }, ...errorsOf(401, 403) },
  }),
  list: createRoute({
    method: 'get',
    ...secured('operator'),
    path: '/api/v1/admin/dead-letters',
    tags: ['operations'],
    summary: 'Parked worker units: dead letters, units retrying, units waiting behind one',
    request: { query: ListQuery },
    responses: { 200: { description: 'Parked units, oldest first', content: json(DeadLettersSchema) }, ...errorsOf(400, 401, 403) },
  }),
  show: createRoute({
    method: 'get',
    ...secured('operator'),
    path: '/api/v1/admin/dead-letters/{id}',
    tags: ['operations'],
    summary: 'One parked unit',
    request: { params: DeadLetterParams },
    responses: { 200: { description: 'The unit', content: json(DeadLetterSchema) }, ...errorsOf(400, 401, 403, 404) },
  }),
  retry: createRoute({
    method: 'post',
    ...secured('operator'),
    path: '/api/v1/admin/dead-letters/{id}/retry',
    tags: ['operations'],
    summary: 'Give a parked unit a fresh set of attempts, due now (its worker takes it at its next tick)',
    request: { params: DeadLetterParams },
    responses: { 200: { description: 'The unit, retrying', content: json(DeadLetterSchema) }, ...errorsOf(400, 401, 403, 404) },
  }),
  discard: createRoute({
    method: 'post',
    ...secured('operator'),
    path: '/api/v1/admin/dead-letters/{id}/discard',
    tags: ['operations'],
    summary: 'Forget a parked unit without running it; the units behind it go on',
    request: { params: DeadLetterParams },
    responses: { 200: { description: 'The unit that was discarded', content: json(DeadLetterSchema) }, ...errorsOf(400, 401, 403, 404) },
  }),
  metrics: createRoute({
    method: 'get',
    ...secured('operator'),
    path: '/metrics',
    tags: ['operations'],
    summary: 'Prometheus metrics (text exposition format 0.0.4); scrape with a service token',
    responses: {
      200: { description: 'The metrics', content: { 'text/plain': { schema: z.string() } } },
      ...errorsOf(401, 403),
    },
  }),
};

/** A worker's health on the wire. */
function workerView(w: WorkerHealth) {
  return {
    worker: w.worker,
    host: w.host,
    pid: w.pid,
    state: w.state,
    startedAt: iso(w.startedAt),
    lastBeatAt: iso(w.lastBeatAt),
    lastSuccessAt: isoOrNull(w.lastSuccessAt),
    lastError: w.lastError,
    lastErrorAt: isoOrNull(w.lastErrorAt),
    unitsInFlight: w.unitsInFlight,
    intervalMs: w.intervalMs,
    signals: { ...w.signals },
  };
}

/** A parked unit on the wire (`id` is the dead-letter id operators use). */
export function deadLetterView(u: ParkedUnit) {
  return {
    id: u.seq,
    worker: u.worker,
    unit: u.id,
    orderingKey: u.orderingKey,
    position: u.position,
    description: u.description,
    state: u.state,
    attempts: u.attempts,
    firstFailureAt: isoOrNull(u.firstFailureAt),
    lastFailureAt: isoOrNull(u.lastFailureAt),
    lastError: u.lastError,
    nextAttemptAt: iso(u.nextAttemptAt),
    parkedAt: iso(u.parkedAt),
    blocking: u.blocking,
  };
}

export const operationsRoutes: RouteModule = (app, { ledger, ops, log }) => {
  app.openapi(routes.workers, (c) => {
    const { status, workers, counts, projections, corruptEvent } = serviceHealth(ledger, ops, ledger.clock.now());
    return c.json(
      {
        status,
        staleAfterBeats: ops.staleBeats,
        workers: workers.map(workerView),
        deadLetters: counts.dead,
        waitingUnits: counts.waiting,
        projections,
        corruptEvent,
      },
      200,
    );
  });
  app.openapi(routes.list, (c) => {
    const { state } = c.req.valid('query');
    const items = ops.units.list().filter((u) => state === 'all' || u.state === state);
    return c.json({ items: items.map(deadLetterView) }, 200);
  });
  app.openapi(routes.show, (c) => {
    return c.json(deadLetterView(ops.units.show(c.req.valid('param').id)), 200);
  });
  app.openapi(routes.retry, (c) => {
    const operator = c.get('principal');
    const unit = ops.units.retry(c.req.valid('param').id, ledger.clock.now());
    log.info(
      { deadLetter: unit.seq, unit: unit.id, worker: unit.worker, actor: operator ? actorOf(operator) : 'unknown' },
      'dead letter retried',
    );
    return c.json(deadLetterView(unit), 200);
  });
  app.openapi(routes.discard, (c) => {
    const operator = c.get('principal');
    const unit = ops.units.discard(c.req.valid('param').id);
    log.warn(
      { deadLetter: unit.seq, unit: unit.id, worker: unit.worker, actor: operator ? actorOf(operator) : 'unknown' },
      'dead letter discarded',
    );
    return c.json(deadLetterView(unit), 200);
  });
  app.openapi(routes.metrics, async (c) => {
    return c.text(await ops.metrics.text(), 200, { 'content-type': ops.metrics.contentType });
  });
};
