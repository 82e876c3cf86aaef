/**
 * The competition's public reads — the Arena, the Promotion Queue, races with their live pools,
 * settlements, a holder's payout proof, the Hall of Fame — and the service route by which
 * Economy hands over a verified ticket purchase. Money as decimal strings (wei, micro-USD),
 * times as epoch milliseconds.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { type Address, getAddress, isAddress } from 'viem';
import { ARENA_STREAM_ID, arenaDecider } from '../../commands/competition/arena-decider.ts';
import { Competition } from '../../commands/competition/handlers.ts';
import { payoutLeafEncoding, payoutProof, payoutTree } from '../../commands/competition/payout-tree.ts';
import { unconnectedEconomy } from '../../commands/competition/ports.ts';
import { CommandHandler } from '../../core/decider.ts';
import { NotFoundError } from '../../core/errors.ts';
import { publicProfileOf } from '../../projections/clones/profiles.ts';
import { CompetitionQueries } from '../../projections/competition/queries.ts';
import { requireService } from '../auth.ts';
import { competitionDeps } from '../competition.ts';
import type { RouteModule } from '../route-module.ts';
import { errorsOf, json } from './schemas.ts';

const wei = (description = 'wei') => z.string().regex(/^\d+$/).openapi({ description, example: '10000000000000000' });
const time = z.number().int().openapi({ description: 'ms since the epoch' });
const tags = ['competition'];

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
    .refine((a) => isAddress(a, { strict: false }), 'must be a 0x-prefixed 20-byte address')
    .openapi({ param: { name: 'address', in: 'path' } }),
});

const SlotSchema = z
  .object({ slot: z.number().int(), cloneId: z.string(), name: z.string().nullable(), admittedAt: time, strikes: z.number().int() })
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
        passedAt: time,
        queuedAt: time,
      }),
    ),
  })
  .openapi('PromotionQueue');
const RaceSchema = z
  .object({
    raceId: z.string(),
    sequence: z.number().int(),
    stage: z.enum(['accumulating', 'launched', 'live', 'settling', 'settled', 'archived']),
    ticketPriceWei: wei(),
    launchAt: time,
    launchedAt: time.nullable(),
    liveAt: time.nullable(),
    closesAt: time.nullable(),
    closedAt: time.nullable(),
    settledAt: time.nullable(),
    archivedAt: time.nullable(),
    tickets: z.number().int().openapi({ description: 'tickets held in the pool (refunds excluded)' }),
    poolWei: wei('the pool in wei'),
  })
  .openapi('Race');
const RaceDetailSchema = RaceSchema.extend({
  pool: z.array(z.object({ cloneId: z.string(), tickets: z.number().int(), amountWei: wei() })),
  entrants: z.array(z.object({ cloneId: z.string(), creator: z.string(), propAccountId: z.string(), startingEquityMicroUsd: z.string() })),
}).openapi('RaceDetail');
const LineSchema = z.object({ cloneId: z.string(), amountWei: wei() });
const SettlementSchema = z
  .object({
    raceId: z.string(),
    sequence: z.number().int(),
    ticketsSold: z.number().int(),
    ticketPriceWei: wei(),
    grossPoolWei: wei(),
    rakeWei: wei(),
    creatorPoolWei: wei(),
    distributionPoolWei: wei(),
    refund: z.boolean(),
    breakageWei: wei(),
    merkleRoot: z.string().nullable(),
    settledAt: time,
    ranking: z.array(
      z.object({
        cloneId: z.string(),
        position: z.number().int(),
        weightBps: z.string().openapi({ description: '"5000", or an exact fraction such as "10000/3" for a dead heat' }),
        startingEquityMicroUsd: z.string(),
        finalEquityMicroUsd: z.string(),
        tickets: z.number().int(),
      }),
    ),
    payouts: z.array(LineSchema.extend({ holder: z.string() })),
    royalties: z.array(LineSchema.extend({ creator: z.string() })),
    claims: z.array(z.object({ raceId: z.string(), holder: z.string(), amountWei: wei() })),
  })
  .openapi('RaceSettlement');
const ProofSchema = z
  .object({
    raceId: z.string(),
    holder: z.string(),
    amountWei: wei('the holder’s claim: the sum of their payout lines'),
    merkleRoot: z.string(),
    proof: z.array(z.string()),
    leafEncoding: z
      .array(z.string())
      .openapi({ description: 'OpenZeppelin StandardMerkleTree leaf encoding of [raceId, holder, amountWei]' }),
  })
  .openapi('PayoutProof');
const TicketsBody = z
  .object({
    paymentId: z.string().min(1).max(200),
    cloneId: z.string().min(1).max(200),
    holder: z.string().refine((a) => isAddress(a, { strict: false }), 'must be a 0x-prefixed 20-byte address'),
    count: z.number().int().min(1),
    amountWei: z.string().regex(/^\d+$/, 'must be an integer decimal string'),
  })
  .strict()
  .openapi('TicketPurchaseInput');

const read = <S extends z.ZodType>(path: string, summary: string, schema: S) =>
  createRoute({
    method: 'get',
    path,
    tags,
    summary,
    responses: { 200: { description: summary, content: json(schema) }, ...errorsOf(404) },
  });
const readOne = <S extends z.ZodType, P extends z.ZodObject>(path: string, summary: string, schema: S, params: P) =>
  createRoute({
    method: 'get',
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
  hallOfFame: read(
    '/api/v1/hall-of-fame',
    'Retired clones with their careers',
    z.object({ entries: z.array(z.record(z.string(), z.unknown())) }),
  ),
  tickets: createRoute({
    method: 'post',
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

export const competitionRoutes: RouteModule = (app, { ledger, competitionEconomy: economy }) => {
  const db = ledger.store.db;
  const queries = new CompetitionQueries(db);
  const arena = new CommandHandler(ledger.store, arenaDecider);
  const competition = new Competition({ ...competitionDeps(ledger, economy ?? unconnectedEconomy), clock: ledger.clock });
  const nameOf = (cloneId: string) => publicProfileOf(db, cloneId)?.name ?? null;
  const raceDetail = (raceId: string) => {
    const race = queries.race(raceId);
    if (!race) throw new NotFoundError('race', raceId);
    return { ...race, stage: race.stage as Stage, pool: queries.pool(raceId), entrants: queries.entrants(raceId) };
  };

  app.openapi(routes.arena, (c) => {
    const rules = arena.load(ARENA_STREAM_ID).state.rules;
    const occupied = queries
      .slots()
      .map((s) => ({ slot: s.slot, cloneId: s.cloneId, name: nameOf(s.cloneId), admittedAt: s.admittedAt, strikes: s.strikes }));
    return c.json({ open: rules !== null, slots: rules?.slots ?? 0, occupied }, 200);
  });
  app.openapi(routes.queue, (c) =>
    c.json({ queue: queries.queue().map((q, i) => ({ position: i + 1, ...q, name: nameOf(q.cloneId) })) }, 200),
  );
  app.openapi(routes.races, (c) =>
    c.json({ races: queries.races(c.req.valid('query').limit).map((r) => ({ ...r, stage: r.stage as Stage })) }, 200),
  );
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
  app.openapi(routes.hallOfFame, (c) => c.json({ entries: queries.hallOfFame() }, 200));
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
