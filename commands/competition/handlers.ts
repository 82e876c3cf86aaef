/**
 * The competition command path: user and operator commands (submit, retry and void an
 * audition, remove or retire a clone), ticket purchases handed over by Economy, and the steps
 * the process manager and the workers take. Each adds what the pure deciders may not fetch
 * (the time, facts from other modules' read models, accounts opened through Prop Trading) and
 * then lets the decider rule. Every step is idempotent: repeated, it appends nothing.
 */
import type { Address } from 'viem';
import type { Clock, IdSource } from '../../core/clock.ts';
import { CommandHandler } from '../../core/decider.ts';
import { DomainError, NotFoundError } from '../../core/errors.ts';
import type { EventStore } from '../../core/event-store.ts';
import { formatDecimal, MICRO_USD } from '../../core/money.ts';
import { type MarketFacts, PropTrading } from '../prop-trading/handlers.ts';
import { ARENA_STREAM_ID, type ArenaCommand, arenaDecider } from './arena-decider.ts';
import type { ArenaEvent, ArenaRules } from './arena-events.ts';
import type { ArenaState } from './arena-state.ts';
import { type AuditionCommand, type AuditionState, auditionDecider, auditionStreamId } from './audition-decider.ts';
import type { AuditionEvent, AuditionRules } from './audition-events.ts';
import type { CompetitionFacts } from './facts.ts';
import type { CompetitionEconomy, CompetitionReadModel, LogCheckpoints, TicketPurchase, TicketPurchaseSink } from './ports.ts';
import { type RaceCommand, raceDecider, raceStreamId } from './race-decider.ts';
import type { RaceEvent, RaceRules } from './race-events.ts';
import type { RaceState } from './race-state.ts';

/** Rule overrides for new auditions, the arena and new races (the decider defaults otherwise). */
export interface CompetitionRules {
  readonly audition?: Partial<AuditionRules>;
  readonly arena?: Partial<ArenaRules>;
  readonly race?: Partial<RaceRules>;
}

export interface CompetitionDeps {
  readonly store: EventStore;
  readonly clock: Clock;
  readonly ids: IdSource;
  readonly market: MarketFacts;
  readonly economy: CompetitionEconomy;
  readonly facts: CompetitionFacts;
  /** The competition read models, through the port this module owns. */
  readonly queries: CompetitionReadModel;
  /** The signed ledger checkpoint a settlement records. */
  readonly checkpoints: LogCheckpoints;
  readonly rules?: CompetitionRules;
}

export interface SignedInUser {
  readonly userId: string;
  readonly address: Address;
}

export const WORKER_ACTOR = 'service:competition';

/** The prop account of an audition attempt, and of a clone in a race. */
export const auditionAccountId = (auditionId: string, attempt: number) => `audition-${auditionId}-${attempt}`;
export const raceAccountId = (raceId: string, cloneId: string) => `race-${raceId}-${cloneId}`;

type Untimed<C> = C extends unknown ? Omit<C, 'at'> : never;

function refuse(code: string, kind: 'not_found' | 'conflict' | 'unprocessable' | 'forbidden', message: string): never {
  throw new DomainError(code, kind, message);
}

export class Competition implements TicketPurchaseSink {
  readonly auditions: CommandHandler<AuditionCommand, AuditionState, AuditionEvent>;
  readonly arena: CommandHandler<ArenaCommand, ArenaState, ArenaEvent>;
  readonly races: CommandHandler<RaceCommand, RaceState, RaceEvent>;
  readonly prop: PropTrading;

  constructor(readonly deps: CompetitionDeps) {
    this.auditions = new CommandHandler(deps.store, auditionDecider);
    this.arena = new CommandHandler(deps.store, arenaDecider);
    this.races = new CommandHandler(deps.store, raceDecider);
    this.prop = new PropTrading({ store: deps.store, clock: deps.clock, ids: deps.ids, market: deps.market });
  }

  get rules(): CompetitionRules {
    return this.deps.rules ?? {};
  }

  audition(command: Untimed<AuditionCommand>, actor: string) {
    return this.auditions.handle({
      streamId: auditionStreamId(command.auditionId),
      command: { ...command, at: this.deps.clock.now() } as AuditionCommand,
      metadata: { actor },
    });
  }

  arenaCommand(command: Untimed<ArenaCommand>, actor: string) {
    return this.arena.handle({
      streamId: ARENA_STREAM_ID,
      command: { ...command, at: this.deps.clock.now() } as ArenaCommand,
      metadata: { actor },
    });
  }

  race(command: Untimed<RaceCommand>, actor: string) {
    return this.races.handle({
      streamId: raceStreamId(command.raceId),
      command: { ...command, at: this.deps.clock.now() } as RaceCommand,
      metadata: { actor },
    });
  }

  /** The queued clones whose public profile is approved, for admissions. */
  approvedQueue(): string[] {
    return this.deps.facts.approved(this.deps.queries.queue().map((q) => q.cloneId));
  }

  private ownedClone(user: SignedInUser, cloneId: string): void {
    const owner = this.deps.facts.ownerOf(cloneId);
    if (owner === undefined) throw new NotFoundError('clone', cloneId);
    if (owner !== user.userId) refuse('not_clone_owner', 'forbidden', 'only the clone owner can audition it');
  }

