/**
 * What the lifecycle read model keeps about a clone and about each of its auditions, and the
 * folds that keep them: pure functions of the events (no clock, no lookups), so a replay of
 * the log rebuilds the same records. The projection (`lifecycle.ts`) routes each event to the
 * records it touches; these functions say what the event changes.
 *
 * Sources: the lifecycle states of `../shared/seeds/004_…` ("Product-facing progress is
 * derived as a lifecycle state"), the competition rules of `doc/competition.md`.
 */

import type { CloneEvent } from '../../commands/clones/events.ts';
import type { ArenaEvent } from '../../commands/competition/arena-events.ts';
import type { AuditionStatus } from '../../commands/competition/audition-decider.ts';
import type { AuditionEvent, AuditionFailure, AuditionFigures, AuditionRules } from '../../commands/competition/audition-events.ts';
import { type Career, emptyCareer, withRace } from '../../commands/competition/career.ts';
import type { RaceEvent } from '../../commands/competition/race-events.ts';
import type { EntitlementEvent } from '../../commands/entitlements/events.ts';
import type { TierName } from '../../commands/entitlements/tiers.ts';
import type { RecordedEvent } from '../../core/event-store.ts';
import { initialFacts, type LifecycleFacts } from './lifecycle-state.ts';

export type LifecycleEvent = CloneEvent | EntitlementEvent | AuditionEvent | ArenaEvent | RaceEvent;

/** Where the clone stands in the competition: never entered, queued, in an Arena slot, taken out by an operator, retired. */
export type Place = 'none' | 'queue' | 'arena' | 'removed' | 'retired';

export interface RaceSeat {
  readonly raceId: string;
  readonly sequence: number;
  readonly stage: 'launched' | 'live' | 'settling';
  readonly launchedAt: number;
  readonly liveAt: number | null;
  readonly closesAt: number | null;
}

/** The clone's line in a settled race (the settlement's ranking): equities in micro-USD. */
export interface RacePlacing {
  readonly raceId: string;
  readonly sequence: number;
  /** 1-based; a dead heat shares its first position. */
  readonly position: number;
  readonly entrants: number;
  readonly startingEquityMicroUsd: bigint;
  readonly finalEquityMicroUsd: bigint;
  /** Tickets on the clone that stayed in the race. */
  readonly tickets: number;
  /** The race had no winner to pay and refunded its tickets. */
  readonly refunded: boolean;
  readonly settledAt: number;
}

/** How the clone left the queue or the Arena, when it did. */
export interface Exit {
  readonly kind: 'removed' | 'retired';
  readonly from: 'queue' | 'arena';
  readonly cause: 'admin' | 'strikes';
  /** The operator (cause `admin`). */
  readonly by: string | null;
  readonly reason: string | null;
  /** The race whose strike retired it (cause `strikes`). */
  readonly raceId: string | null;
  readonly at: number;
}

export interface CloneLifecycleRecord {
  readonly cloneId: string;
  /** What the lifecycle state is derived from (`lifecycle-state.ts`). */
  readonly facts: LifecycleFacts;
  readonly hasDraft: boolean;
  /** The number of the active (newest) strategy version. */
  readonly activeVersion: number | null;
  readonly entitlementTier: TierName | null;
  readonly moderationStatus: 'active' | 'retired';
  /** The audition whose account was requested last (submitted or retried). */
  readonly latestAuditionId: string | null;
  readonly place: Place;
  /** Pass time, queue time and the log position of the queueing (ties of pass time in arrival order). */
  readonly queue: { readonly passedAt: number; readonly queuedAt: number; readonly order: number } | null;
  readonly arena: { readonly slot: number; readonly admittedAt: number } | null;
  readonly exit: Exit | null;
  readonly strikes: { readonly inARow: number; readonly total: number };
  readonly currentRace: RaceSeat | null;
  readonly lastRace: RacePlacing | null;
  readonly career: Career;
  /** When anything about the clone last changed (the event's time, ms). */
  readonly changedAt: number;
}

