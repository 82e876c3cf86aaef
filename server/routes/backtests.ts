/**
 * Backtest routes (doc/backtesting.md): the clone's owner asks for a preflight estimate with the
 * verdict of every limit, requests a run (202 with its id, or 422 naming the limit that refused
 * it — the refusal is recorded), and reads the clone's history; a job and a comparison of jobs
 * are read by the owner of their clone or by an admin.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { limitNames, REPLAY_SHAPE } from '../../commands/backtests/limits.ts';
import {
  DEFAULT_DECISION_INTERVAL_MS,
  DEFAULT_STEP_MS,
  type RunShape,
  zAssetSymbol,
  zBacktestEngine,
  zRunShape,
} from '../../commands/backtests/request.ts';
import { zTierName } from '../../commands/entitlements/tiers.ts';
import type { Db } from '../../core/database.ts';
import { ClashError, ValidationError } from '../../core/errors.ts';
import { issuesOf } from '../../core/event-registry.ts';
import { type BacktestRow, backtestsOfClone, findBacktest } from '../../projections/backtests/backtests.ts';
import { versionById } from '../../projections/clones/versions.ts';
import { Forbidden, type Principal, requireUser } from '../auth.ts';
import { backtestCommandsOf } from '../backtests.ts';
import { liveWindowShape } from '../live-window.ts';
import type { RouteModule } from '../route-module.ts';
import { secured } from './access.ts';
import { CloneParams, existingClone, ownedClone, readableClone } from './clone-access.ts';
import { errorsOf, iso, isoOrNull, json, zMicroUsd, zSignedMicroUsd, zTime } from './schemas.ts';

const zLimit = z.enum(limitNames);
const StrategySchema = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('version'), versionId: z.string().min(1).max(200) }).strict(),
    z
      .object({
        kind: z.literal('draft'),
        snapshotKey: z.string().min(1).max(500),
        sha256: z
          .string()
          .max(64)
          .regex(/^[0-9a-f]{64}$/),
      })
      .strict(),
  ])
  .openapi('BacktestStrategy', {
    description: 'A published version of the clone, or a draft graph stored as an artifact (key and sha-256)',
  });
const LiveWindowSchema = z
  .object({ propAccountId: z.string().min(1).max(200).openapi({ description: 'an audition or race prop account of this clone' }) })
  .strict()
  .openapi('BacktestLiveWindow', {
    description:
      'Re-run this live account’s decision runs (engine `recorded`): the strategy, assets and window come from the account and its runs',
  });
const RunBody = z
  .object({
    strategy: StrategySchema.optional().openapi({ description: 'required without liveWindow' }),
    from: zTime.optional().openapi({ description: 'required without liveWindow; with it, the earliest run re-run' }),
    to: zTime.optional().openapi({ description: 'required without liveWindow; with it, the latest run re-run' }),
    assets: z.array(zAssetSymbol).min(1).max(50).optional().openapi({ description: 'required without liveWindow' }),
    liveWindow: LiveWindowSchema.optional(),
    engine: zBacktestEngine.default('rules'),
    stepMs: z
      .number()
      .int()
      .min(60_000)
      .max(86_400_000)
      .default(DEFAULT_STEP_MS)
      .openapi({ description: 'the simulated clock step, ms (whole minutes)' }),
    decisionIntervalMs: z
      .number()
      .int()
      .min(60_000)
      .max(86_400_000)
      .optional()
      .openapi({
        description: `how often the engine decides, ms (a whole number of steps; default ${DEFAULT_DECISION_INTERVAL_MS}); not with liveWindow (the step)`,
      }),
  })
  .strict()
  .openapi('BacktestRunInput');
const RunSchema = z
  .object({
    strategy: StrategySchema,
    from: zTime,
    to: zTime,
    assets: z.array(z.string()),
    engine: zBacktestEngine,
    stepMs: z.number().int(),
    decisionIntervalMs: z.number().int(),
    liveWindow: LiveWindowSchema.optional().openapi({ description: 'the live account re-run; absent for a strategy replay' }),
  })
  .openapi('BacktestRun');
const LimitsSchema = z
  .object({
    dailyRuns: z.number().int(),
    decisionCallsPerRun: z.number().int(),
    activeAssets: z.number().int(),
    estimatedTokensPerRun: z.number().int(),
    replaySteps: z.number().int(),
  })
  .openapi('BacktestLimits');
const VerdictSchema = z
  .object({ limit: zLimit, allowed: z.number().int(), requested: z.number().int(), ok: z.boolean() })
  .openapi('BacktestVerdict');
const EstimateSchema = z
  .object({
    replaySteps: z.number().int(),
    decisionTicks: z.number().int(),
    activeAssets: z.number().int(),
    decisionCalls: z.number().int(),
    estimatedTokens: z.number().int(),
    estimatedCostMicroUsd: zMicroUsd('provider cost, rounded up'),
    model: z.object({ tokensPerCall: z.number().int(), tokensPerAsset: z.number().int(), microUsdPerMillionTokens: z.number().int() }),
    verdicts: z.array(VerdictSchema),
  })
  .openapi('BacktestEstimate');
const PreflightSchema = z
  .object({ tier: zTierName, limits: LimitsSchema, estimate: EstimateSchema, allowed: z.boolean() })
  .openapi('BacktestPreflight');
const ratio = z.number();
const MetricsSchema = z
  .object({
    samplingIntervalMs: z.number().int(),
    periodsPerYear: ratio,
    startEquityMicroUsd: zSignedMicroUsd(),
    endEquityMicroUsd: zSignedMicroUsd(),
    pnlMicroUsd: zSignedMicroUsd(),
    totalReturn: ratio,
    maxDrawdown: ratio,
    sharpe: ratio.nullable(),
    sortino: ratio.nullable(),
    calmar: ratio.nullable(),
    trades: z.number().int(),
    winRate: ratio.nullable(),
    profitFactor: ratio.nullable(),
    expectancyMicroUsd: zSignedMicroUsd().nullable(),
    feesMicroUsd: zSignedMicroUsd(),
    fundingMicroUsd: zSignedMicroUsd(),
    exposure: ratio,
    turnover: ratio,
    benchmarkReturn: ratio.nullable(),
  })
  .openapi('BacktestMetrics');
const BacktestSchema = z
  .object({
    backtestId: z.string(),
    cloneId: z.string(),
    status: z.enum(['requested', 'queued', 'refused', 'running', 'finished', 'failed']),
    tier: zTierName,
    run: RunSchema,
    limits: LimitsSchema,
    estimate: EstimateSchema,
    refusal: z.object({ limit: zLimit, allowed: z.number().int(), requested: z.number().int() }).nullable(),
    progress: z.object({ stepsDone: z.number().int(), stepsTotal: z.number().int(), simulatedAt: zTime.nullable() }),
    attempts: z.number().int(),
    metrics: MetricsSchema.nullable(),
    liveWindowVerdict: z
      .object({
        runs: z.number().int(),
        decisionsReproduced: z.number().int(),
        ordersReproduced: z.number().int(),
        divergences: z.number().int(),
        metricsReproduced: z.boolean(),
      })
      .nullable()
      .openapi({
        description:
          'a finished live-window re-run: of the live runs, how many decisions and orders it reproduced, how many diverged (listed in the summary artifact), and whether its metrics equal the live account’s byte for byte; null otherwise',
      }),
    artifacts: z.array(z.object({ key: z.string(), kind: z.string(), expiresAt: zTime.nullable() })),
    artifactsExpiredAt: zTime.nullable().openapi({ description: 'when the packets, prompts and replies were deleted; null while kept' }),
    failure: z.object({ code: z.string(), message: z.string() }).nullable(),
    requestedAt: zTime,
    endedAt: zTime.nullable(),
  })
  .openapi('Backtest');
const AcceptedSchema = z.object({ backtestId: z.string(), status: z.literal('queued') }).openapi('BacktestAccepted');
const BacktestParams = z.object({
  id: z
    .string()
    .min(1)
    .max(200)
    .openapi({ param: { name: 'id', in: 'path' } }),
});
/**
 * The legacy decision-backtest body: a published version and the assets; the window is the
 * `last_6h` shape (the six hours before the request, ending on a 5-minute boundary).
 */
