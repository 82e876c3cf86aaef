/**
 * The competition's public reads — the Arena, the Promotion Queue, races with their live pools,
 * settlements, a holder's payout proof, the Hall of Fame — and the service route by which
 * Economy hands over a verified ticket purchase. Money as decimal strings (wei, micro-USD),
 * times as ISO 8601 UTC strings (`doc/api.md` "Conventions").
 */
import { createRoute, z } from '@hono/zod-openapi';
import { type Address, getAddress } from 'viem';
import { ARENA_STREAM_ID, arenaDecider } from '../../commands/competition/arena-decider.ts';
import { Competition } from '../../commands/competition/handlers.ts';
import { payoutLeafEncoding, payoutProof, payoutTree } from '../../commands/competition/payout-tree.ts';
import { unconnectedEconomy } from '../../commands/competition/ports.ts';
import { toWire } from '../../core/canonical-json.ts';
import { CommandHandler } from '../../core/decider.ts';
import { NotFoundError } from '../../core/errors.ts';
import { publicProfileOf } from '../../projections/clones/profiles.ts';
import { careerOfRow, type HallOfFameRow } from '../../projections/competition/careers.ts';
import { CompetitionQueries, type RaceRow } from '../../projections/competition/queries.ts';
import { requireService } from '../auth.ts';
import { competitionDeps } from '../competition.ts';
import type { RouteModule } from '../route-module.ts';
import { secured } from './access.ts';
import { errorsOf, iso, isoOrNull, json, zMicroUsd, zSignedMicroUsd, zTime, zWei } from './schemas.ts';

const tags = ['competition'];

/** A wallet address in any letter case (a pattern, so the document states the rule). */
const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

/** A race or audition id in the path. */
export const IdParams = z.object({
  id: z
    .string()
    .min(1)
    .max(200)
    .openapi({ param: { name: 'id', in: 'path' } }),
});
const ProofParams = IdParams.extend({
  address: z
    .string()
    .regex(ADDRESS, 'must be a 0x-prefixed 20-byte address')
    .openapi({ param: { name: 'address', in: 'path' } }),
});

const SlotSchema = z
  .object({ slot: z.number().int(), cloneId: z.string(), name: z.string().nullable(), admittedAt: zTime, strikes: z.number().int() })
  .openapi('ArenaSlot');
const ArenaSchema = z
  .object({
    open: z.boolean(),
    slots: z.number().int().openapi({ description: 'Arena slots (0 before the arena opens)' }),
    occupied: z.array(SlotSchema),
  })
  .openapi('Arena');
const QueueSchema = z
  .object({
    queue: z.array(
      z.object({
        position: z.number().int(),
        cloneId: z.string(),
        name: z.string().nullable(),
        auditionId: z.string(),
        passedAt: zTime,
        queuedAt: zTime,
      }),
    ),
  })
  .openapi('PromotionQueue');
const RaceSchema = z
  .object({
    raceId: z.string(),
    sequence: z.number().int(),
    stage: z.enum(['accumulating', 'launched', 'live', 'settling', 'settled', 'archived']),
    ticketPriceWei: zWei(),
    launchAt: zTime,
    launchedAt: zTime.nullable(),
    liveAt: zTime.nullable(),
    closesAt: zTime.nullable(),
    closedAt: zTime.nullable(),
    settledAt: zTime.nullable(),
    archivedAt: zTime.nullable(),
    tickets: z.number().int().openapi({ description: 'tickets held in the pool (refunds excluded)' }),
    poolWei: zWei('the pool in wei'),
  })
  .openapi('Race');
const RaceDetailSchema = z
  .object({
    ...RaceSchema.shape,
    pool: z.array(z.object({ cloneId: z.string(), tickets: z.number().int(), amountWei: zWei() })),
    entrants: z.array(
      z.object({ cloneId: z.string(), creator: z.string(), propAccountId: z.string(), startingEquityMicroUsd: zMicroUsd() }),
    ),
  })
  .openapi('RaceDetail');
const LineSchema = z.object({ cloneId: z.string(), amountWei: zWei() });
const SettlementSchema = z
  .object({
    raceId: z.string(),
    sequence: z.number().int(),
    ticketsSold: z.number().int(),
    ticketPriceWei: zWei(),
    grossPoolWei: zWei(),
    rakeWei: zWei(),
    creatorPoolWei: zWei(),
    distributionPoolWei: zWei(),
    refund: z.boolean(),
    breakageWei: zWei(),
    merkleRoot: z.string().nullable(),
    settledAt: zTime,
    ranking: z.array(
      z.object({
        cloneId: z.string(),
        position: z.number().int(),
        weightBps: z.string().openapi({ description: '"5000", or an exact fraction such as "10000/3" for a dead heat' }),
        startingEquityMicroUsd: zMicroUsd(),
        finalEquityMicroUsd: zSignedMicroUsd(),
        tickets: z.number().int(),
      }),
    ),
    payouts: z.array(LineSchema.extend({ holder: z.string() })),
    royalties: z.array(LineSchema.extend({ creator: z.string() })),
    claims: z.array(z.object({ raceId: z.string(), holder: z.string(), amountWei: zWei() })),
  })
  .openapi('RaceSettlement');
