/**
 * Admin controls of the decision runtime (issue 13; `doc/ai-trading.md`, "Pausing"): list the
 * pauses in force, pause and resume the runs of one clone or of every run of one engine (a
 * source family, e.g. every Anthropic call). Recorded on `decision-controls-main` with the caller as
 * actor; the workers honour them at the next due unit. An admin session or a service token.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { engineNames } from '../../adapters/models/engine.ts';
import type { ControlState } from '../../commands/decisions/controls.ts';
import { actorOf, type Principal } from '../auth.ts';
import { decisionControlsOf } from '../decisions.ts';
import type { RouteModule } from '../route-module.ts';
import { secured } from './access.ts';
import { errorsOf, iso, json } from './schemas.ts';

const scope = z.enum(['clone', 'source']).openapi({ description: '`clone`: one clone; `source`: every run of one engine' });
const target = z
  .string()
  .min(1)
  .max(200)
  .openapi({ description: 'the clone id, or the engine name (`none`, `rules`, `anthropic`, `recorded`)' });

const ControlBody = z
  .object({ scope, target, reason: z.string().min(1).max(300) })
  .strict()
  .refine((b) => b.scope === 'clone' || (engineNames as readonly string[]).includes(b.target), {
    path: ['target'],
    message: `a source is an engine: ${engineNames.join(', ')}`,
  })
  .openapi('DecisionControlInput');

const PauseSchema = z
  .object({
    scope,
    target: z.string(),
    reason: z.string(),
    by: z.string(),
    pausedAt: z.string().openapi({ example: '2026-01-05T00:00:00.000Z' }),
  })
  .openapi('DecisionPause');
const PausesSchema = z.object({ items: z.array(PauseSchema) }).openapi('DecisionPauses');

const routes = {
  list: createRoute({
    method: 'get',
    ...secured('operator'),
    path: '/api/v1/admin/decisions/pauses',
    tags: ['ai-trading'],
    summary: 'The pauses of decision runs in force',
    responses: { 200: { description: 'Pauses in force', content: json(PausesSchema) }, ...errorsOf(401, 403) },
  }),
  pause: createRoute({
    method: 'post',
    ...secured('operator'),
    path: '/api/v1/admin/decisions/pauses',
    tags: ['ai-trading'],
    summary: 'Pause the decision runs of a clone or of an engine (from the next due unit)',
    request: { body: { content: json(ControlBody), required: true } },
    responses: { 201: { description: 'Paused; the pauses in force', content: json(PausesSchema) }, ...errorsOf(400, 401, 403, 404, 409) },
  }),
  resume: createRoute({
    method: 'post',
    ...secured('operator'),
    path: '/api/v1/admin/decisions/pauses/resume',
    tags: ['ai-trading'],
    summary: 'Resume the decision runs of a paused clone or engine',
    request: { body: { content: json(ControlBody), required: true } },
    responses: { 200: { description: 'Resumed; the pauses in force', content: json(PausesSchema) }, ...errorsOf(400, 401, 403, 409) },
  }),
};

/** The pauses on the wire, oldest first. */
export function pausesView(state: ControlState) {
  const items = Object.entries(state.paused).map(([key, p]) => {
    const colon = key.indexOf(':');
    return {
      scope: key.slice(0, colon) as 'clone' | 'source',
      target: key.slice(colon + 1),
      reason: p.reason,
      by: p.by,
      pausedAt: p.pausedAt,
    };
  });
  return { items: items.sort((a, b) => a.pausedAt - b.pausedAt).map((p) => ({ ...p, pausedAt: iso(p.pausedAt) })) };
}

/** The actor recorded: the operator route always has a principal (`secured('operator')`). */
const byOf = (p: Principal | null) => (p ? actorOf(p) : 'unknown');

export const decisionControlRoutes: RouteModule = (app, { ledger }) => {
  const controls = decisionControlsOf(ledger);
  const targetOf = (b: z.output<typeof ControlBody>) =>
    b.scope === 'clone'
      ? { scope: 'clone' as const, target: b.target }
      : { scope: 'source' as const, target: b.target as (typeof engineNames)[number] };
  app.openapi(routes.list, (c) => c.json(pausesView(controls.state()), 200));
  app.openapi(routes.pause, (c) => {
    const body = c.req.valid('json');
    return c.json(pausesView(controls.pause(targetOf(body), body.reason, byOf(c.get('principal')))), 201);
  });
  app.openapi(routes.resume, (c) => {
    const body = c.req.valid('json');
    return c.json(pausesView(controls.resume(targetOf(body), body.reason, byOf(c.get('principal')))), 200);
  });
};