export interface AuditionRecord {
  readonly auditionId: string;
  readonly cloneId: string;
  readonly strategyVersionId: string;
  readonly rules: AuditionRules;
  readonly status: AuditionStatus;
  readonly attempt: number;
  readonly retriesLeft: number;
  readonly submittedAt: number;
  /** The current attempt's prop account, once opened. */
  readonly account: {
    readonly propAccountId: string;
    readonly startingEquityMicroUsd: bigint;
    readonly openedAt: number;
    readonly windowEndsAt: number;
  } | null;
  /** The current attempt's pass or fail, with the figures it was judged on. */
  readonly decision: {
    readonly outcome: 'passed' | 'failed';
    readonly reason: AuditionFailure | null;
    readonly figures: AuditionFigures;
    readonly at: number;
  } | null;
  readonly voided: { readonly reason: string; readonly at: number } | null;
  readonly feeRefundOwed: boolean;
}

export function newCloneRecord(cloneId: string): CloneLifecycleRecord {
  return {
    cloneId,
    facts: initialFacts,
    hasDraft: false,
    activeVersion: null,
    entitlementTier: null,
    moderationStatus: 'active',
    latestAuditionId: null,
    place: 'none',
    queue: null,
    arena: null,
    exit: null,
    strikes: { inARow: 0, total: 0 },
    currentRace: null,
    lastRace: null,
    career: emptyCareer,
    changedAt: 0,
  };
}

/** The record after `event`, or the same record when the event does not concern this clone. */
export function evolveClone(r: CloneLifecycleRecord, raw: RecordedEvent): CloneLifecycleRecord {
  const next = changed(r, raw as RecordedEvent<LifecycleEvent>);
  return next === r ? r : { ...next, changedAt: raw.recordedAt };
}

function changed(r: CloneLifecycleRecord, e: RecordedEvent<LifecycleEvent>): CloneLifecycleRecord {
  const facts = (f: Partial<LifecycleFacts>) => ({ ...r.facts, ...f });
  const ofLatest = (auditionId: string) => auditionId === r.latestAuditionId;
  switch (e.type) {
    case 'CloneCreated':
      return { ...r };
    case 'CloneDraftSaved':
      return { ...r, hasDraft: true };
    case 'StrategyVersionPublished':
      return { ...r, activeVersion: e.data.number, facts: facts({ hasActiveVersion: true }) };
    case 'CloneProfileRetired':
      return { ...r, moderationStatus: 'retired' };
    case 'CloneProfileReinstated':
      return { ...r, moderationStatus: 'active' };
    case 'EntitlementGranted':
      return { ...r, entitlementTier: e.data.tier };
    case 'EntitlementRevoked':
      return { ...r, entitlementTier: null };
    // Sent on submit and on every retry: this audition is now the clone's latest.
    case 'AuditionAccountRequested':
      return { ...r, latestAuditionId: e.data.auditionId, facts: facts({ audition: 'running' }) };
    case 'AuditionPassed':
      return ofLatest(e.data.auditionId) ? { ...r, facts: facts({ audition: 'passed' }) } : r;
    case 'AuditionFailed':
      return ofLatest(e.data.auditionId) ? { ...r, facts: facts({ audition: 'failed' }) } : r;
    case 'AuditionVoided':
      return ofLatest(e.data.auditionId) ? { ...r, facts: facts({ audition: 'voided' }) } : r;
    case 'CloneQueued': {
      const { passedAt, queuedAt } = e.data;
      return { ...r, place: 'queue', queue: { passedAt, queuedAt, order: e.position }, exit: null, facts: facts({ arena: 'queued' }) };
    }
    case 'CloneAdmitted':
      return {
        ...r,
        place: 'arena',
        queue: null,
        arena: { slot: e.data.slot, admittedAt: e.data.admittedAt },
        facts: facts({ arena: 'competing' }),
      };
    // Out of the queue or the Arena by an operator: a new audition is needed to come back.
    case 'CloneRemoved': {
      const d = e.data;
      const exit: Exit = {
        kind: 'removed',
        from: d.from,
        cause: 'admin',
        by: d.removedBy,
        reason: d.reason,
        raceId: null,
        at: d.removedAt,
      };
      return { ...left(r, 'removed', exit), facts: facts({ audition: 'none', arena: 'none' }) };
    }
    case 'CloneRetired': {
      const d = e.data;
      const exit: Exit = {
        kind: 'retired',
        from: d.from,
        cause: d.cause,
        by: d.retiredBy,
        reason: d.reason,
        raceId: d.raceId,
        at: d.retiredAt,
      };
      return { ...left(r, 'retired', exit), facts: facts({ arena: 'retired' }) };
    }
    case 'StrikeGiven':
      return { ...r, strikes: { inARow: e.data.strikes, total: r.strikes.total + 1 } };
    case 'StrikesCleared':
      return { ...r, strikes: { ...r.strikes, inARow: 0 } };
    case 'RaceResultRecorded': {
      const line = e.data.entrants.find((x) => x.cloneId === r.cloneId);
      return line ? { ...r, career: withRace(r.career, e.data.raceId, line) } : r;
    }
    case 'RaceLaunched': {
      const d = e.data;
      if (!d.entrants.some((x) => x.cloneId === r.cloneId)) return r;
      const seat: RaceSeat = {
        raceId: d.raceId,
        sequence: d.sequence,
        stage: 'launched',
        launchedAt: d.launchedAt,
        liveAt: null,
        closesAt: null,
      };
      return { ...r, currentRace: seat };
    }
    case 'RaceWentLive':
      return seated(r, e.data.raceId, { stage: 'live', liveAt: e.data.liveAt, closesAt: e.data.closesAt });
    case 'RaceClosed':
      return seated(r, e.data.raceId, { stage: 'settling' });
    case 'RaceSettled': {
      const d = e.data;
      const line = d.ranking.find((x) => x.cloneId === r.cloneId);
      const currentRace = r.currentRace?.raceId === d.raceId ? null : r.currentRace;
      if (!line) return currentRace === r.currentRace ? r : { ...r, currentRace };
      const lastRace: RacePlacing = {
        raceId: d.raceId,
        sequence: d.sequence,
        position: line.position,
        entrants: d.ranking.length,
        startingEquityMicroUsd: line.startingEquityMicroUsd,
        finalEquityMicroUsd: line.finalEquityMicroUsd,
        tickets: line.tickets,
        refunded: d.refund,
        settledAt: d.settledAt,
      };
      return { ...r, currentRace, lastRace };
    }
    default:
      return r;
  }
}

