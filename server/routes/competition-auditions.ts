/**
 * Auditions and a user's competition accounts over HTTP: a clone's owner submits an audition
 * (paid by an audition credit from Economy), reads it and retries it after a fail; a signed-in
 * user reads their tickets and payouts; admins void an audition (the fee is refunded) and
 * remove or retire a clone from the queue or the Arena.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { getAddress } from 'viem';
import { Competition, type SignedInUser } from '../../commands/competition/handlers.ts';
import { unconnectedEconomy } from '../../commands/competition/ports.ts';
import { NotFoundError } from '../../core/errors.ts';
import { cloneOwnership } from '../../projections/clones/ownership.ts';
import { CompetitionQueries } from '../../projections/competition/queries.ts';
import { type Principal, requireAdmin, requireUser } from '../auth.ts';
import { requireCloneReader } from '../clone-ownership.ts';
import { competitionDeps } from '../competition.ts';
import { competitionRules } from '../competition-config.ts';
import type { RouteModule } from '../route-module.ts';
import { secured } from './access.ts';
import { CloneParams } from './clone-access.ts';
import { IdParams } from './competition.ts';
import { errorsOf, iso, isoOrNull, json, zMicroUsd, zSignedMicroUsd, zTime, zWei } from './schemas.ts';

const tags = ['competition'];
const AuditionSchema = z
  .object({
    auditionId: z.string(),
    cloneId: z.string(),
    strategyVersionId: z.string(),
    feePaymentId: z.string(),
    status: z.enum(['awaiting_account', 'running', 'passed', 'failed', 'voided']),
    attempt: z.number().int(),
    retriesLeft: z.number().int(),
    propAccountId: z.string().nullable(),
    windowEndsAt: zTime.nullable(),
    failureReason: z.string().nullable(),
    voidReason: z.string().nullable(),
    feeRefundOwed: z.boolean(),
    submittedAt: zTime,
    updatedAt: zTime,
    attempts: z.array(
      z.object({
        attempt: z.number().int(),
        propAccountId: z.string(),
        windowEndsAt: zTime,
        outcome: z.string(),
        failureReason: z.string().nullable(),
        equityMicroUsd: zSignedMicroUsd().nullable(),
        maxDrawdownMicroUsd: zMicroUsd().nullable(),
        fills: z.number().int().nullable(),
        decidedAt: zTime.nullable(),
      }),
    ),
  })
  .openapi('Audition');
const ReasonBody = z
  .object({ reason: z.string().trim().min(3).max(500) })
  .strict()
  .openapi('CompetitionReasonInput');
const TicketsSchema = z
  .object({
    positions: z.array(z.object({ raceId: z.string(), cloneId: z.string(), tickets: z.number().int(), amountWei: zWei() })),
    purchases: z.array(
      z.object({
        paymentId: z.string(),
        raceId: z.string(),
        cloneId: z.string(),
        tickets: z.number().int(),
        status: z.enum(['held', 'refund_owed']),
      }),
    ),
  })
  .openapi('MyTickets');
const PayoutsSchema = z
  .object({
    claims: z.array(z.object({ raceId: z.string(), holder: z.string(), amountWei: zWei() })),
    races: z.number().int(),
    totalWei: zWei(),
  })
  .openapi('MyPayouts');

const responses = { 200: { description: 'The audition now', content: json(AuditionSchema) }, ...errorsOf(400, 401, 403, 404, 409, 422) };
const post = <P extends z.ZodObject>(path: string, summary: string, params: P) =>
  createRoute({ method: 'post', ...secured('user'), path, tags, summary, request: { params }, responses });
const PlaceSchema = z
  .object({ cloneId: z.string(), place: z.enum(['queue', 'arena', 'removed', 'retired']).nullable() })
  .openapi('CompetitionPlace');
const postReason = <P extends z.ZodObject, S extends z.ZodType>(path: string, summary: string, params: P, schema: S) =>
  createRoute({
    method: 'post',
    ...secured('admin'),
    path,
    tags,
    summary,
    request: { params, body: { content: json(ReasonBody), required: true } },
    responses: { 200: { description: 'Done', content: json(schema) }, ...errorsOf(400, 401, 403, 404, 409, 422) },
  });
const get = <S extends z.ZodType>(path: string, summary: string, schema: S) =>
  createRoute({
    method: 'get',
    ...secured('user'),
    path,
    tags,
    summary,
    responses: { 200: { description: summary, content: json(schema) }, ...errorsOf(401, 403) },
  });

const routes = {
  submit: createRoute({
    method: 'post',
    ...secured('user'),
    path: '/api/v1/clones/{id}/auditions',
    tags,
    summary: 'Audition the clone’s active strategy version, paid by an unused audition fee',
    request: { params: CloneParams },
    responses: { 201: { description: 'Submitted', content: json(AuditionSchema) }, ...errorsOf(401, 403, 404, 409, 422) },
  }),
  show: createRoute({
    method: 'get',
    ...secured('user_or_service'),
    path: '/api/v1/auditions/{id}',
    tags,
    summary: 'An audition with its attempts (the clone owner, admins, services)',
    request: { params: IdParams },
    responses: { 200: { description: 'The audition', content: json(AuditionSchema) }, ...errorsOf(401, 403, 404) },
  }),
  retry: post('/api/v1/auditions/{id}/retry', 'Retry a failed audition on the same fee (free retries left)', IdParams),
  void: postReason('/api/v1/admin/auditions/{id}/void', 'Void an audition; its fee is refunded (admin)', IdParams, AuditionSchema),
  remove: postReason('/api/v1/admin/arena/{id}/remove', 'Remove a clone from the queue or the Arena (admin)', CloneParams, PlaceSchema),
  retire: postReason('/api/v1/admin/arena/{id}/retire', 'Retire a clone to the Hall of Fame (admin)', CloneParams, PlaceSchema),
  tickets: get('/api/v1/me/tickets', 'The caller’s ticket positions and purchases', TicketsSchema),
  payouts: get('/api/v1/me/payouts', 'The caller’s payout claims by race', PayoutsSchema),
};

function signedIn(p: Principal | null): SignedInUser {
  const user = requireUser(p);
  return { userId: user.userId, address: getAddress(user.address) };
}

export const competitionAuditionRoutes: RouteModule = (app, { ledger, config, competitionEconomy: economy }) => {
  const db = ledger.store.db;
  const queries = new CompetitionQueries(db);
  const ownership = cloneOwnership(db);
  // Submitted auditions freeze the configured rules (COMPETITION_AUDITION_*).
  const rules = competitionRules(config);
  const competition = new Competition({ ...competitionDeps(ledger, economy ?? unconnectedEconomy), clock: ledger.clock, rules });
  const auditionView = (auditionId: string) => {
    const a = queries.audition(auditionId);
    if (!a) throw new NotFoundError('audition', auditionId);
    return {
      ...a,
      windowEndsAt: isoOrNull(a.windowEndsAt),
      submittedAt: iso(a.submittedAt),
      updatedAt: iso(a.updatedAt),
      feeRefundOwed: a.feeRefundOwed === 1,
      attempts: queries.attempts(auditionId).map((t) => ({ ...t, windowEndsAt: iso(t.windowEndsAt), decidedAt: isoOrNull(t.decidedAt) })),
    };
  };
  /** The audition, when the caller may read it. */
  const readable = (p: Principal | null, auditionId: string) => {
    const view = auditionView(auditionId);
    requireCloneReader(p, view.cloneId, ownership);
    return view;
  };

  app.openapi(routes.submit, (c) =>
    c.json(auditionView(competition.submitAudition(signedIn(c.get('principal')), c.req.valid('param').id)), 201),
  );
  app.openapi(routes.show, (c) => c.json(readable(c.get('principal'), c.req.valid('param').id), 200));
  app.openapi(routes.retry, (c) => {
    const { id } = c.req.valid('param');
    competition.retryAudition(signedIn(c.get('principal')), id);
    return c.json(auditionView(id), 200);
  });
  app.openapi(routes.void, (c) => {
    const admin = requireAdmin(c.get('principal'));
    const { id } = c.req.valid('param');
    competition.voidAudition(admin.userId, id, c.req.valid('json').reason);
    return c.json(auditionView(id), 200);
  });
  for (const [route, kind] of [
    [routes.remove, 'RemoveClone'],
    [routes.retire, 'RetireClone'],
  ] as const) {
    app.openapi(route, (c) => {
      const admin = requireAdmin(c.get('principal'));
      const { id } = c.req.valid('param');
      competition.takeOut(kind, admin.userId, id, c.req.valid('json').reason);
      const place = (queries.placeOf(id) ?? null) as z.output<typeof PlaceSchema>['place'];
      return c.json({ cloneId: id, place }, 200);
    });
  }
  app.openapi(routes.tickets, (c) => {
    const holder = signedIn(c.get('principal')).address;
    const purchases = queries.purchasesOf(holder).map((p) => ({ ...p, status: p.status as 'held' | 'refund_owed' }));
    return c.json({ positions: queries.ticketsOf(holder), purchases }, 200);
  });
  app.openapi(routes.payouts, (c) => {
    const holder = signedIn(c.get('principal')).address;
    const total = queries.holderTotal(holder);
    return c.json({ claims: queries.claimsOf(holder), races: total.races, totalWei: total.amountWei }, 200);
  });
};
