/**
 * Prop trading over HTTP. Reads (owner of the clone, admins, services): an account, its
 * positions, resting protective orders, and paged fills, journal, mark snapshots and rejections. Writes are internal:
 * services open accounts, submit actions, mark to market, apply funding and finalize; admins
 * freeze, unfreeze and close. Wire shapes in `prop-trading-schemas.ts`.
 */
import { createRoute, z } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import { MarketMemory } from '../../adapters/market/market-memory.ts';
import { type MarketFacts, type PropResult, PropTrading } from '../../commands/prop-trading/handlers.ts';
import { zActionInput, zOpenAccountInput, zReasonInput } from '../../commands/prop-trading/inputs.ts';
import { ClashError, NotFoundError } from '../../core/errors.ts';
import { type CloneOwnership, cloneOwnership } from '../../projections/clones/ownership.ts';
import type { AccountRow } from '../../projections/prop-trading/accounts.ts';
import { type Page, PropTradingQueries } from '../../projections/prop-trading/queries.ts';
import { actorOf, requireAdmin, requireService } from '../auth.ts';
import { requireCloneReader } from '../clone-ownership.ts';
import type { Ledger } from '../context.ts';
import type { App, AppEnv, RouteModule } from '../route-module.ts';
import { secured } from './access.ts';
import {
  AccountSchema,
  accountView,
  CommandResultSchema,
  FillSchema,
  fillView,
  JournalPageSchema,
  journalLineView,
  PositionSchema,
  ProtectiveOrderSchema,
  pageOf,
  positionView,
  protectiveOrderView,
  RejectionSchema,
  rejectionView,
  SnapshotSchema,
  snapshotView,
} from './prop-trading-schemas.ts';
import { errorsOf, isRealTime, json } from './schemas.ts';

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
    .max(41)
    .regex(/^\d+\.-?\d+$/, 'a cursor from `next`')
    .optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

/** The funding hour on the wire: an ISO time on a whole UTC hour (the command takes its ms, a multiple of 3,600,000). */
const FundingBody = z
  .object({
    hour: z
      .string()
      .max(24)
      .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:00:00\.000Z$/, 'must be an ISO 8601 UTC time on a whole hour')
      .refine(isRealTime, 'must be an ISO 8601 UTC time on a whole hour')
      .openapi({ format: 'date-time', description: 'the start of the UTC hour to apply', example: '2026-01-05T13:00:00.000Z' }),
  })
  .strict()
  .openapi('FundingInput');
type PageOptions = z.output<typeof PageQuery>;
const ok = <S extends z.ZodType>(schema: S, description: string) => ({ description, content: json(schema) });
const reads = errorsOf(401, 403, 404);
const writes = errorsOf(400, 401, 403, 404, 409, 422);
const tags = ['prop-trading'];

/** A page of rows as a page of wire objects. */
const mapPage = <R, T>(page: Page<R>, view: (row: R) => T) => ({ items: page.items.map(view), next: page.next });