const LegacyBody = z
  .object({
    versionId: z.string().min(1).max(200),
    assets: z.array(zAssetSymbol).min(1).max(50),
    engine: zBacktestEngine.default('rules'),
  })
  .strict()
  .openapi('DecisionBacktestInput');
const LegacyParams = z.object({
  id: z
    .string()
    .min(1)
    .max(200)
    .openapi({ param: { name: 'id', in: 'path' } }),
  backtestId: z
    .string()
    .min(1)
    .max(200)
    .openapi({ param: { name: 'backtestId', in: 'path' } }),
});
const CompareQuery = z.object({
  ids: z
    .string()
    .min(1)
    .max(2100)
    .openapi({ param: { name: 'ids', in: 'query' }, description: 'comma-separated backtest ids, 2 to 10' }),
});
const HistoryQuery = z.object({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(100)
    .default(50)
    .openapi({ param: { name: 'limit', in: 'query' } }),
});

const routes = {
  preflight: createRoute({
    method: 'post',
    ...secured('user'),
    path: '/api/v1/clones/{id}/backtests/preflight',
    tags: ['backtests'],
    summary: 'Estimate a run and judge it against every limit (appends nothing)',
    request: { params: CloneParams, body: { content: json(RunBody), required: true } },
    responses: { 200: { description: 'The estimate', content: json(PreflightSchema) }, ...errorsOf(400, 401, 403, 404, 422) },
  }),
  request: createRoute({
    method: 'post',
    ...secured('user'),
    path: '/api/v1/clones/{id}/backtests',
    tags: ['backtests'],
    summary: 'Request a run: accepted and queued, or refused naming the limit (the refusal is recorded)',
    request: { params: CloneParams, body: { content: json(RunBody), required: true } },
    responses: { 202: { description: 'Accepted and queued', content: json(AcceptedSchema) }, ...errorsOf(400, 401, 403, 404, 422) },
  }),
  history: createRoute({
    method: 'get',
    ...secured('user'),
    path: '/api/v1/clones/{id}/backtests',
    tags: ['backtests'],
    summary: 'The clone’s runs, newest first (owner or admin)',
    request: { params: CloneParams, query: HistoryQuery },
    responses: {
      200: { description: 'Runs', content: json(z.object({ backtests: z.array(BacktestSchema) })) },
      ...errorsOf(400, 401, 403, 404),
    },
  }),
  compare: createRoute({
    method: 'get',
    ...secured('user'),
    path: '/api/v1/backtests/compare',
    tags: ['backtests'],
    summary: 'Runs side by side, in the order asked (owner of each clone or admin)',
    request: { query: CompareQuery },
    responses: {
      200: { description: 'Runs', content: json(z.object({ backtests: z.array(BacktestSchema) })) },
      ...errorsOf(400, 401, 403, 404),
    },
  }),
  legacyRequest: createRoute({
    method: 'post',
    ...secured('user'),
    path: '/api/v1/clones/{id}/decision-backtests',
    tags: ['backtests'],
    summary:
      'Legacy clone-scoped decision backtest (`001_…` Known Divergence): the last 6 hours at 5-minute steps, the same job as POST /backtests',
    request: { params: CloneParams, body: { content: json(LegacyBody), required: true } },
    responses: { 202: { description: 'Accepted and queued', content: json(AcceptedSchema) }, ...errorsOf(400, 401, 403, 404, 422) },
  }),
  legacyShow: createRoute({
    method: 'get',
    ...secured('user'),
    path: '/api/v1/clones/{id}/decision-backtests/{backtestId}',
    tags: ['backtests'],
    summary: 'Legacy clone-scoped read of one decision backtest: the same run as GET /backtests/{id} (owner or admin)',
    request: { params: LegacyParams },
    responses: { 200: { description: 'The run', content: json(BacktestSchema) }, ...errorsOf(400, 401, 403, 404) },
  }),
  show: createRoute({
    method: 'get',
    ...secured('user'),
    path: '/api/v1/backtests/{id}',
    tags: ['backtests'],
    summary: 'One run: status, progress, metrics (owner of its clone or admin)',
    request: { params: BacktestParams },
    responses: { 200: { description: 'The run', content: json(BacktestSchema) }, ...errorsOf(400, 401, 403, 404) },
  }),
};

