/**
 * Reading the competition read models: auditions, the Promotion Queue and Arena slots, races
 * with their pools and entrants, ticket positions, settlements with payouts, claims and
 * royalties, and the Hall of Fame. Rows come back camel-cased with money as decimal strings and
 * times as epoch milliseconds (the routes turn times into ISO strings); Hall of Fame rows as stored.
 */
import type { Db } from '../../core/database.ts';
import { BOUND_LIMIT, prepared } from '../../core/statements.ts';
import type { HallOfFameRow } from './careers.ts';

export interface AuditionRow {
  auditionId: string;
  cloneId: string;
  strategyVersionId: string;
  feePaymentId: string;
  status: 'awaiting_account' | 'running' | 'passed' | 'failed' | 'voided';
  attempt: number;
  retriesLeft: number;
  propAccountId: string | null;
  windowEndsAt: number | null;
  failureReason: string | null;
  voidReason: string | null;
  feeRefundOwed: number;
  submittedAt: number;
  updatedAt: number;
}

export interface AttemptRow {
  attempt: number;
  propAccountId: string;
  windowEndsAt: number;
  outcome: string;
  failureReason: string | null;
  equityMicroUsd: string | null;
  maxDrawdownMicroUsd: string | null;
  fills: number | null;
  decidedAt: number | null;
}

export interface RaceRow {
  raceId: string;
  sequence: number;
  stage: string;
  ticketPriceWei: string;
  launchAt: number;
  launchedAt: number | null;
  liveAt: number | null;
  closesAt: number | null;
  closedAt: number | null;
  settledAt: number | null;
  archivedAt: number | null;
  tickets: number;
  poolWei: string;
}

export interface EntrantRow {
  cloneId: string;
  creator: string;
  propAccountId: string;
  startingEquityMicroUsd: string;
}

export interface SettlementRow {
  raceId: string;
  sequence: number;
  ticketsSold: number;
  ticketPriceWei: string;
  grossPoolWei: string;
  rakeWei: string;
  creatorPoolWei: string;
  distributionPoolWei: string;
  refund: boolean;
  breakageWei: string;
  merkleRoot: string | null;
  settledAt: number;
}

export interface RankingRow {
  cloneId: string;
  position: number;
  weightBps: string;
  startingEquityMicroUsd: string;
  finalEquityMicroUsd: string;
  tickets: number;
}

export interface PayoutRow {
  holder: string;
  cloneId: string;
  amountWei: string;
}

export interface RoyaltyRow {
  creator: string;
  cloneId: string;
  amountWei: string;
}

export interface ClaimRow {
  raceId: string;
  holder: string;
  amountWei: string;
}

const AUDITION = `audition_id AS auditionId, clone_id AS cloneId, strategy_version_id AS strategyVersionId,
  fee_payment_id AS feePaymentId, status, attempt, retries_left AS retriesLeft, prop_account_id AS propAccountId,
  window_ends_at AS windowEndsAt, failure_reason AS failureReason, void_reason AS voidReason,
  fee_refund_owed AS feeRefundOwed, submitted_at AS submittedAt, updated_at AS updatedAt`;
const RACE = `race_id AS raceId, sequence, stage, ticket_price_wei AS ticketPriceWei, launch_at AS launchAt,
  launched_at AS launchedAt, live_at AS liveAt, closes_at AS closesAt, closed_at AS closedAt, settled_at AS settledAt,
  archived_at AS archivedAt, tickets, pool_wei AS poolWei`;

export class CompetitionQueries {
  constructor(private readonly db: Db) {}

  // Each statement is prepared once and kept (`core/statements.ts`): only fixed SQL comes here.
  private all<T>(sql: string, ...params: unknown[]): T[] {
    return prepared<unknown[], T>(this.db, sql).all(...params);
  }

  private one<T>(sql: string, ...params: unknown[]): T | undefined {
    return prepared<unknown[], T>(this.db, sql).get(...params);
  }

  audition(auditionId: string): AuditionRow | undefined {
    return this.one(`SELECT ${AUDITION} FROM competition_auditions WHERE audition_id = ?`, auditionId);
  }

  attempts(auditionId: string): AttemptRow[] {
    return this.all(
      `SELECT attempt, prop_account_id AS propAccountId, window_ends_at AS windowEndsAt, outcome, failure_reason AS failureReason,
         equity_micro_usd AS equityMicroUsd, max_drawdown_micro_usd AS maxDrawdownMicroUsd, fills, decided_at AS decidedAt
       FROM competition_audition_attempts WHERE audition_id = ? ORDER BY attempt`,
      auditionId,
    );
  }

  auditionsWithStatus(status: AuditionRow['status']): AuditionRow[] {
    return this.all(`SELECT ${AUDITION} FROM competition_auditions WHERE status = ? ORDER BY submitted_at, audition_id`, status);
  }

  /** The clone's audition that is waiting for its account or running, if any. */
  openAuditionOf(cloneId: string): AuditionRow | undefined {
    return this.one(
      `SELECT ${AUDITION} FROM competition_auditions WHERE clone_id = ? AND status IN ('awaiting_account', 'running')`,
      cloneId,
    );
  }

  /** queue | arena | removed | retired, or undefined when the clone never passed an audition. */
  placeOf(cloneId: string): string | undefined {
    return this.one<{ place: string }>('SELECT place FROM competition_clone_places WHERE clone_id = ?', cloneId)?.place;
  }