  private activeVersion(cloneId: string): string {
    return this.deps.facts.activeVersionOf(cloneId) ?? refuse('no_active_version', 'unprocessable', 'publish a strategy version first');
  }

  /**
   * A new audition of the clone's active strategy version, paid by one audition credit; its
   * account is opened at once (and again by the process manager if this process stops first).
   */
  submitAudition(user: SignedInUser, cloneId: string): string {
    this.ownedClone(user, cloneId);
    const strategyVersionId = this.activeVersion(cloneId);
    const open = this.deps.queries.openAuditionOf(cloneId);
    if (open) refuse('audition_running', 'conflict', `audition ${open.auditionId} of this clone is still running`);
    const place = this.deps.queries.placeOf(cloneId);
    if (place === 'queue' || place === 'arena' || place === 'retired') {
      refuse('clone_in_competition', 'conflict', `the clone is ${place === 'retired' ? 'retired' : `in the ${place}`}`);
    }
    const credit = this.deps.economy.credits.consume({ cloneId, owner: user.address });
    if ('refused' in credit) {
      throw new DomainError('audition_credit_required', 'unprocessable', 'no unused audition fee for this clone', {
        reason: credit.refused,
      });
    }
    const auditionId = credit.paymentId;
    const result = this.audition(
      { type: 'SubmitAudition', auditionId, cloneId, strategyVersionId, feePaymentId: credit.paymentId, rules: this.rules.audition ?? {} },
      `user:${user.userId}`,
    );
    this.openAuditionAccount(auditionId, result.state?.attempt ?? 1);
    return auditionId;
  }

  retryAudition(user: SignedInUser, auditionId: string): void {
    const row = this.deps.queries.audition(auditionId) ?? refuse('audition_not_found', 'not_found', `audition ${auditionId} not found`);
    this.ownedClone(user, row.cloneId);
    const result = this.audition(
      { type: 'RetryAudition', auditionId, strategyVersionId: this.activeVersion(row.cloneId) },
      `user:${user.userId}`,
    );
    this.openAuditionAccount(auditionId, result.state?.attempt ?? row.attempt + 1);
  }

  voidAudition(operator: string, auditionId: string, reason: string): void {
    this.audition({ type: 'VoidAudition', auditionId, reason, operator }, `user:${operator}`);
  }

  /** Takes a clone out of the queue or the Arena (remove) or out of competition for good (retire). */
  takeOut(kind: 'RemoveClone' | 'RetireClone', operator: string, cloneId: string, reason: string): void {
    this.arenaCommand({ type: kind, cloneId, operator, reason, approvedCloneIds: this.approvedQueue() }, `user:${operator}`);
  }

  /**
   * Closes a decided audition's prop account to trading (pass, fail or void): Prop Trading
   * finalizes it — open positions closed at mark, the result snapshot recorded in
   * `PropAccountFinalized` — so the clone can no longer trade on it. Nothing for an account
   * never opened or already final. Without fresh prices for its positions the account is frozen
   * at once (no trading) and the refusal rethrown: the process manager retries the finalization
   * at its next tick (doc/competition.md).
   */
  closeAuditionAccount(propAccountId: string): void {
    const status = this.prop.state(propAccountId).status;
    if (status === 'new' || status === 'finalized') return;
    try {
      this.prop.finalize(propAccountId, WORKER_ACTOR);
    } catch (error) {
      const waitingForPrices = error instanceof DomainError && (error.code === 'no_price' || error.code === 'stale_price');
      if (waitingForPrices && this.prop.state(propAccountId).status === 'active') {
        this.prop.freeze(propAccountId, { reason: 'audition decided: finalized once prices are fresh' }, WORKER_ACTOR);
      }
      throw error;
    }
  }

  /**
   * Opens the prop account of the audition's attempt through Prop Trading, unless it is open,
   * and records it on the audition; nothing when the audition has moved past that attempt.
   */
  openAuditionAccount(auditionId: string, attempt: number): void {
    const audition = this.auditions.load(auditionStreamId(auditionId)).state;
    if (!audition || audition.attempt !== attempt || audition.status !== 'awaiting_account') return;
    const accountId = auditionAccountId(auditionId, attempt);
    const startingEquityMicroUsd = audition.rules.startingEquityMicroUsd;
    if (this.prop.state(accountId).status === 'new') {
      this.prop.open(
        {
          accountId,
          cloneId: audition.cloneId,
          strategyVersionId: audition.strategyVersionId,
          purpose: 'audition',
          startingEquityUsd: formatDecimal(startingEquityMicroUsd, MICRO_USD),
        },
        WORKER_ACTOR,
      );
    }
    this.audition({ type: 'RecordAuditionAccount', auditionId, attempt, propAccountId: accountId, startingEquityMicroUsd }, WORKER_ACTOR);
  }

  recordTicketPurchase(p: TicketPurchase): { raceId: string; tickets: number } {
    const cloneInArena = this.deps.queries.placeOf(p.cloneId) === 'arena';
    const { paymentId, raceId, cloneId, holder, count, amountWei } = p;
    this.race({ type: 'BuyTickets', raceId, paymentId, holder, cloneId, tickets: count, amountWei, cloneInArena }, 'service:economy');
    return { raceId, tickets: count };
  }
}