/** The body's field a live window is named by (in `live_window_refused` details). */
const LIVE_WINDOW_FIELD = 'liveWindow.propAccountId';
const STRATEGY_FIELDS = ['strategy', 'from', 'to', 'assets'] as const;
/** Fields a live window takes from the account (the decision interval is the step), refused beside it. */
const LIVE_TAKEN_FIELDS = ['strategy', 'assets', 'decisionIntervalMs'] as const;

/**
 * The body as a run shape of clone `cloneId`, validated like every other boundary (400 naming
 * the field). With `liveWindow` the strategy, assets and window come from the live account
 * (`liveWindowShape`: 422 `live_window_refused` naming the field when it is not this clone's
 * audition or race account, or has no runs); `from`/`to` then narrow its runs (400 naming `to`
 * when it is before `from`).
 */
function runOf(db: Db, cloneId: string, body: z.output<typeof RunBody>): RunShape {
  const live = body.liveWindow;
  const wrong = live ? LIVE_TAKEN_FIELDS.filter((k) => body[k] !== undefined) : STRATEGY_FIELDS.filter((k) => body[k] === undefined);
  if (wrong.length > 0) {
    const message = live ? 'not with liveWindow (taken from the live account)' : 'required without liveWindow';
    throw new ValidationError(
      'request json',
      wrong.map((k) => ({ path: `json.${k}`, message })),
    );
  }
  // Checked before the window is resolved: a backwards window would read as `no_runs` and name the account
  if (live && body.from !== undefined && body.to !== undefined && body.to < body.from)
    throw new ValidationError('request json', [{ path: 'json.to', message: 'the window must end after it starts' }]);
  const window =
    live &&
    liveWindowShape(
      db,
      cloneId,
      {
        propAccountId: live.propAccountId,
        stepMs: body.stepMs,
        fromMs: body.from === undefined ? undefined : Date.parse(body.from),
        toMs: body.to === undefined ? undefined : Date.parse(body.to),
      },
      LIVE_WINDOW_FIELD,
    );
  const parsed = zRunShape.safeParse({
    strategy: window ? window.strategy : body.strategy,
    fromMs: window ? window.fromMs : Date.parse(body.from ?? ''),
    toMs: window ? window.toMs : Date.parse(body.to ?? ''),
    assets: window ? window.assets : body.assets,
    engine: body.engine,
    stepMs: body.stepMs,
    decisionIntervalMs: window ? body.stepMs : (body.decisionIntervalMs ?? DEFAULT_DECISION_INTERVAL_MS),
    ...(live ? { liveWindow: live } : {}),
  });
  if (!parsed.success) {
    const named = issuesOf(parsed.error, 'json').map((i) => ({ ...i, path: i.path.replace(/^json\.(from|to)Ms/, 'json.$1') }));
    throw new ValidationError('request json', named);
  }
  return ofKnownVersion(db, cloneId, parsed.data);
}

