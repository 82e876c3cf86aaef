/**
 * The AI trading pipeline, read-only, for the clone's owner (doc/ai-trading.md):
 * `POST /api/v1/clones/:id/pipeline/preview` compiles the draft or a version and returns the
 * read plans, the candidates with reasons and, for a chosen asset, the packet and the prompt as
 * they would be sent now; `GET /api/v1/clones/:id/latest-data?asset=&block=` returns one read's
 * rows now (the builder's Latest Data drawer). Both enforce the entitlement guardrails.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { latestData, type PipelineStrategy, pipelinePreview } from '../../commands/ai-trading/pipeline.ts';
import { tiers } from '../../commands/entitlements/tiers.ts';
import { ClashError } from '../../core/errors.ts';
import { draftOf } from '../../projections/clones/clones.ts';
import { versionOf } from '../../projections/clones/versions.ts';
import { activeLimitsOf } from '../../projections/entitlements/entitlements.ts';
import { pipelineReadersOf } from '../ai-trading.ts';
import type { RouteModule } from '../route-module.ts';
import { secured } from './access.ts';
import { CloneParams, ownedClone } from './clone-access.ts';
import { errorsOf, json } from './schemas.ts';

const zSymbol = z
  .string()
  .max(20)
  .regex(/^[A-Za-z0-9]{1,20}$/, 'an asset symbol such as BTC');
const zCell = z.union([z.string(), z.number(), z.null()]);
const time = z.string().openapi({ format: 'date-time' });

const ReadSchema = z
  .object({
    id: z.string(),
    source: z.enum(['hyperliquid', 'defillama', 'polymarket']),
    channel: z.string().optional(),
    contextSymbol: z.string().openapi({ description: 'the memory subject; differs from the plan symbol for cross-asset reads' }),
    lookback: z.enum(['1h', '6h', '24h', '7d']).optional(),
    granularity: z.enum(['1m', '1h']).optional(),
    maxDatapoints: z.number().int(),
    includeInPrompt: z.boolean(),
    setBy: z.enum(['per_asset_block', 'asset_profile', 'group_profile', 'stream_profile']).optional(),
    profile: z.enum(['fast', 'balanced', 'deep']).nullable().optional(),
  })
  .openapi('PipelineRead');
const PlanSchema = z
  .object({
    symbol: z.string(),
    reads: z.array(ReadSchema),
    skipped: z.array(z.object({ id: z.string(), reason: z.string(), message: z.string() })),
    maxDatapoints: z.number().int(),
    promptBudgetTokens: z.number().int(),
  })
  .openapi('AssetReadPlan');
const BranchSchema = z
  .object({
    promptNodeId: z.string(),
    universe: z.array(
      z.object({
        symbol: z.string(),
        source: z.enum(['explicit', 'subcategory', 'category']),
        category: z.string(),
        subcategory: z.string(),
        kind: z.enum(['perp', 'spot']).nullable(),
        tradable: z.boolean(),
        fundingContext: z.boolean(),
      }),
    ),
    plans: z.array(PlanSchema),
    candidates: z.array(z.object({ symbol: z.string(), rank: z.number().int(), reason: z.enum(['open_position', 'passed_prefilters']) })),
    dropped: z.array(
      z.object({
        symbol: z.string(),
        reason: z.enum(['not_tradable', 'stale_data', 'below_liquidity_floor', 'outside_volatility_band', 'over_cap']),
      }),
    ),
  })
  .openapi('PipelineBranch');
const SectionSchema = z
  .object({
    id: z.string(),
    source: z.enum(['hyperliquid', 'defillama', 'polymarket']),
    contextSymbol: z.string(),
    includeInPrompt: z.boolean(),
    columns: z.array(z.string()),
    rows: z.array(z.array(zCell)),
  })
  .openapi('PacketSection');
const PromptSectionSchema = z.object({ name: z.string(), estimatedTokens: z.number().int(), trimmedRows: z.number().int() });
const AccountSchema = z
  .object({
    propAccountId: z.string(),
    status: z.string(),
    updatedAt: time,
    equityMicroUsd: z.string(),
    drawdownPpm: z.number().int(),
    positions: z.array(
      z.object({
        asset: z.string(),
        side: z.enum(['long', 'short']),
        size: z.string(),
        entryPrice: z.string(),
        liquidationPrice: z.string().nullable(),
        unrealizedPnlMicroUsd: z.string(),
      }),
    ),
    openOrders: z.number().int(),
    recentFills: z.array(z.object({ time, asset: z.string(), side: z.string(), size: z.string(), price: z.string() })),
    ledger: z.object({
      startingEquityMicroUsd: z.string(),
      cashMicroUsd: z.string(),
      realizedPnlMicroUsd: z.string(),
      feesMicroUsd: z.string(),
      fundingMicroUsd: z.string(),
      marginUsedMicroUsd: z.string(),
      trades: z.number().int(),
    }),
    headroomMicroUsd: z
      .record(z.string(), z.string())
      .openapi({ description: 'dailyLoss, drawdown, freeMargin, positionNotional and positionNotional.<ASSET>, micro-USD' }),
  })
  .openapi('PacketAccount');
export const PacketSchema = z
  .object({
    packetVersion: z.number().int(),
    cloneId: z.string(),
    strategyVersionId: z.string().openapi({ description: 'the version id, or `draft`' }),
    graphDigest: z.string(),
    promptNodeId: z.string(),
    symbol: z.string(),
    decisionTime: time,
    plan: PlanSchema,
    sections: z.array(SectionSchema),
    account: AccountSchema.nullable(),
    prompt: z.object({ templateVersion: z.string(), estimatedTokens: z.number().int(), sections: z.array(PromptSectionSchema) }),
    digest: z.string().openapi({ description: 'SHA-256 hex of the canonical JSON of the other fields' }),
  })
  .openapi('ContextPacket');
const PromptSchema = z
  .object({
    templateVersion: z.string(),
    system: z.string(),
    user: z.string(),
    estimatedTokens: z.number().int(),
    budgetTokens: z.number().int(),
    sections: z.array(PromptSectionSchema),
  })
  .openapi('RenderedPrompt');
const PreviewSchema = z
  .object({
    strategyVersionId: z.string(),
    graphDigest: z.string(),
    decisionTime: time,
    branches: z.array(BranchSchema),
    context: z.object({ packet: PacketSchema, prompt: PromptSchema }).nullable(),
  })
  .openapi('PipelinePreview');
const PreviewBody = z
  .object({
    versionNumber: z
      .number()
      .int()
      .positive()
      .max(1_000_000)
      .optional()
      .openapi({ description: 'a published version; the draft when absent' }),
    asset: zSymbol.optional().openapi({ description: 'the asset whose packet and prompt to build' }),
    promptNodeId: z.string().min(1).max(64).optional().openapi({ description: 'the branch, when several trade the asset' }),
  })
  .strict()
  .openapi('PipelinePreviewInput');
const LatestQuery = z.object({
  asset: zSymbol.openapi({ param: { name: 'asset', in: 'query' } }),
  block: z
    .string()
    .min(1)
    .max(300)
    .openapi({ param: { name: 'block', in: 'query' }, description: 'a read id of the asset plan, e.g. hyperliquid.ohlcv.BTC' }),
});
const LatestSchema = z.object({ asset: z.string(), decisionTime: time, read: ReadSchema, section: SectionSchema }).openapi('LatestData');

const routes = {
  preview: createRoute({
    method: 'post',
    ...secured('user'),
    path: '/api/v1/clones/{id}/pipeline/preview',
    tags: ['ai-trading'],
    summary: 'Compile the draft or a version: read plans, candidates, and one asset packet and prompt as of now',
    request: { params: CloneParams, body: { content: json(PreviewBody), required: true } },
    responses: { 200: { description: 'The preview', content: json(PreviewSchema) }, ...errorsOf(400, 401, 403, 404, 422) },
  }),
  latest: createRoute({
    method: 'get',
    ...secured('user'),
    path: '/api/v1/clones/{id}/latest-data',
    tags: ['ai-trading'],
    summary: "The newest rows of one read of an asset's plan in the draft (the Latest Data drawer)",
    request: { params: CloneParams, query: LatestQuery },
    responses: { 200: { description: 'The rows', content: json(LatestSchema) }, ...errorsOf(400, 401, 403, 404, 422) },
  }),
};

export const pipelineRoutes: RouteModule = (app, { ledger, config }) => {
  const db = ledger.store.db;
  const readers = pipelineReadersOf(db, config);
  const strategyOf = (cloneId: string, modelTier: PipelineStrategy['modelTier'], versionNumber?: number): PipelineStrategy => {
    const base = { cloneId, modelTier, limits: activeLimitsOf(db, cloneId) ?? tiers.starter, universe: readers.universe() };
    if (versionNumber !== undefined) {
      const v = versionOf(db, cloneId, versionNumber);
      if (!v) throw new ClashError('version_not_found', 'not_found', `clone ${cloneId} has no version ${versionNumber}`);
      return { ...base, strategyVersionId: v.versionId, graph: v.graph, layout: {} };
    }
    const d = draftOf(db, cloneId);
    return { ...base, strategyVersionId: 'draft', graph: d?.graph ?? { nodes: [], edges: [] }, layout: d?.layout ?? {} };
  };
  app.openapi(routes.preview, (c) => {
    const clone = ownedClone(db, c.req.valid('param').id, c.get('principal'));
    const { versionNumber, asset, promptNodeId } = c.req.valid('json');
    const strategy = strategyOf(clone.id, clone.modelTier, versionNumber);
    const preview = pipelinePreview(strategy, readers, ledger.clock.now(), {
      ...(asset === undefined ? {} : { asset }),
      ...(promptNodeId === undefined ? {} : { promptNodeId }),
    });
    // Parsed by the documented schema: the answer is exactly what the OpenAPI document says.
    return c.json(PreviewSchema.parse(preview), 200);
  });
  app.openapi(routes.latest, (c) => {
    const clone = ownedClone(db, c.req.valid('param').id, c.get('principal'));
    const { asset, block } = c.req.valid('query');
    const at = ledger.clock.now();
    const { read, section } = latestData(strategyOf(clone.id, clone.modelTier), readers, asset, block, at);
    return c.json(LatestSchema.parse({ asset, decisionTime: new Date(at).toISOString(), read, section }), 200);
  });
};