const ProofSchema = z
  .object({
    raceId: z.string(),
    holder: z.string(),
    amountWei: zWei('the holder’s claim: the sum of their payout lines'),
    merkleRoot: z.string(),
    proof: z.array(z.string()),
    leafEncoding: z
      .array(z.string())
      .openapi({ description: 'OpenZeppelin StandardMerkleTree leaf encoding of [raceId, holder, amountWei]' }),
  })
  .openapi('PayoutProof');
const CareerSchema = z
  .object({
    races: z.number().int(),
    placements: z
      .array(z.object({ position: z.number().int(), count: z.number().int() }))
      .openapi({ description: 'finishes at each position' }),
    bestReturn: z
      .object({ raceId: z.string(), startingEquityMicroUsd: zMicroUsd(), finalEquityMicroUsd: zSignedMicroUsd() })
      .nullable()
      .openapi({ description: 'the race with the best return; the earliest on a tie' }),
    totalPnlMicroUsd: zSignedMicroUsd(),
    totalStartingEquityMicroUsd: zMicroUsd(),
    ticketsAttracted: z.number().int(),
    royaltiesWei: zWei(),
  })
  .openapi('Career');
const HallOfFameSchema = z
  .object({
    entries: z.array(
      z.object({
        cloneId: z.string(),
        name: z.string().nullable(),
        cause: z.enum(['strikes', 'admin']),
        raceId: z.string().nullable().openapi({ description: 'the race whose strike retired it (cause strikes)' }),
        retiredBy: z.string().nullable().openapi({ description: 'the admin (cause admin)' }),
        reason: z.string().nullable(),
        retiredAt: zTime,
        career: CareerSchema,
      }),
    ),
  })
  .openapi('HallOfFame');
const TicketsBody = z
  .object({
    paymentId: z.string().min(1).max(200),
    cloneId: z.string().min(1).max(200),
    holder: z.string().regex(ADDRESS, 'must be a 0x-prefixed 20-byte address'),
    count: z.number().int().min(1),
    amountWei: z.string().regex(/^\d+$/, 'must be an integer decimal string'),
  })
  .strict()
  .openapi('TicketPurchaseInput');

const read = <S extends z.ZodType>(path: string, summary: string, schema: S) =>
  createRoute({
    method: 'get',
    ...secured('public'),
    path,
    tags,
    summary,
    responses: { 200: { description: summary, content: json(schema) }, ...errorsOf(404) },
  });
const readOne = <S extends z.ZodType, P extends z.ZodObject>(path: string, summary: string, schema: S, params: P) =>
  createRoute({
    method: 'get',
    ...secured('public'),
    path,
    tags,
    summary,
    request: { params },
    responses: { 200: { description: summary, content: json(schema) }, ...errorsOf(400, 404) },
  });

const routes = {
  arena: read('/api/v1/arena', 'The Arena slots and who holds them', ArenaSchema),
  queue: read('/api/v1/queue', 'The Promotion Queue, first in line first', QueueSchema),
  races: createRoute({
    method: 'get',
    ...secured('public'),
    path: '/api/v1/races',
    tags,
    summary: 'Races, newest first',
    request: { query: z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) }) },
    responses: { 200: { description: 'Races', content: json(z.object({ races: z.array(RaceSchema) })) }, ...errorsOf(400) },
  }),
  current: read('/api/v1/races/current', 'The race selling tickets now, with its live pool per clone', RaceDetailSchema),
  race: readOne('/api/v1/races/{id}', 'A race with its pool per clone and its entrants', RaceDetailSchema, IdParams),
  settlement: readOne(
    '/api/v1/races/{id}/settlement',
    'A settled race: pool split, ranking, payouts, royalties, claims',
    SettlementSchema,
    IdParams,
  ),
  proof: readOne('/api/v1/races/{id}/payouts/{address}/proof', 'A holder’s payout claim and its Merkle proof', ProofSchema, ProofParams),
  hallOfFame: read('/api/v1/hall-of-fame', 'Retired clones with their careers, most recent first', HallOfFameSchema),
  tickets: createRoute({
    method: 'post',
    ...secured('service'),
    path: '/api/v1/races/{id}/tickets',
    tags,
    summary: 'Record tickets bought by a verified Economy payment (service); the same payment again changes nothing',
    request: { params: IdParams, body: { content: json(TicketsBody), required: true } },
    responses: {
      201: { description: 'Recorded', content: json(z.object({ raceId: z.string(), tickets: z.number().int() })) },
      ...errorsOf(400, 401, 403, 404, 409, 422),
    },
  }),
};