/** A client's retry key: the same key again returns the first answer (doc/api.md, Idempotency). */
const IdempotencyHeaders = z.object({
  'idempotency-key': z
    .string()
    .max(200)
    .regex(/^[A-Za-z0-9_.:-]{1,200}$/, '1–200 letters, digits and _ . : -')
    .optional()
    .openapi({ description: 'retry key: the same key on this account returns the first result' }),
});

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
    // Built inside the command's group, before the shared COMMIT: the rows it reads are exactly
    // what the command wrote, read in the write transaction instead of three read transactions after it.
    const result = (r: PropResult): z.output<typeof CommandResultSchema> => {
      const { accountId } = r.state;
      const positions = r.events.map((e) => e.position);
      const row = queries.account(accountId);
      return {
        events: r.events.map((e) => ({ type: e.type, position: e.position })),
        fills: queries.atPositions('fills', accountId, positions).map(fillView),
        rejections: queries.atPositions('rejections', accountId, positions).map(rejectionView),
        account: row ? accountView(row) : null,
      };
    };

    app.openapi(
      createRoute({
        method: 'get',
        ...secured('user_or_service'),
        path: '/api/v1/prop-accounts/{id}',
        tags,
        request: { params: IdParams },
        responses: { 200: ok(AccountSchema, 'The account'), ...reads },
      }),
      (c) => c.json(accountView(readable(c, c.req.valid('param').id)), 200),
    );
    /** A read of every row of one kind of an account, as `{ items }` (an account has few: not paged). */
    const all = <S extends z.ZodType>(path: string, name: string, description: string, item: S, read: (id: string) => z.output<S>[]) =>
      app.openapi(
        createRoute({
          method: 'get',
          ...secured('user_or_service'),
          path: `/api/v1/prop-accounts/{id}/${path}`,
          tags,
          request: { params: IdParams },
          responses: { 200: ok(z.object({ items: z.array(item) }).openapi(name), description), ...reads },
        }),
        (c) => {
          const { id } = c.req.valid('param');
          readable(c, id);
          return c.json({ items: read(id) }, 200);
        },
      );
    all('positions', 'PropPositions', 'Open positions with mark, unrealized PnL, margin and liquidation price', PositionSchema, (id) =>
      queries.positions(id).map(positionView),
    );
    all(
      'protective-orders',
      'PropProtectiveOrders',
      'Resting take-profit and stop-loss orders of exit plans',
      ProtectiveOrderSchema,
      (id) => queries.protectiveOrders(id).map(protectiveOrderView),
    );
    const list = <S extends z.ZodType>(path: string, summary: string, schema: S, read: (id: string, page: PageOptions) => z.output<S>) =>
      app.openapi(
        createRoute({
          method: 'get',
          ...secured('user_or_service'),
          ...secured('user_or_service'),
          path: `/api/v1/prop-accounts/{id}/${path}`,
          tags,
          summary,
          request: { params: IdParams, query: PageQuery },
          responses: { 200: ok(schema, summary), ...errorsOf(400, 401, 403, 404) },
        }),
        (c) => {
          const { id } = c.req.valid('param');
          readable(c, id);
          return c.json(read(id, c.req.valid('query')), 200);
        },
      );
    list(
      'fills',
      'Fills: market fills of orders and closes at mark (liquidation, admin close, finalize)',
      pageOf(FillSchema, 'PropFillPage'),
      (id, page) => mapPage(queries.page('fills', id, page), fillView),
    );
    list('snapshots', 'Mark-to-market snapshots (updated asynchronously)', pageOf(SnapshotSchema, 'PropSnapshotPage'), (id, page) =>
      mapPage(queries.page('marks', id, page), snapshotView),
    );
    list('rejections', 'Refused actions with reason codes and figures', pageOf(RejectionSchema, 'PropRejectionPage'), (id, page) =>
      mapPage(queries.page('rejections', id, page), rejectionView),
    );
    app.openapi(
      createRoute({
        method: 'get',
        ...secured('user_or_service'),
        path: '/api/v1/prop-accounts/{id}/journal',
        tags,
        request: { params: IdParams, query: PageQuery },
        summary: 'Double-entry lines (debit positive) and the balance check',
        responses: {
          200: ok(JournalPageSchema, 'Double-entry lines (debit positive) and the balance check'),
          ...errorsOf(400, 401, 403, 404),
        },
      }),
      (c) => {
        const { id } = c.req.valid('param');
        readable(c, id);
        const check = queries.journalCheck(id);
        const page = mapPage(queries.page('journal', id, c.req.valid('query')), journalLineView);
        return c.json({ ...page, balanced: check.balanced, totals: check.totals }, 200);
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
          ...secured(who),
          path,
          tags,
          summary,
          request: { params: IdParams, ...(body ? { body: { content: { 'application/json': { schema: body } }, required: true } } : {}) },
          responses: {
            200: ok(CommandResultSchema, 'The events appended, their fills or refusals, and the account after them'),
            ...writes,
          },
        }),
        async (c) => {
          const principal = c.get('principal');
          const actor = actorOf(who === 'service' ? requireService(principal) : requireAdmin(principal));
          const input = body ? await c.req.json() : undefined;
          const id = c.req.valid('param').id;
          return c.json(await ledger.commits.run(() => result(run(id, input, actor))), 200);
        },
      );

    app.openapi(
      createRoute({
        method: 'post',
        ...secured('service'),
        path: '/api/v1/prop-accounts',
        tags,
        summary: 'Open a prop account (service)',
        request: { body: { content: { 'application/json': { schema: zOpenAccountInput } }, required: true } },
        responses: { 201: ok(CommandResultSchema, 'Opened'), ...writes },
      }),
      async (c) => {
        const actor = actorOf(requireService(c.get('principal')));
        const { cloneId, strategyVersionId } = c.req.valid('json');
        if (ownership.ownerOf(cloneId) === undefined) throw new ClashError('clone_not_found', 'not_found', `clone ${cloneId} not found`);
        if (!ownership.hasVersion(cloneId, strategyVersionId)) {
          throw new ClashError('strategy_version_not_found', 'not_found', `clone ${cloneId} has no strategy version ${strategyVersionId}`);
        }
        const input = await c.req.json();
        return c.json(await ledger.commits.run(() => result(prop.open(input, actor))), 201);
      },
    );
    write('/api/v1/prop-accounts/{id}/actions', 'Submit a trading action (service)', zActionInput, 'service', (id, i, a) =>
      prop.submitAction(id, i as z.input<typeof zActionInput>, a),
    );
    app.openapi(
      createRoute({
        method: 'post',
        ...secured('service'),
        path: '/api/v1/prop-accounts/{id}/mark-to-market',
        tags,
        summary: 'Mark to market at the latest prices (service); idempotent by the Idempotency-Key header',
        request: { params: IdParams, headers: IdempotencyHeaders },
        responses: { 200: ok(CommandResultSchema, 'The events appended, their fills or refusals, and the account after them'), ...writes },
      }),
      async (c) => {
        const actor = actorOf(requireService(c.get('principal')));
        const key = c.req.valid('header')['idempotency-key'];
        const id = c.req.valid('param').id;
        return c.json(await ledger.commits.run(() => result(prop.markToMarket(id, actor, key))), 200);
      },
    );
    write('/api/v1/prop-accounts/{id}/funding', 'Apply one hour of funding (service)', FundingBody, 'service', (id, i, a) =>
      prop.applyFunding(id, { hour: Date.parse((i as z.output<typeof FundingBody>).hour) }, a),
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
