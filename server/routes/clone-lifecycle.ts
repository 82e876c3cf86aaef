/**
 * A clone's lifecycle summary over HTTP: the owner (and admins) read everything, including what
 * to do next and the latest audition's figures against its targets; anyone reads the public
 * part (state, queue, Arena, races, strikes, career), which shows nothing of the strategy,
 * the audition's account or figures, or who moderated. Times ISO 8601 UTC, money with its unit.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { auditionChecks } from '../../commands/competition/audition-evaluation.ts';
import type { Career } from '../../commands/competition/career.ts';
import { zTierName } from '../../commands/entitlements/tiers.ts';
import { divide } from '../../core/money.ts';
import type { AuditionRecord, RacePlacing } from '../../projections/clones/lifecycle-record.ts';
import { lifecycleStates } from '../../projections/clones/lifecycle-state.ts';
import { type LifecycleSummary, lifecycleSummaryOf, nextStepCodes, nextStepOf } from '../../projections/clones/lifecycle-summary.ts';
import type { RouteModule } from '../route-module.ts';
import { secured } from './access.ts';
import { CloneParams, existingClone, readableClone } from './clone-access.ts';
import { errorsOf, iso, json } from './schemas.ts';

const at = z.string().openapi({ format: 'date-time', example: '2026-01-05T00:00:00.000Z' });
const microUsd = z
  .string()
  .regex(/^-?\d+$/)
  .openapi({ description: 'micro-USD (10⁻⁶ USD), integer decimal string' });
const bps = z.number().int().openapi({ description: 'basis points of 10000' });
const returnBps = bps
  .nullable()
  .openapi({ description: 'PnL / starting equity in basis points, rounded toward zero; null for a zero start' });

const PublicAudition = z.object({
  status: z.enum(['awaiting_account', 'running', 'passed', 'failed', 'voided']),
  attempt: z.number().int(),
  submittedAt: at,
  decidedAt: at.nullable().openapi({ description: 'when the current attempt passed or failed, or the audition was voided' }),
});
const Targets = z
  .object({
    windowMs: z.number().int(),
    startingEquityMicroUsd: microUsd,
    profitTargetBps: bps,
    maxDailyLossBps: bps,
    maxTotalLossBps: bps,
    minFills: z.number().int(),
    freeRetries: z.number().int(),
  })
  .openapi('AuditionTargets');
const Figures = z
  .object({
    equityMicroUsd: microUsd,
    startOfDayEquityMicroUsd: microUsd,
    maxDrawdownMicroUsd: microUsd,
    fills: z.number().int(),
    dailyLossBreached: z.boolean(),
    totalLossBreached: z.boolean(),
  })
  .openapi('AuditionFigures');
const limitCheck = z.object({ lossMicroUsd: microUsd, limitBps: bps, within: z.boolean() });
const Checks = z
  .object({
    dailyLoss: limitCheck,
    totalLoss: limitCheck,
    fills: z.object({ fills: z.number().int(), minFills: z.number().int(), met: z.boolean() }),
    profit: z.object({ profitMicroUsd: microUsd, targetBps: bps, met: z.boolean() }),
  })
  .openapi('AuditionChecks');
const OwnerAudition = PublicAudition.extend({
  auditionId: z.string(),
  strategyVersionId: z.string(),
  retriesLeft: z.number().int(),
  propAccountId: z.string().nullable(),
  openedAt: at.nullable(),
  windowEndsAt: at.nullable(),
  failureReason: z.enum(['daily_loss_limit', 'total_loss_limit', 'too_few_fills', 'target_not_met']).nullable(),
  voidReason: z.string().nullable(),
  feeRefundOwed: z.boolean(),
  targets: Targets,
  figures: z.union([Figures, z.null()]).openapi({ description: 'what the current attempt was judged on; null until it is decided' }),
  checks: z.union([Checks, z.null()]).openapi({ description: 'each rule against the figures, compared exactly' }),
});
const PublicExit = z.object({
  kind: z.enum(['removed', 'retired']),
  from: z.enum(['queue', 'arena']),
  cause: z.enum(['admin', 'strikes']),
  raceId: z.string().nullable(),
  at,
});
const Race = z.object({
  raceId: z.string(),
  sequence: z.number().int(),
  stage: z.enum(['launched', 'live', 'settling']),
  launchedAt: at,
  liveAt: at.nullable(),
  closesAt: at.nullable(),
});
const Placing = z.object({
  raceId: z.string(),
  sequence: z.number().int(),
  position: z.number().int(),
  entrants: z.number().int(),
  startingEquityMicroUsd: microUsd,
  finalEquityMicroUsd: microUsd,
  pnlMicroUsd: microUsd,
  returnBps,
  tickets: z.number().int(),
  refunded: z.boolean(),
  settledAt: at,
});
const CareerSchema = z.object({
  races: z.number().int(),
  placements: z.array(z.object({ position: z.number().int(), count: z.number().int() })),
  bestReturn: z.object({ raceId: z.string(), startingEquityMicroUsd: microUsd, finalEquityMicroUsd: microUsd, returnBps }).nullable(),
  totalPnlMicroUsd: microUsd,
  totalStartingEquityMicroUsd: microUsd,
  returnBps,
  ticketsAttracted: z.number().int(),
  royaltiesWei: z.string().regex(/^\d+$/).openapi({ description: 'wei, integer decimal string' }),
});

const PublicLifecycleSchema = z
  .object({
    cloneId: z.string(),
    state: z.enum(lifecycleStates),
    changedAt: at,
    moderationStatus: z.enum(['active', 'retired']),
    place: z.enum(['none', 'queue', 'arena', 'removed', 'retired']),
    audition: PublicAudition.nullable(),
    queue: z.object({ position: z.number().int(), passedAt: at, queuedAt: at }).nullable(),
    arena: z.object({ slot: z.number().int(), admittedAt: at }).nullable(),
    exit: PublicExit.nullable(),
    strikes: z.object({ inARow: z.number().int(), total: z.number().int(), toRetire: z.number().int().nullable() }),
    currentRace: Race.nullable(),
    lastRace: Placing.nullable(),
    career: CareerSchema,
  })
  .openapi('PublicCloneLifecycle');
/** The owner's view: the public one with more (the shape spread, not `.extend`: see doc/architecture.md). */
const LifecycleSchema = z
  .object({
    ...PublicLifecycleSchema.shape,
    nextStep: z.object({ code: z.enum(nextStepCodes), message: z.string(), until: at.nullable() }),
    setup: z.object({ hasDraft: z.boolean(), activeVersion: z.number().int().nullable(), entitlementTier: zTierName.nullable() }),
    audition: OwnerAudition.nullable(),
    exit: PublicExit.extend({ reason: z.string().nullable() }).nullable(),
  })
  .openapi('CloneLifecycle');

