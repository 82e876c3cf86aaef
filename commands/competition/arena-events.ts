/**
 * The events of the single arena stream: the Promotion Queue (queued in pass-time order), the
 * Arena slots (admitted, removed, retired), the race schedule (which race accumulates tickets)
 * and each settled race's result with the strikes it gave and the careers it extended.
 */
import { z } from 'zod';
import { defineEvent, type EventOf } from '../../core/event-registry.ts';
import { zCareer, zRaceResultLine } from './career.ts';
import { zBps, zCount, zId, zReason, zTime } from './fields.ts';

export const zArenaRules = z
  .object({
    /** Arena slots. */
    slots: z.number().int().min(1).max(1_000),
    /** An entrant backed by fewer than this share of a race's tickets gets a strike. */
    strikeBackingBps: zBps,
    /** Strikes in a row that retire a clone. */
    strikesToRetire: z.number().int().min(1),
  })
  .strict();
export type ArenaRules = z.output<typeof zArenaRules>;

export const defaultArenaRules: ArenaRules = Object.freeze({ slots: 8, strikeBackingBps: 200, strikesToRetire: 3 });

const slot = z.number().int().min(1);
const sequence = z.number().int().min(1);

export const ArenaOpened = defineEvent('ArenaOpened', z.object({ rules: zArenaRules, openedAt: zTime }).strict());

export const CloneQueued = defineEvent(
  'CloneQueued',
  z.object({ cloneId: zId, auditionId: zId, passedAt: zTime, queuedAt: zTime }).strict(),
);

export const CloneAdmitted = defineEvent('CloneAdmitted', z.object({ cloneId: zId, auditionId: zId, slot, admittedAt: zTime }).strict());

export const CloneRemoved = defineEvent(
  'CloneRemoved',
  z
    .object({
      cloneId: zId,
      from: z.enum(['queue', 'arena']),
      /** The slot it freed, when it was in the Arena. */
      slot: slot.nullable(),
      removedBy: zId,
      reason: zReason,
      removedAt: zTime,
    })
    .strict(),
);

/** Out of competition for good: its career is preserved as its Hall of Fame entry. */
export const CloneRetired = defineEvent(
  'CloneRetired',
  z
    .object({
      cloneId: zId,
      cause: z.enum(['strikes', 'admin']),
      from: z.enum(['queue', 'arena']),
      slot: slot.nullable(),
      /** The race whose strike retired it (cause `strikes`). */
      raceId: zId.nullable(),
      /** The operator and their reason (cause `admin`). */
      retiredBy: zId.nullable(),
      reason: zReason.nullable(),
      career: zCareer,
      retiredAt: zTime,
    })
    .strict(),
);

/** This race is now the one race that accumulates tickets. */
export const RaceScheduled = defineEvent('RaceScheduled', z.object({ raceId: zId, sequence, scheduledAt: zTime }).strict());

/** The accumulating race launched: the next race may be scheduled. */
export const RaceLaunchRecorded = defineEvent('RaceLaunchRecorded', z.object({ raceId: zId, sequence, launchedAt: zTime }).strict());

export const RaceResultRecorded = defineEvent(
  'RaceResultRecorded',
  z.object({ raceId: zId, sequence, ticketsSold: zCount, entrants: z.array(zRaceResultLine), recordedAt: zTime }).strict(),
);

export const StrikeGiven = defineEvent(
  'StrikeGiven',
  z
    .object({
      cloneId: zId,
      raceId: zId,
      /** Strikes in a row, this one included. */
      strikes: z.number().int().min(1),
      tickets: zCount,
      ticketsSold: zCount,
      at: zTime,
    })
    .strict(),
);

/** A well-backed race ended a run of strikes. */
export const StrikesCleared = defineEvent('StrikesCleared', z.object({ cloneId: zId, raceId: zId, at: zTime }).strict());

export const arenaEvents = [
  ArenaOpened,
  CloneQueued,
  CloneAdmitted,
  CloneRemoved,
  CloneRetired,
  RaceScheduled,
  RaceLaunchRecorded,
  RaceResultRecorded,
  StrikeGiven,
  StrikesCleared,
];

export type ArenaEvent =
  | EventOf<typeof ArenaOpened>
  | EventOf<typeof CloneQueued>
  | EventOf<typeof CloneAdmitted>
  | EventOf<typeof CloneRemoved>
  | EventOf<typeof CloneRetired>
  | EventOf<typeof RaceScheduled>
  | EventOf<typeof RaceLaunchRecorded>
  | EventOf<typeof RaceResultRecorded>
  | EventOf<typeof StrikeGiven>
  | EventOf<typeof StrikesCleared>;