/**
 * `run` when the version it names is one of the clone's: otherwise 404 `version_not_found` (the
 * worker's code for it) before the run is judged, so a typo is neither recorded nor counted
 * against the daily quota. A draft snapshot is checked by the worker, which reads the artifact store.
 */
function ofKnownVersion(db: Db, cloneId: string, run: RunShape): RunShape {
  if (run.strategy.kind === 'version' && versionById(db, run.strategy.versionId)?.cloneId !== cloneId)
    throw new ClashError('version_not_found', 'not_found', `clone ${cloneId} has no version ${run.strategy.versionId}`);
  return run;
}

/** The legacy body as a run: the `last_6h` window ending at `now` floored to the 5-minute step, 15-minute decisions. */
function legacyRunOf(db: Db, cloneId: string, body: z.output<typeof LegacyBody>, now: number): RunShape {
  const toMs = now - (now % REPLAY_SHAPE.stepMs);
  return runOf(db, cloneId, {
    strategy: { kind: 'version', versionId: body.versionId },
    from: iso(toMs - REPLAY_SHAPE.windowMs),
    to: iso(toMs),
    assets: body.assets,
    engine: body.engine,
    stepMs: REPLAY_SHAPE.stepMs,
    decisionIntervalMs: DEFAULT_DECISION_INTERVAL_MS,
  });
}