type PublicLifecycle = z.output<typeof PublicLifecycleSchema>;
type Lifecycle = z.output<typeof LifecycleSchema>;

/** (final − start) / start in basis points, rounded toward zero (`trunc`); null when the start is zero. */
function returnBpsOf(start: bigint, final: bigint): number | null {
  return start === 0n ? null : Number(divide((final - start) * 10_000n, start, 'trunc'));
}

const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));

function placingView(p: RacePlacing): z.output<typeof Placing> {
  return {
    ...p,
    startingEquityMicroUsd: p.startingEquityMicroUsd.toString(),
    finalEquityMicroUsd: p.finalEquityMicroUsd.toString(),
    pnlMicroUsd: (p.finalEquityMicroUsd - p.startingEquityMicroUsd).toString(),
    returnBps: returnBpsOf(p.startingEquityMicroUsd, p.finalEquityMicroUsd),
    settledAt: iso(p.settledAt),
  };
}

function careerView(c: Career): z.output<typeof CareerSchema> {
  const best = c.bestReturn;
  return {
    races: c.races,
    placements: c.placements.map((p) => ({ ...p })),
    bestReturn: best && {
      raceId: best.raceId,
      startingEquityMicroUsd: best.startingEquityMicroUsd.toString(),
      finalEquityMicroUsd: best.finalEquityMicroUsd.toString(),
      returnBps: returnBpsOf(best.startingEquityMicroUsd, best.finalEquityMicroUsd),
    },
    totalPnlMicroUsd: c.totalPnlMicroUsd.toString(),
    totalStartingEquityMicroUsd: c.totalStartingEquityMicroUsd.toString(),
    returnBps: returnBpsOf(c.totalStartingEquityMicroUsd, c.totalStartingEquityMicroUsd + c.totalPnlMicroUsd),
    ticketsAttracted: c.ticketsAttracted,
    royaltiesWei: c.royaltiesWei.toString(),
  };
}

/** Of an audition, the public sees its status and dates. */
function publicAuditionView(a: AuditionRecord): z.output<typeof PublicAudition> {
  return {
    status: a.status,
    attempt: a.attempt,
    submittedAt: iso(a.submittedAt),
    decidedAt: isoOrNull(a.voided?.at ?? a.decision?.at ?? null),
  };
}

