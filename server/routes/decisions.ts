/**
 * Decision reads (issue 13 "Reads"; doc/ai-trading.md "Decision reads"), from the
 * `decision_runs` read model and the artifact store:
 * - `GET /api/v1/clones/:id/decisions` (owner): the clone's runs, newest first, paged;
 * - `GET /api/v1/decisions/:runId` (owner of the run's clone): the run with its packet, prompt
 *   and raw reply read back from the artifact store and checked against their sha-256;
 * - `GET /api/v1/admin/decision-costs?from=&to=` (admin): tokens and cost per clone and UTC day.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { type ArtifactRef, getContent } from '../../adapters/artifacts/content.ts';
import type { ArtifactStore } from '../../adapters/artifacts/store.ts';
import { PRICE } from '../../adapters/market/units.ts';
import { utcDayOf } from '../../commands/prop-trading/figures.ts';
import { ClashError } from '../../core/errors.ts';
import { formatDecimal } from '../../core/money.ts';
import { type DecisionRunRow, decisionCosts, decisionRunsOfClone, findDecisionRun } from '../../projections/decisions/queries.ts';
import { requireUser } from '../auth.ts';
import { fillSide } from '../prop-account-section.ts';
import type { RouteModule } from '../route-module.ts';
import { secured } from './access.ts';
import { CloneParams, ownedClone } from './clone-access.ts';
import { PacketSchema } from './pipeline.ts';
import { errorsOf, isoDay, isoOrNull, json, zDay, zMicroUsd, zTime } from './schemas.ts';

/** A UTC day (`YYYY-MM-DD`) as days since the epoch (NaN when it is no date). */
const dayOf = (text: string) => utcDayOf(Date.parse(`${text}T00:00:00.000Z`));

/** The most runs one page holds, and the widest cost window (days). */
export const MAX_PAGE = 100;
export const MAX_COST_DAYS = 366;

const Artifact = z.object({ key: z.string(), sha256: z.string(), sizeBytes: z.number().int() }).openapi('ArtifactRef');
const ExitPlan = z.object({ takeProfitPrice: z.string(), stopLossPrice: z.string(), invalidation: z.string() });
const Action = z
  .object({
    action: z.enum(['hold', 'open', 'increase', 'reduce', 'close']),
    asset: z.string(),
    side: z.enum(['long', 'short']).optional(),
    notionalUsd: z.string().optional().openapi({ description: 'decimal USD' }),
    leverage: z.number().int().optional(),
    confidence: z.number(),
    exitPlan: ExitPlan.optional(),
    reason: z.string(),
  })
  .openapi('DecisionAction');
const RunSchema = z
  .object({
    runId: z.string(),
    propAccountId: z.string(),
    cloneId: z.string(),
    asset: z.string(),
    status: z.enum(['running', 'completed', 'failed']),
    dueAt: zTime,
    scheduledAt: zTime,
    startedAt: zTime.nullable(),
    endedAt: zTime.nullable(),
    engine: z.string().nullable(),
    model: z.string().nullable().openapi({ description: 'the model asked (the tier as `tier:<strength>` for anthropic)' }),
    replyModel: z.string().nullable().openapi({ description: 'the model that answered' }),
    parse: z
      .object({
        status: z.enum(['valid', 'extracted', 'refused']),
        reason: z.string().nullable(),
        issues: z.array(z.object({ path: z.string(), message: z.string() })),
      })
      .nullable(),
    validation: z.object({
      result: z.enum(['accepted', 'refused']).nullable(),
      stage: z.enum(['parse', 'validation']).nullable(),
      refusals: z.array(z.object({ code: z.string(), detail: z.string() })),
    }),
    action: Action.nullable(),
    order: z
      .object({
        orderId: z.string(),
        status: z.enum(['executed', 'refused']),
        code: z.string().nullable(),
        fill: z
          .object({
            side: z.enum(['buy', 'sell']),
            size: z.string().openapi({ description: 'base units, decimal' }),
            priceUsd: z.string(),
            feeMicroUsd: zMicroUsd(),
            at: zTime,
          })
          .nullable(),
      })
      .nullable(),
    inputTokens: z.number().int(),
    outputTokens: z.number().int(),
    costMicroUsd: zMicroUsd(),
    latencyMs: z.number().int().nullable(),
    attempts: z.number().int(),
    failure: z.object({ code: z.string(), message: z.string() }).nullable(),
  })
  .openapi('DecisionRun');