/** Out of the queue and the Arena, strikes in a row forgotten. */
function left(r: CloneLifecycleRecord, place: 'removed' | 'retired', exit: Exit): CloneLifecycleRecord {
  return { ...r, place, queue: null, arena: null, exit, strikes: { ...r.strikes, inARow: 0 } };
}

function seated(r: CloneLifecycleRecord, raceId: string, change: Partial<RaceSeat>): CloneLifecycleRecord {
  return r.currentRace?.raceId === raceId ? { ...r, currentRace: { ...r.currentRace, ...change } } : r;
}

/** The audition record after `event` (null before its submission), or the same record when the event is not about it. */
export function evolveAudition(a: AuditionRecord | null, raw: RecordedEvent): AuditionRecord | null {
  const e = raw as RecordedEvent<AuditionEvent>;
  if (e.type === 'AuditionSubmitted') {
    const d = e.data;
    return {
      auditionId: d.auditionId,
      cloneId: d.cloneId,
      strategyVersionId: d.strategyVersionId,
      rules: d.rules,
      status: 'awaiting_account',
      attempt: 1,
      retriesLeft: d.rules.freeRetries,
      submittedAt: d.submittedAt,
      account: null,
      decision: null,
      voided: null,
      feeRefundOwed: false,
    };
  }
  if (!a) return a;
  switch (e.type) {
    case 'AuditionAccountOpened': {
      const { propAccountId, startingEquityMicroUsd, openedAt, windowEndsAt } = e.data;
      return { ...a, status: 'running', account: { propAccountId, startingEquityMicroUsd, openedAt, windowEndsAt } };
    }
    case 'AuditionPassed':
      return { ...a, status: 'passed', decision: { outcome: 'passed', reason: null, figures: e.data.figures, at: e.data.passedAt } };
    case 'AuditionFailed':
      return {
        ...a,
        status: 'failed',
        decision: { outcome: 'failed', reason: e.data.reason, figures: e.data.figures, at: e.data.failedAt },
      };
    case 'AuditionRetried': {
      const d = e.data;
      return {
        ...a,
        status: 'awaiting_account',
        attempt: d.attempt,
        retriesLeft: d.retriesLeft,
        strategyVersionId: d.strategyVersionId,
        account: null,
        decision: null,
      };
    }
    case 'AuditionVoided':
      return { ...a, status: 'voided', voided: { reason: e.data.reason, at: e.data.voidedAt } };
    case 'AuditionFeeRefundOwed':
      return { ...a, feeRefundOwed: true };
    default:
      return a;
  }
}
