/**
 * The events of a race stream (`race-<id>`): opened with its rules frozen, tickets bought from
 * verified payments, launch postponed or launched with its entrants and their race accounts,
 * refunds owed for tickets on clones that did not launch, live, closed, settled (the whole
 * settlement recorded, with the ledger checkpoint covering its inputs) and archived. Tickets and payouts in wei, equity in micro-USD.
 */
import { z } from 'zod';
import { defineEvent, type EventOf } from '../../core/event-registry.ts';
import { WEI, zAmount, zNonNegativeAmount } from '../../core/money.ts';
import { zCheckpointRef } from '../ledger/events.ts';
import { zAddress, zBps, zCount, zDuration, zId, zTime } from './fields.ts';

const HOUR_MS = 3_600_000;

export const zRaceRules = z
  .object({
    ticketPriceWei: zNonNegativeAmount,
    /** Fewer Arena clones than this at launch time postpone the launch by one period. */
    minEntrants: z.number().int().min(2),
    /** The race cadence: a postponed launch moves by whole periods. */
    launchPeriodMs: zDuration,
    liveWindowMs: zDuration,
    rakeBps: zBps,
    creatorBps: zBps,
    /** Weights of positions 1..K; positions beyond K weigh 0. */
    rankWeightsBps: z.array(zBps).min(1).max(100),
  })
  .strict()
  .refine((r) => r.rakeBps + r.creatorBps <= 10_000, { message: 'rake + creator must be ≤ 10000 bps', path: ['creatorBps'] });
export type RaceRules = z.output<typeof zRaceRules>;

export const defaultRaceRules: RaceRules = Object.freeze({
  ticketPriceWei: WEI.one / 100n,
  minEntrants: 2,
  launchPeriodMs: 6 * HOUR_MS,
  liveWindowMs: 6 * HOUR_MS,
  rakeBps: 500,
  creatorBps: 500,
  rankWeightsBps: [5_000, 3_000, 2_000],
});

export const zRaceEntrant = z
  .object({
    cloneId: zId,
    /** The creator's wallet, paid the clone's royalty. */
    creator: zAddress,
    /** The fresh race prop account (Prop Trading). */
    propAccountId: zId,
    startingEquityMicroUsd: zNonNegativeAmount,
  })
  .strict();
export type RaceEntrant = z.output<typeof zRaceEntrant>;

export const zTicketPurchase = z
  .object({
    /** The verified Economy payment that bought exactly these tickets; used once. */
    paymentId: zId,
    holder: zAddress,
    cloneId: zId,
    tickets: z.number().int().min(1),
    amountWei: zNonNegativeAmount,
  })
  .strict();
export type TicketPurchase = z.output<typeof zTicketPurchase>;

const sequence = z.number().int().min(1);

export const RaceOpened = defineEvent(
  'RaceOpened',
  z.object({ raceId: zId, sequence, rules: zRaceRules, launchAt: zTime, openedAt: zTime }).strict(),
);

export const TicketsBought = defineEvent('TicketsBought', zTicketPurchase.extend({ raceId: zId, boughtAt: zTime }).strict());

export const RaceLaunchPostponed = defineEvent(
  'RaceLaunchPostponed',
  z.object({ raceId: zId, arenaClones: zCount, previousLaunchAt: zTime, launchAt: zTime, postponedAt: zTime }).strict(),
);

export const RaceLaunched = defineEvent(
  'RaceLaunched',
  z.object({ raceId: zId, sequence, rules: zRaceRules, entrants: z.array(zRaceEntrant).min(2), launchedAt: zTime }).strict(),
);

/** For the process manager: Economy refunds this purchase in full (its clone did not launch). */
export const TicketRefundOwed = defineEvent(
  'TicketRefundOwed',
  zTicketPurchase.extend({ raceId: zId, reason: z.literal('clone_not_entrant'), owedAt: zTime }).strict(),
);

export const RaceWentLive = defineEvent('RaceWentLive', z.object({ raceId: zId, liveAt: zTime, closesAt: zTime }).strict());

/** For the process manager: finalize these race accounts and bring their final equities. */
export const RaceClosed = defineEvent('RaceClosed', z.object({ raceId: zId, propAccountIds: z.array(zId), closedAt: zTime }).strict());

export const zRankingLine = z
  .object({
    cloneId: zId,
    position: z.number().int().min(1),
    /** "5000", or an exact fraction "10000/3" for a dead heat. */
    weightBps: z.string().regex(/^\d+(\/\d+)?$/),
    startingEquityMicroUsd: zNonNegativeAmount,
    finalEquityMicroUsd: zAmount,
    tickets: zCount,
  })
  .strict();

export const RaceSettled = defineEvent(
  'RaceSettled',
  z
    .object({
      raceId: zId,
      sequence,
      ticketPriceWei: zNonNegativeAmount,
      ticketsSold: zCount,
      grossPoolWei: zNonNegativeAmount,
      rakeWei: zNonNegativeAmount,
      creatorPoolWei: zNonNegativeAmount,
      distributionPoolWei: zNonNegativeAmount,
      refund: z.boolean(),
      ranking: z.array(zRankingLine),
      payouts: z.array(z.object({ holder: zAddress, cloneId: zId, amountWei: zNonNegativeAmount }).strict()),
      royalties: z.array(z.object({ creator: zAddress, cloneId: zId, amountWei: zNonNegativeAmount }).strict()),
      breakageWei: zNonNegativeAmount,
      merkleRoot: z
        .string()
        .regex(/^0x[0-9a-f]{64}$/)
        .nullable(),
      settledAt: zTime,
      /**
       * The signed ledger checkpoint that covers every event the settlement was computed from
       * (doc/ledger-integrity.md, "Settlement tied to the log"); null for races settled before
       * checkpoints existed (schema v1).
       */
      checkpoint: zCheckpointRef.nullable(),
    })
    .strict(),
  { version: 2, upcasters: { 1: (d) => ({ ...(d as object), checkpoint: null }) } },
);

export const RaceArchived = defineEvent('RaceArchived', z.object({ raceId: zId, archivedAt: zTime }).strict());

export const raceEvents = [
  RaceOpened,
  TicketsBought,
  RaceLaunchPostponed,
  RaceLaunched,
  TicketRefundOwed,
  RaceWentLive,
  RaceClosed,
  RaceSettled,
  RaceArchived,
];

export type RaceEvent =
  | EventOf<typeof RaceOpened>
  | EventOf<typeof TicketsBought>
  | EventOf<typeof RaceLaunchPostponed>
  | EventOf<typeof RaceLaunched>
  | EventOf<typeof TicketRefundOwed>
  | EventOf<typeof RaceWentLive>
  | EventOf<typeof RaceClosed>
  | EventOf<typeof RaceSettled>
  | EventOf<typeof RaceArchived>;
export type RaceSettledData = EventOf<typeof RaceSettled>['data'];