type Stage = z.output<typeof RaceSchema>['stage'];

function raceView(r: RaceRow): z.output<typeof RaceSchema> {
  return {
    ...r,
    stage: r.stage as Stage,
    launchAt: iso(r.launchAt),
    launchedAt: isoOrNull(r.launchedAt),
    liveAt: isoOrNull(r.liveAt),
    closesAt: isoOrNull(r.closesAt),
    closedAt: isoOrNull(r.closedAt),
    settledAt: isoOrNull(r.settledAt),
    archivedAt: isoOrNull(r.archivedAt),
  };
}

function hallOfFameView(r: HallOfFameRow, name: string | null): z.output<typeof HallOfFameSchema>['entries'][number] {
  return {
    cloneId: r.clone_id,
    name,
    cause: r.cause,
    raceId: r.race_id,
    retiredBy: r.retired_by,
    reason: r.reason,
    retiredAt: iso(r.retired_at),
    career: toWire(careerOfRow(r)),
  };
}

export const competitionRoutes: RouteModule = (app, { ledger, competitionEconomy: economy }) => {
  const db = ledger.store.db;
  const queries = new CompetitionQueries(db);
  const arena = new CommandHandler(ledger.store, arenaDecider);
  const competition = new Competition({ ...competitionDeps(ledger, economy ?? unconnectedEconomy), clock: ledger.clock });
  const nameOf = (cloneId: string) => publicProfileOf(db, cloneId)?.name ?? null;
  const raceDetail = (raceId: string) => {
    const race = queries.race(raceId);
    if (!race) throw new NotFoundError('race', raceId);
    return { ...raceView(race), pool: queries.pool(raceId), entrants: queries.entrants(raceId) };
  };

  app.openapi(routes.arena, (c) => {
    const rules = arena.load(ARENA_STREAM_ID).state.rules;
    const occupied = queries
      .slots()
      .map((s) => ({ slot: s.slot, cloneId: s.cloneId, name: nameOf(s.cloneId), admittedAt: iso(s.admittedAt), strikes: s.strikes }));
    return c.json({ open: rules !== null, slots: rules?.slots ?? 0, occupied }, 200);
  });
  app.openapi(routes.queue, (c) =>
    c.json(
      {
        queue: queries.queue().map((q, i) => ({
          position: i + 1,
          ...q,
          name: nameOf(q.cloneId),
          passedAt: iso(q.passedAt),
          queuedAt: iso(q.queuedAt),
        })),
      },
      200,
    ),
  );
  app.openapi(routes.races, (c) => c.json({ races: queries.races(c.req.valid('query').limit).map(raceView) }, 200));
  app.openapi(routes.current, (c) => {
    const current = queries.racesAt('accumulating')[0];
    if (!current) throw new NotFoundError('race', 'current');
    return c.json(raceDetail(current.raceId), 200);
  });
  app.openapi(routes.race, (c) => c.json(raceDetail(c.req.valid('param').id), 200));
  app.openapi(routes.settlement, (c) => {
    const { id } = c.req.valid('param');
    const settlement = queries.settlement(id);
    if (!settlement) throw new NotFoundError('settlement of race', id);
    return c.json(
      {
        ...settlement,
        settledAt: iso(settlement.settledAt),
        ranking: queries.ranking(id),
        payouts: queries.payouts(id),
        royalties: queries.royalties(id),
        claims: queries.claims(id),
      },
      200,
    );
  });
  app.openapi(routes.proof, (c) => {
    const { id, address } = c.req.valid('param');
    const holder = getAddress(address);
    const settlement = queries.settlement(id);
    const tree = payoutTree(
      id,
      queries.payouts(id).map((p) => ({ holder: p.holder as Address, cloneId: p.cloneId, amountWei: BigInt(p.amountWei) })),
    );
    const found = tree.root === settlement?.merkleRoot ? payoutProof(tree, holder) : null;
    if (!settlement?.merkleRoot || !found) throw new NotFoundError(`payout of race ${id} to`, holder);
    return c.json(
      {
        raceId: id,
        holder: found.claim.holder,
        amountWei: found.claim.amountWei.toString(),
        merkleRoot: settlement.merkleRoot,
        proof: found.proof,
        leafEncoding: [...payoutLeafEncoding],
      },
      200,
    );
  });
  app.openapi(routes.hallOfFame, (c) => c.json({ entries: queries.hallOfFame().map((r) => hallOfFameView(r, nameOf(r.clone_id))) }, 200));
  app.openapi(routes.tickets, (c) => {
    requireService(c.get('principal'));
    const body = c.req.valid('json');
    const recorded = competition.recordTicketPurchase({
      raceId: c.req.valid('param').id,
      paymentId: body.paymentId,
      cloneId: body.cloneId,
      holder: getAddress(body.holder),
      count: body.count,
      amountWei: BigInt(body.amountWei),
    });
    return c.json(recorded, 201);
  });
};