/** The public part: nothing of the strategy, the audition's account and figures, or the operators. */
export function publicLifecycleView(s: LifecycleSummary): PublicLifecycle {
  const c = s.clone;
  const a = s.audition;
  return {
    cloneId: c.cloneId,
    state: s.state,
    changedAt: iso(c.changedAt),
    moderationStatus: c.moderationStatus,
    place: c.place,
    audition: a && publicAuditionView(a),
    queue:
      c.queue && s.queuePosition !== null
        ? { position: s.queuePosition, passedAt: iso(c.queue.passedAt), queuedAt: iso(c.queue.queuedAt) }
        : null,
    arena: c.arena && { slot: c.arena.slot, admittedAt: iso(c.arena.admittedAt) },
    exit: c.exit && { kind: c.exit.kind, from: c.exit.from, cause: c.exit.cause, raceId: c.exit.raceId, at: iso(c.exit.at) },
    strikes: { ...c.strikes, toRetire: s.strikesToRetire },
    currentRace: c.currentRace && {
      ...c.currentRace,
      launchedAt: iso(c.currentRace.launchedAt),
      liveAt: isoOrNull(c.currentRace.liveAt),
      closesAt: isoOrNull(c.currentRace.closesAt),
    },
    lastRace: c.lastRace && placingView(c.lastRace),
    career: careerView(c.career),
  };
}

function ownerAuditionView(a: AuditionRecord): z.output<typeof OwnerAudition> {
  const figures = a.decision?.figures ?? null;
  const checks = figures && a.account && auditionChecks(a.rules, a.account.startingEquityMicroUsd, figures);
  return {
    ...publicAuditionView(a),
    auditionId: a.auditionId,
    strategyVersionId: a.strategyVersionId,
    retriesLeft: a.retriesLeft,
    propAccountId: a.account?.propAccountId ?? null,
    openedAt: isoOrNull(a.account?.openedAt ?? null),
    windowEndsAt: isoOrNull(a.account?.windowEndsAt ?? null),
    failureReason: a.decision?.reason ?? null,
    voidReason: a.voided?.reason ?? null,
    feeRefundOwed: a.feeRefundOwed,
    targets: { ...a.rules, startingEquityMicroUsd: a.rules.startingEquityMicroUsd.toString() },
    figures: figures && {
      ...figures,
      equityMicroUsd: figures.equityMicroUsd.toString(),
      startOfDayEquityMicroUsd: figures.startOfDayEquityMicroUsd.toString(),
      maxDrawdownMicroUsd: figures.maxDrawdownMicroUsd.toString(),
    },
    checks: checks
      ? {
          dailyLoss: { ...checks.dailyLoss, lossMicroUsd: checks.dailyLoss.lossMicroUsd.toString() },
          totalLoss: { ...checks.totalLoss, lossMicroUsd: checks.totalLoss.lossMicroUsd.toString() },
          fills: checks.fills,
          profit: { ...checks.profit, profitMicroUsd: checks.profit.profitMicroUsd.toString() },
        }
      : null,
  };
}

/** Everything: the public part, what to do next, the setup, the audition with its figures against its targets. */
export function lifecycleView(s: LifecycleSummary): Lifecycle {
  const c = s.clone;
  const next = nextStepOf(s);
  const shown = publicLifecycleView(s);
  return {
    ...shown,
    nextStep: { ...next, until: isoOrNull(next.until) },
    setup: { hasDraft: c.hasDraft, activeVersion: c.activeVersion, entitlementTier: c.entitlementTier },
    audition: s.audition && ownerAuditionView(s.audition),
    exit: shown.exit && { ...shown.exit, reason: c.exit?.reason ?? null },
  };
}

const routes = {
  owner: createRoute({
    method: 'get',
    ...secured('user'),
    path: '/api/v1/clones/{id}/lifecycle',
    tags: ['clones'],
    summary: 'The clone’s lifecycle summary and what it needs next (owner and admins)',
    request: { params: CloneParams },
    responses: { 200: { description: 'The summary', content: json(LifecycleSchema) }, ...errorsOf(400, 401, 403, 404) },
  }),
  public: createRoute({
    method: 'get',
    ...secured('public'),
    path: '/api/v1/public/clones/{id}/lifecycle',
    tags: ['public'],
    summary: 'A clone’s public lifecycle: state, queue, Arena, races, strikes, career (no session needed)',
    request: { params: CloneParams },
    responses: { 200: { description: 'The public summary', content: json(PublicLifecycleSchema) }, ...errorsOf(400, 404) },
  }),
};

export const cloneLifecycleRoutes: RouteModule = (app, { ledger }) => {
  const db = ledger.store.db;
  const summary = (cloneId: string) => {
    const s = lifecycleSummaryOf(db, cloneId);
    if (!s) throw new Error(`lifecycle of ${cloneId} missing from the read model`);
    return s;
  };
  app.openapi(routes.owner, (c) => c.json(lifecycleView(summary(readableClone(db, c.req.valid('param').id, c.get('principal')).id)), 200));
  app.openapi(routes.public, (c) => c.json(publicLifecycleView(summary(existingClone(db, c.req.valid('param').id).id)), 200));
};
