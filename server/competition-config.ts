/**
 * The competition's rules from the environment: every timing and threshold of auditions, the
 * Arena and races, validated at start-up like the rest of the configuration (a bad value stops
 * the process naming the variable). Defaults are the deciders' own defaults
 * (`defaultAuditionRules`, `defaultArenaRules`, `defaultRaceRules`), the seed's numbers. The
 * values are frozen into each audition when it is submitted, into the Arena when it opens, and
 * into each race when it opens (doc/competition.md, "Rules and configuration").
 */
import { z } from 'zod';
import { defaultArenaRules } from '../commands/competition/arena-events.ts';
import { defaultAuditionRules } from '../commands/competition/audition-events.ts';
import type { CompetitionRules } from '../commands/competition/handlers.ts';
import { defaultRaceRules } from '../commands/competition/race-events.ts';
import { MICRO_USD, parseDecimal } from '../core/money.ts';

const DAY_SECONDS = 86_400;
const seconds = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const bps = z.coerce.number().int().min(0).max(10_000);
const count = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const usd = z
  .string()
  .max(32)
  .regex(/^\d+(\.\d{1,6})?$/, 'must be a USD amount with at most 6 decimals')
  .transform((s) => parseDecimal(s, MICRO_USD))
  .refine((v) => v > 0n, 'must be > 0');
const bpsList = z
  .string()
  .max(1024)
  .transform((s, ctx) => {
    const weights = s.split(',').map((w) => w.trim());
    if (weights.length > 100 || weights.some((w) => !/^\d{1,5}$/.test(w) || Number(w) > 10_000)) {
      ctx.addIssue({ code: 'custom', message: 'expected 1 to 100 comma-separated weights in bps (0..10000), position 1 first' });
    }
    return weights.map(Number);
  });

/** The competition variables of the server configuration (spread into `configSchema`); durations in seconds. */
export const competitionConfigShape = {
  /** An audition's evaluation window, from its account's opening. */
  COMPETITION_AUDITION_WINDOW_SECONDS: seconds(60, 365 * DAY_SECONDS).default(defaultAuditionRules.windowMs / 1000),
  /** The audition prop account's starting equity, in USD (decimal string, micro-USD precision). */
  COMPETITION_AUDITION_STARTING_EQUITY_USD: usd.default(defaultAuditionRules.startingEquityMicroUsd),
  /** A pass needs (equity − start) / start at least this, in bps. */
  COMPETITION_AUDITION_PROFIT_TARGET_BPS: bps.default(defaultAuditionRules.profitTargetBps),
  /** A fall from the start-of-day equity beyond this fails the audition at once, in bps. */
  COMPETITION_AUDITION_MAX_DAILY_LOSS_BPS: bps.default(defaultAuditionRules.maxDailyLossBps),
  /** A drawdown from the starting equity beyond this fails the audition at once, in bps. */
  COMPETITION_AUDITION_MAX_TOTAL_LOSS_BPS: bps.default(defaultAuditionRules.maxTotalLossBps),
  /** A pass needs at least this many fills. */
  COMPETITION_AUDITION_MIN_FILLS: count(0, 1_000_000).default(defaultAuditionRules.minFills),
  /** Retries allowed after a failed audition on the same fee. */
  COMPETITION_AUDITION_FREE_RETRIES: count(0, 100).default(defaultAuditionRules.freeRetries),
  /** Arena slots. */
  COMPETITION_ARENA_SLOTS: count(1, 1_000).default(defaultArenaRules.slots),
  /** An entrant backed by fewer than this share of a race's tickets gets a strike, in bps. */
  COMPETITION_STRIKE_BACKING_BPS: bps.default(defaultArenaRules.strikeBackingBps),
  /** Strikes in a row that retire a clone. */
  COMPETITION_STRIKES_TO_RETIRE: count(1, 1_000).default(defaultArenaRules.strikesToRetire),
  /** Fewer Arena clones than this at launch time postpone a race by one period. */
  COMPETITION_RACE_MIN_ENTRANTS: count(2, 1_000).default(defaultRaceRules.minEntrants),
  /** The race cadence: a race launches this long after it opens; a postponed launch moves by whole periods. */
  COMPETITION_RACE_PERIOD_SECONDS: seconds(60, 30 * DAY_SECONDS).default(defaultRaceRules.launchPeriodMs / 1000),
  /** How long a race is live, from its start to its close. */
  COMPETITION_RACE_LIVE_SECONDS: seconds(60, 30 * DAY_SECONDS).default(defaultRaceRules.liveWindowMs / 1000),
  /** The house's share of a race's gross pool, in bps. */
  COMPETITION_RACE_RAKE_BPS: bps.default(defaultRaceRules.rakeBps),
  /** The creators' share of a race's gross pool, in bps; rake + creators ≤ 10000. */
  COMPETITION_RACE_CREATOR_BPS: bps.default(defaultRaceRules.creatorBps),
  /** The weights of finishing positions 1..K, comma-separated bps; positions beyond K weigh 0. */
  COMPETITION_RACE_RANK_WEIGHTS_BPS: bpsList.default([...defaultRaceRules.rankWeightsBps]),
};