  queue(): { cloneId: string; auditionId: string; passedAt: number; queuedAt: number }[] {
    return this.all(
      `SELECT clone_id AS cloneId, audition_id AS auditionId, passed_at AS passedAt, queued_at AS queuedAt
       FROM competition_queue ORDER BY passed_at, queued_position`,
    );
  }

  slots(): { slot: number; cloneId: string; auditionId: string; admittedAt: number; strikes: number }[] {
    return this.all(
      `SELECT s.slot, s.clone_id AS cloneId, s.audition_id AS auditionId, s.admitted_at AS admittedAt, coalesce(k.strikes, 0) AS strikes
       FROM competition_arena_slots s LEFT JOIN competition_strikes k ON k.clone_id = s.clone_id ORDER BY s.slot`,
    );
  }

  races(limit: number): RaceRow[] {
    return this.all(`SELECT ${RACE} FROM competition_races ORDER BY sequence DESC LIMIT ${BOUND_LIMIT}`, limit);
  }

  race(raceId: string): RaceRow | undefined {
    return this.one(`SELECT ${RACE} FROM competition_races WHERE race_id = ?`, raceId);
  }

  /** Races at these stages, oldest first. */
  racesAt(...stages: string[]): RaceRow[] {
    return this.all(
      `SELECT ${RACE} FROM competition_races WHERE stage IN (${stages.map(() => '?').join(', ')}) ORDER BY sequence`,
      ...stages,
    );
  }

  pool(raceId: string): { cloneId: string; tickets: number; amountWei: string }[] {
    return this.all(
      `SELECT clone_id AS cloneId, tickets, amount_wei AS amountWei FROM competition_race_pool WHERE race_id = ? ORDER BY clone_id`,
      raceId,
    );
  }

  entrants(raceId: string): EntrantRow[] {
    return this.all(
      `SELECT clone_id AS cloneId, creator, prop_account_id AS propAccountId, starting_equity_micro_usd AS startingEquityMicroUsd
       FROM competition_race_entrants WHERE race_id = ? ORDER BY clone_id`,
      raceId,
    );
  }

  ticketsOf(holder: string): { raceId: string; cloneId: string; tickets: number; amountWei: string }[] {
    return this.all(
      `SELECT race_id AS raceId, clone_id AS cloneId, tickets, amount_wei AS amountWei
       FROM competition_ticket_positions WHERE holder = ? ORDER BY race_id, clone_id`,
      holder,
    );
  }

  purchasesOf(holder: string): { paymentId: string; raceId: string; cloneId: string; tickets: number; status: string }[] {
    return this.all(
      `SELECT payment_id AS paymentId, race_id AS raceId, clone_id AS cloneId, tickets, status
       FROM competition_ticket_purchases WHERE holder = ? ORDER BY bought_at, payment_id`,
      holder,
    );
  }

  settlement(raceId: string): SettlementRow | undefined {
    const row = this.one<Omit<SettlementRow, 'refund'> & { refund: number }>(
      `SELECT race_id AS raceId, sequence, tickets_sold AS ticketsSold, ticket_price_wei AS ticketPriceWei, gross_pool_wei AS grossPoolWei,
         rake_wei AS rakeWei, creator_pool_wei AS creatorPoolWei, distribution_pool_wei AS distributionPoolWei, refund,
         breakage_wei AS breakageWei, merkle_root AS merkleRoot, settled_at AS settledAt
       FROM competition_settlements WHERE race_id = ?`,
      raceId,
    );
    return row && { ...row, refund: row.refund === 1 };
  }

  ranking(raceId: string): RankingRow[] {
    return this.all(
      `SELECT clone_id AS cloneId, position, weight_bps AS weightBps, starting_equity_micro_usd AS startingEquityMicroUsd,
         final_equity_micro_usd AS finalEquityMicroUsd, tickets
       FROM competition_race_ranking WHERE race_id = ? ORDER BY position, clone_id`,
      raceId,
    );
  }

  payouts(raceId: string): PayoutRow[] {
    return this.all(
      'SELECT holder, clone_id AS cloneId, amount_wei AS amountWei FROM competition_race_payouts WHERE race_id = ? ORDER BY holder, clone_id',
      raceId,
    );
  }

  royalties(raceId: string): RoyaltyRow[] {
    return this.all(
      'SELECT creator, clone_id AS cloneId, amount_wei AS amountWei FROM competition_royalties WHERE race_id = ? ORDER BY clone_id',
      raceId,
    );
  }

  claims(raceId: string): ClaimRow[] {
    return this.all(
      'SELECT race_id AS raceId, holder, amount_wei AS amountWei FROM competition_payout_claims WHERE race_id = ? ORDER BY holder',
      raceId,
    );
  }

  claimsOf(holder: string): ClaimRow[] {
    return this.all(
      'SELECT race_id AS raceId, holder, amount_wei AS amountWei FROM competition_payout_claims WHERE holder = ? ORDER BY race_id',
      holder,
    );
  }

  holderTotal(holder: string): { races: number; amountWei: string } {
    return (
      this.one('SELECT races, amount_wei AS amountWei FROM competition_holder_payouts WHERE holder = ?', holder) ?? {
        races: 0,
        amountWei: '0',
      }
    );
  }

  hallOfFame(): HallOfFameRow[] {
    return this.all('SELECT * FROM competition_hall_of_fame ORDER BY retired_at DESC, clone_id');
  }
}