const PageSchema = z.object({ items: z.array(RunSchema), next: z.string().nullable() }).openapi('DecisionRunPage');
const DetailSchema = RunSchema.extend({
  packetDigest: z.string().nullable(),
  promptTemplateVersion: z.string().nullable(),
  artifacts: z.object({ packet: Artifact.nullable(), prompt: Artifact.nullable(), reply: Artifact.nullable() }),
  packet: PacketSchema.nullable().openapi({ description: 'null when the run stored none or retention removed it' }),
  prompt: z.object({ system: z.string(), prompt: z.string() }).nullable(),
  reply: z.string().nullable().openapi({ description: 'the raw reply text' }),
}).openapi('DecisionRunDetail');
const CostRow = z.object({
  cloneId: z.string(),
  day: zDay,
  runs: z.number().int(),
  inputTokens: z.number().int(),
  outputTokens: z.number().int(),
  costMicroUsd: zMicroUsd(),
});
const CostsSchema = z
  .object({
    from: zDay,
    to: zDay,
    days: z.array(CostRow),
    totals: CostRow.omit({ cloneId: true, day: true }),
  })
  .openapi('DecisionCosts');

const PageQuery = z.object({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_PAGE)
    .default(20)
    .openapi({ param: { name: 'limit', in: 'query' } }),
  before: z
    .string()
    .max(15)
    .regex(/^\d{1,15}$/)
    .optional()
    .openapi({ param: { name: 'before', in: 'query' }, description: 'the `next` of the previous page' }),
});
const RunParams = z.object({
  runId: z
    .string()
    .min(1)
    .max(200)
    .openapi({ param: { name: 'runId', in: 'path' } }),
});
/** A UTC day that exists (`2026-02-30` does not), as a query parameter. */
const zQueryDay = z
  .string()
  .max(10)
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .refine((text) => Number.isFinite(dayOf(text)) && isoDay(dayOf(text)) === text, 'a UTC calendar day, YYYY-MM-DD')
  .openapi({ format: 'date', example: '2026-01-05' });
const CostQuery = z.object({
  from: zQueryDay.optional().openapi({ param: { name: 'from', in: 'query' }, description: 'first UTC day; default 6 days before `to`' }),
  to: zQueryDay.optional().openapi({ param: { name: 'to', in: 'query' }, description: 'last UTC day; default today' }),
});

const routes = {
  list: createRoute({
    method: 'get',
    ...secured('user'),
    path: '/api/v1/clones/{id}/decisions',
    tags: ['ai-trading'],
    summary: "The clone's decision runs, newest first: asset, action, validation, order and fill, tokens, cost, latency",
    request: { params: CloneParams, query: PageQuery },
    responses: { 200: { description: 'A page of runs', content: json(PageSchema) }, ...errorsOf(400, 401, 403, 404) },
  }),
  detail: createRoute({
    method: 'get',
    ...secured('user'),
    path: '/api/v1/decisions/{runId}',
    tags: ['ai-trading'],
    summary: 'One decision run with its packet, prompt and reply, read back from the artifact store and checked against their digests',
    request: { params: RunParams },
    responses: { 200: { description: 'The run', content: json(DetailSchema) }, ...errorsOf(400, 401, 403, 404, 500) },
  }),
  costs: createRoute({
    method: 'get',
    ...secured('admin'),
    path: '/api/v1/admin/decision-costs',
    tags: ['ai-trading'],
    summary: 'Decision tokens and cost per clone and UTC day (admin)',
    request: { query: CostQuery },
    responses: { 200: { description: 'Costs', content: json(CostsSchema) }, ...errorsOf(400, 401, 403) },
  }),
};

