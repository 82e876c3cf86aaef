/**
 * Prop trading over HTTP. Reads (owner of the clone, admins, services): an account, its
 * positions, and paged fills, journal, mark snapshots and rejections. Writes are internal:
 * services open accounts, submit actions, mark to market, apply funding and finalize; admins
 * freeze, unfreeze and close. Money is micro-USD, prices and sizes 1e-8, as decimal integer strings.
 */
import { createRoute, z } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import { MarketMemory } from '../../adapters/market/market-memory.ts';
import { type MarketFacts, type PropResult, PropTrading } from '../../commands/prop-trading/handlers.ts';
import { zActionInput, zFundingInput, zOpenAccountInput, zReasonInput } from '../../commands/prop-trading/inputs.ts';
import { toWire } from '../../core/canonical-json.ts';
import { NotFoundError } from '../../core/errors.ts';
import { type CloneOwnership, cloneOwnership } from '../../projections/clones/ownership.ts';
import type { AccountRow } from '../../projections/prop-trading/accounts.ts';
import { type PagedList, PropTradingQueries } from '../../projections/prop-trading/queries.ts';
import { actorOf, requireAdmin, requireService } from '../auth.ts';
import { requireCloneReader } from '../clone-ownership.ts';
import type { Ledger } from '../context.ts';
import type { App, AppEnv, RouteModule } from '../route-module.ts';
import { errorResponses } from './schemas.ts';

const money = (description: string) => z.string().openapi({ description, example: '10000000000' });

const AccountSchema = z
  .object({
    accountId: z.string(),
    cloneId: z.string(),
    strategyVersionId: z.string(),
    purpose: z.string(),
    status: z.enum(['active', 'frozen', 'closed', 'liquidated', 'finalized']),
    statusReason: z.string().nullable(),
    startingEquity: money('micro-USD'),
    cash: money('micro-USD: starting equity + realized PnL − fees + funding'),
    equity: money('micro-USD: cash + unrealized PnL at the last valuation'),
    realizedPnl: money('micro-USD'),
    unrealizedPnl: money('micro-USD'),
    fees: money('micro-USD'),
    funding: money('micro-USD, as the account sees it (negative: paid)'),
    marginUsed: money('micro-USD: Σ notional / leverage'),
    maintenanceMargin: money('micro-USD: Σ notional / (2 × asset max leverage)'),
    drawdown: money('micro-USD: max(0, starting − equity)'),
    maxDrawdown: money('micro-USD'),
    startOfDayEquity: money('micro-USD'),
    utcDay: z.number().int().openapi({ description: 'days since the epoch' }),
    trades: z.number().int(),
    rejections: z.number().int(),
    rules: z.record(z.string(), z.unknown()),
    result: z.record(z.string(), z.unknown()).nullable(),
    openedAt: z.number().int(),
    updatedAt: z.number().int(),
  })
  .openapi('PropAccount');

const RowSchema = z.record(z.string(), z.unknown());
const ListSchema = z.object({ items: z.array(RowSchema), next: z.string().nullable().openapi({ description: 'cursor for `after`' }) });
const JournalSchema = ListSchema.extend({
  balanced: z.boolean().openapi({ description: 'Σ lines per asset is zero over the whole journal' }),
  totals: z.record(z.string(), z.string()),
}).openapi('PropJournalPage');
const CommandResultSchema = z
  .object({
    events: z.array(z.object({ type: z.string(), position: z.number().int(), data: RowSchema })),
    account: AccountSchema.nullable(),
  })
  .openapi('PropCommandResult');