type CompetitionConfig = {
  readonly [K in keyof typeof competitionConfigShape]: z.output<(typeof competitionConfigShape)[K]>;
} & { readonly ECONOMY_TICKET_PRICE_WEI: bigint };

/** Rules the race settlement cannot honour together: a rake and a creator share above the whole pool. */
export function refuseImpossibleCompetition(c: CompetitionConfig, ctx: z.RefinementCtx): void {
  const { COMPETITION_RACE_RAKE_BPS: rake, COMPETITION_RACE_CREATOR_BPS: creator } = c;
  // zod runs refinements even when a field failed: a share out of range is already named on its own.
  if (rake <= 10_000 && creator <= 10_000 && rake + creator > 10_000) {
    ctx.addIssue({ code: 'custom', path: ['COMPETITION_RACE_CREATOR_BPS'], message: 'COMPETITION_RACE_RAKE_BPS + this must be ≤ 10000' });
  }
}

/** The competition's rules from configuration, in the deciders' units (milliseconds, micro-USD, wei). */
export function competitionRules(c: CompetitionConfig): Required<CompetitionRules> {
  return {
    audition: {
      windowMs: c.COMPETITION_AUDITION_WINDOW_SECONDS * 1000,
      startingEquityMicroUsd: c.COMPETITION_AUDITION_STARTING_EQUITY_USD,
      profitTargetBps: c.COMPETITION_AUDITION_PROFIT_TARGET_BPS,
      maxDailyLossBps: c.COMPETITION_AUDITION_MAX_DAILY_LOSS_BPS,
      maxTotalLossBps: c.COMPETITION_AUDITION_MAX_TOTAL_LOSS_BPS,
      minFills: c.COMPETITION_AUDITION_MIN_FILLS,
      freeRetries: c.COMPETITION_AUDITION_FREE_RETRIES,
    },
    arena: {
      slots: c.COMPETITION_ARENA_SLOTS,
      strikeBackingBps: c.COMPETITION_STRIKE_BACKING_BPS,
      strikesToRetire: c.COMPETITION_STRIKES_TO_RETIRE,
    },
    race: {
      ticketPriceWei: c.ECONOMY_TICKET_PRICE_WEI,
      minEntrants: c.COMPETITION_RACE_MIN_ENTRANTS,
      launchPeriodMs: c.COMPETITION_RACE_PERIOD_SECONDS * 1000,
      liveWindowMs: c.COMPETITION_RACE_LIVE_SECONDS * 1000,
      rakeBps: c.COMPETITION_RACE_RAKE_BPS,
      creatorBps: c.COMPETITION_RACE_CREATOR_BPS,
      rankWeightsBps: c.COMPETITION_RACE_RANK_WEIGHTS_BPS,
    },
  };
}