function view(r: BacktestRow): z.output<typeof BacktestSchema> {
  const { fromMs, toMs, liveWindow, ...run } = r.run;
  return {
    backtestId: r.backtestId,
    cloneId: r.cloneId,
    status: r.status,
    tier: r.tier,
    run: { ...run, from: iso(fromMs), to: iso(toMs), ...(liveWindow ? { liveWindow } : {}) },
    limits: r.limits,
    estimate: r.estimate,
    refusal: r.refusal,
    progress: { stepsDone: r.stepsDone, stepsTotal: r.stepsTotal, simulatedAt: isoOrNull(r.simulatedAt) },
    attempts: r.attempts,
    metrics: r.metrics,
    liveWindowVerdict: r.liveWindow,
    artifacts: r.artifacts.map((a) => ({ ...a, expiresAt: isoOrNull(a.expiresAt) })),
    artifactsExpiredAt: isoOrNull(r.artifactsExpiredAt),
    failure: r.failure,
    requestedAt: iso(r.requestedAt),
    endedAt: isoOrNull(r.endedAt),
  };
}

/** A run, when the caller owns its clone or is an admin. */
function readableBacktest(db: Db, backtestId: string, principal: Principal | null): BacktestRow {
  const user = requireUser(principal);
  const row = findBacktest(db, backtestId);
  if (!row) throw new ClashError('backtest_not_found', 'not_found', `backtest ${backtestId} not found`);
  if (!user.admin && existingClone(db, row.cloneId).ownerUserId !== user.userId)
    throw new Forbidden(`backtest ${backtestId} belongs to someone else`);
  return row;
}

export const backtestRoutes: RouteModule = (app, { ledger, config }) => {
  const db = ledger.store.db;
  const backtests = backtestCommandsOf(ledger, config);

  app.openapi(routes.preflight, (c) => {
    const clone = ownedClone(db, c.req.valid('param').id, c.get('principal'));
    const pre = backtests.preflight(clone.id, clone.ownerUserId, runOf(db, clone.id, c.req.valid('json')));
    return c.json({ ...pre, allowed: pre.estimate.verdicts.every((v) => v.ok) }, 200);
  });
  // The new route and the legacy clone-scoped one: 202 queued, or 422 naming the limit (`requestQueued`).
  app.openapi(routes.request, (c) => {
    const clone = ownedClone(db, c.req.valid('param').id, c.get('principal'));
    return c.json(backtests.requestQueued(clone.id, clone.ownerUserId, runOf(db, clone.id, c.req.valid('json'))), 202);
  });
  app.openapi(routes.legacyRequest, (c) => {
    const clone = ownedClone(db, c.req.valid('param').id, c.get('principal'));
    return c.json(
      backtests.requestQueued(clone.id, clone.ownerUserId, legacyRunOf(db, clone.id, c.req.valid('json'), ledger.clock.now())),
      202,
    );
  });
  app.openapi(routes.legacyShow, (c) => {
    const { id, backtestId } = c.req.valid('param');
    const row = readableBacktest(db, backtestId, c.get('principal'));
    if (row.cloneId !== id) throw new ClashError('backtest_not_found', 'not_found', `clone ${id} has no backtest ${backtestId}`);
    return c.json(view(row), 200);
  });
  app.openapi(routes.history, (c) => {
    const clone = readableClone(db, c.req.valid('param').id, c.get('principal'));
    return c.json({ backtests: backtestsOfClone(db, clone.id, c.req.valid('query').limit).map(view) }, 200);
  });
  app.openapi(routes.compare, (c) => {
    const ids = c.req
      .valid('query')
      .ids.split(',')
      .map((s) => s.trim());
    if (ids.length < 2 || ids.length > 10 || new Set(ids).size !== ids.length || ids.some((id) => id.length === 0 || id.length > 200)) {
      throw new ValidationError('request query', [{ path: 'query.ids', message: '2 to 10 distinct backtest ids, comma-separated' }]);
    }
    return c.json({ backtests: ids.map((id) => view(readableBacktest(db, id, c.get('principal')))) }, 200);
  });
  app.openapi(routes.show, (c) => c.json(view(readableBacktest(db, c.req.valid('param').id, c.get('principal'))), 200));
};