const IdParams = z.object({
  id: z
    .string()
    .min(1)
    .max(200)
    .openapi({ param: { name: 'id', in: 'path' } }),
});
const PageQuery = z.object({
  after: z
    .string()
    .regex(/^\d+\.-?\d+$/, 'a cursor from `next`')
    .optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

const json = <S extends z.ZodType>(schema: S, description: string) => ({ description, content: { 'application/json': { schema } } });
const auth = {
  401: json(z.object({}), 'Not signed in'),
  403: json(z.object({}), 'Not allowed'),
  404: json(z.object({}), 'No such account'),
};
const tags = ['prop-trading'];

function accountOut(row: AccountRow) {
  return {
    accountId: row.account_id,
    cloneId: row.clone_id,
    strategyVersionId: row.strategy_version_id,
    purpose: row.purpose,
    status: row.status as z.output<typeof AccountSchema>['status'],
    statusReason: row.status_reason,
    startingEquity: row.starting_equity,
    cash: row.cash,
    equity: row.equity,
    realizedPnl: row.realized_pnl,
    unrealizedPnl: row.unrealized_pnl,
    fees: row.fees,
    funding: row.funding,
    marginUsed: row.margin_used,
    maintenanceMargin: row.maintenance_margin,
    drawdown: row.drawdown,
    maxDrawdown: row.max_drawdown,
    startOfDayEquity: row.start_of_day_equity,
    utcDay: row.utc_day,
    trades: row.trades,
    rejections: row.rejections,
    rules: parseStored(row.rules),
    result: row.result === null ? null : parseStored(row.result),
    openedAt: row.opened_at,
    updatedAt: row.updated_at,
  };
}

/** Stored canonical JSON with bigints as {"$bigint": "…"} → plain decimal strings. */
function parseStored(text: string): Record<string, unknown> {
  return JSON.parse(text, (_k, v: unknown) =>
    v && typeof v === 'object' && '$bigint' in v ? String((v as { $bigint: string }).$bigint) : v,
  ) as Record<string, unknown>;
}

export interface PropTradingRouteOptions {
  /** Who owns a clone; default: the clones read model in the ledger's own database. */
  readonly ownership?: CloneOwnership;
  /** Market facts for fills and marks; default: market memory in the ledger's own database. */
  readonly market?: (ledger: Ledger) => MarketFacts;
}

export function propTradingRoutes(options: PropTradingRouteOptions = {}): RouteModule {
  return (app: App, { ledger }) => {
    const ownership = options.ownership ?? cloneOwnership(ledger.store.db);
    // Durable writes announce themselves as they start, so a group commit waits for requests
    // whose bodies are still being read instead of committing each alone (core/group-commit.ts).
    const announce: MiddlewareHandler = async (c, next) => {
      if (c.req.method !== 'POST') return next();
      const leave = ledger.commits.enter();
      try {
        await next();
      } finally {
        leave();
      }
    };
    app.use('/api/v1/prop-accounts', announce);
    app.use('/api/v1/prop-accounts/*', announce);
    const queries = new PropTradingQueries(ledger.store.db);
    const market = options.market?.(ledger) ?? new MarketMemory(ledger.store.db);
    const prop = new PropTrading({ store: ledger.store, clock: ledger.clock, ids: ledger.ids, market });

    const readable = (c: Context<AppEnv>, id: string): AccountRow => {
      const row = queries.account(id);
      if (!row) throw new NotFoundError('prop account', id);
      requireCloneReader(c.get('principal'), row.clone_id, ownership);
      return row;
    };
    const result = (r: PropResult) => ({
      events: r.events.map((e) => ({ type: e.type, position: e.position, data: toWire<Record<string, unknown>>(e.data) })),
      account: (() => {
        const row = queries.account(r.state.accountId);
        return row ? accountOut(row) : null;
      })(),
    });

    app.openapi(
      createRoute({
        method: 'get',
        path: '/api/v1/prop-accounts/{id}',
        tags,
        request: { params: IdParams },
        responses: { 200: json(AccountSchema, 'The account'), ...auth },
      }),
      (c) => c.json(accountOut(readable(c, c.req.valid('param').id)), 200),
    );
    app.openapi(
      createRoute({
        method: 'get',
        path: '/api/v1/prop-accounts/{id}/positions',
        tags,
        request: { params: IdParams },
        responses: {
          200: json(z.object({ items: z.array(RowSchema) }), 'Open positions with mark, unrealized PnL, margin and liquidation price'),
          ...auth,
        },
      }),
      (c) => {
        const { id } = c.req.valid('param');
        readable(c, id);
        return c.json({ items: queries.positions(id) }, 200);
      },
    );
    const lists: [string, PagedList, string][] = [
      ['fills', 'fills', 'Fills: market fills of orders and closes at mark (liquidation, admin close, finalize)'],
      ['snapshots', 'marks', 'Mark-to-market snapshots (updated asynchronously)'],
      ['rejections', 'rejections', 'Refused actions with reason codes and figures'],
    ];
    for (const [path, list, description] of lists) {
      app.openapi(
        createRoute({
          method: 'get',
          path: `/api/v1/prop-accounts/{id}/${path}`,
          tags,
          request: { params: IdParams, query: PageQuery },
          responses: { 200: json(ListSchema, description), ...errorResponses, ...auth },
        }),
        (c) => {
          const { id } = c.req.valid('param');
          readable(c, id);
          return c.json(queries.page(list, id, c.req.valid('query')), 200);
        },
      );
    }
    app.openapi(
      createRoute({
        method: 'get',
        path: '/api/v1/prop-accounts/{id}/journal',
        tags,
        request: { params: IdParams, query: PageQuery },
        responses: { 200: json(JournalSchema, 'Double-entry lines (debit positive) and the balance check'), ...errorResponses, ...auth },
      }),
      (c) => {
        const { id } = c.req.valid('param');
        readable(c, id);
        const check = queries.journalCheck(id);
        return c.json({ ...queries.page('journal', id, c.req.valid('query')), balanced: check.balanced, totals: check.totals }, 200);
      },
    );

    const write = (
      path: string,
      summary: string,
      body: z.ZodType | undefined,
      who: 'service' | 'admin',
      run: (id: string, input: unknown, actor: string) => PropResult,
    ) =>
      app.openapi(
        createRoute({
          method: 'post',
          path,
          tags,
          summary,
          request: { params: IdParams, ...(body ? { body: { content: { 'application/json': { schema: body } }, required: true } } : {}) },
          responses: { 200: json(CommandResultSchema, 'The events appended and the account after them'), ...errorResponses, ...auth },
        }),
        async (c) => {
          const principal = c.get('principal');
          const actor = actorOf(who === 'service' ? requireService(principal) : requireAdmin(principal));
          const input = body ? await c.req.json() : undefined;
          const id = c.req.valid('param').id;
          return c.json(result(await ledger.commits.run(() => run(id, input, actor))), 200);
        },
      );

    app.openapi(
      createRoute({
        method: 'post',
        path: '/api/v1/prop-accounts',
        tags,
        summary: 'Open a prop account (service)',
        request: { body: { content: { 'application/json': { schema: zOpenAccountInput } }, required: true } },
        responses: { 201: json(CommandResultSchema, 'Opened'), ...errorResponses, ...auth },
      }),
      async (c) => {
        const actor = actorOf(requireService(c.get('principal')));
        const input = await c.req.json();
        return c.json(result(await ledger.commits.run(() => prop.open(input, actor))), 201);
      },
    );
    write('/api/v1/prop-accounts/{id}/actions', 'Submit a trading action (service)', zActionInput, 'service', (id, i, a) =>
      prop.submitAction(id, i as z.input<typeof zActionInput>, a),
    );
    write('/api/v1/prop-accounts/{id}/mark-to-market', 'Mark to market at the latest prices (service)', undefined, 'service', (id, _i, a) =>
      prop.markToMarket(id, a),
    );
    write('/api/v1/prop-accounts/{id}/funding', 'Apply one hour of funding (service)', zFundingInput, 'service', (id, i, a) =>
      prop.applyFunding(id, i as { hour: number }, a),
    );
    write('/api/v1/prop-accounts/{id}/finalize', 'Finalize with a result snapshot (service)', undefined, 'service', (id, _i, a) =>
      prop.finalize(id, a),
    );
    write('/api/v1/prop-accounts/{id}/freeze', 'Freeze trading (admin)', zReasonInput, 'admin', (id, i, a) =>
      prop.freeze(id, i as { reason: string }, a),
    );
    write('/api/v1/prop-accounts/{id}/unfreeze', 'Unfreeze trading (admin)', zReasonInput, 'admin', (id, i, a) =>
      prop.unfreeze(id, i as { reason: string }, a),
    );
    write('/api/v1/prop-accounts/{id}/close', 'Close the account, positions at mark (admin)', zReasonInput, 'admin', (id, i, a) =>
      prop.close(id, i as { reason: string }, a),
    );
  };
}