/** A run row on the wire: ISO times, decimal fill figures, the verdict as `validation`. */
function runView(r: DecisionRunRow) {
  const fill = r.order?.fill;
  return {
    runId: r.runId,
    propAccountId: r.propAccountId,
    cloneId: r.cloneId,
    asset: r.asset,
    status: r.status,
    dueAt: isoOrNull(r.dueAt) as string,
    scheduledAt: isoOrNull(r.scheduledAt) as string,
    startedAt: isoOrNull(r.startedAt),
    endedAt: isoOrNull(r.endedAt),
    engine: r.engine,
    model: r.model,
    replyModel: r.replyModel,
    parse: r.parse,
    validation: { result: r.verdict, stage: r.refusals?.stage ?? null, refusals: r.refusals?.refusals ?? [] },
    action: r.action,
    order: r.order && {
      orderId: r.order.orderId,
      status: r.order.status,
      code: r.order.code,
      fill: fill
        ? {
            ...fillSide(fill.size),
            priceUsd: formatDecimal(BigInt(fill.price), PRICE),
            feeMicroUsd: fill.feeMicroUsd,
            at: isoOrNull(fill.at) as string,
          }
        : null,
    },
    inputTokens: r.inputTokens,
    outputTokens: r.outputTokens,
    costMicroUsd: r.costMicroUsd,
    latencyMs: r.latencyMs,
    attempts: r.attempts,
    failure: r.failure,
  };
}

const artifactView = (ref: ArtifactRef | null) => ref && { key: ref.key, sha256: ref.sha256, sizeBytes: ref.size };

/**
 * The text of `ref` from the store, checked against its digest; null when there is none or
 * retention removed it. Errors: `artifact_corrupt` (500) when the bytes do not match.
 */
async function artifactText(store: ArtifactStore, ref: ArtifactRef | null): Promise<string | null> {
  if (!ref) return null;
  try {
    const bytes = await getContent(store, ref);
    return bytes ? new TextDecoder().decode(bytes) : null;
  } catch (error) {
    throw new ClashError('artifact_corrupt', 'corrupt', `artifact ${ref.key} does not match its sha256`, {
      key: ref.key,
      cause: String(error),
    });
  }
}

export const decisionRoutes: RouteModule = (app, { ledger, ops }) => {
  const db = ledger.store.db;
  app.openapi(routes.list, (c) => {
    const clone = ownedClone(db, c.req.valid('param').id, c.get('principal'));
    const { limit, before } = c.req.valid('query');
    const page = decisionRunsOfClone(db, clone.id, { limit, before: before === undefined ? undefined : Number(before) });
    return c.json(PageSchema.parse({ items: page.items.map(runView), next: page.next === null ? null : String(page.next) }), 200);
  });
  app.openapi(routes.detail, async (c) => {
    const user = requireUser(c.get('principal'));
    const { runId } = c.req.valid('param');
    const run = findDecisionRun(db, runId);
    if (!run) throw new ClashError('run_not_found', 'not_found', `no decision run ${runId}`);
    ownedClone(db, run.cloneId, user);
    const [packet, prompt, reply] = await Promise.all([
      artifactText(ops.artifacts, run.packet),
      artifactText(ops.artifacts, run.prompt),
      artifactText(ops.artifacts, run.reply),
    ]);
    const detail = {
      ...runView(run),
      packetDigest: run.packetDigest,
      promptTemplateVersion: run.promptTemplateVersion,
      artifacts: { packet: artifactView(run.packet), prompt: artifactView(run.prompt), reply: artifactView(run.reply) },
      packet: packet === null ? null : JSON.parse(packet),
      prompt: prompt === null ? null : JSON.parse(prompt),
      reply,
    };
    return c.json(DetailSchema.parse(detail), 200);
  });
  app.openapi(routes.costs, (c) => {
    const query = c.req.valid('query');
    const to = query.to ? dayOf(query.to) : utcDayOf(ledger.clock.now());
    const from = query.from ? dayOf(query.from) : to - 6;
    if (from > to || to - from + 1 > MAX_COST_DAYS) {
      throw new ClashError('invalid_range', 'invalid', `from must be at most to, and the window at most ${MAX_COST_DAYS} days`, {
        field: 'from',
      });
    }
    const rows = decisionCosts(db, from, to);
    const totals = rows.reduce(
      (t, r) => ({
        runs: t.runs + r.runs,
        inputTokens: t.inputTokens + r.inputTokens,
        outputTokens: t.outputTokens + r.outputTokens,
        costMicroUsd: t.costMicroUsd + BigInt(r.costMicroUsd),
      }),
      { runs: 0, inputTokens: 0, outputTokens: 0, costMicroUsd: 0n },
    );
    return c.json(
      CostsSchema.parse({
        from: isoDay(from),
        to: isoDay(to),
        days: rows.map((r) => ({ ...r, day: isoDay(r.day) })),
        totals: { ...totals, costMicroUsd: totals.costMicroUsd.toString() },
      }),
      200,
    );
  });
};
