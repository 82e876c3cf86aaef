/**
 * Live marking (issue 13, "Live accounts are valued while they run"): each round, every running
 * audition and race account is, in order,
 *   1. checked against the final 1m candles of the last `CANDLE_LOOKBACK_MS` for its protective
 *      orders (a candle stored late still triggers; re-checking a minute fills nothing twice),
 *   2. marked at market memory's latest prices (a mark reaching a trigger fills it first; a
 *      stale or missing price refuses the mark, and the account waits for the next round),
 *   3. paid or charged the funding of the latest whole hour, once (`lastFundingHour`).
 * Each account is one unit of the `marking` worker (`WorkUnits`: a failure other than a refused
 * mark is retried with backoff, then a dead letter). The worker entry is `marking` in
 * `server/workers.ts`, on `CLASH_MARK_INTERVAL_SECONDS`; it holds a lease, so one process marks.
 */
import { HOUR_MS } from '../../adapters/market/market-memory.ts';
import { DomainError } from '../../core/errors.ts';
import type { UnitRef, WorkUnits } from '../../core/operations/work-units.ts';
import type { Purpose } from './events.ts';
import type { PropResult, PropTrading } from './handlers.ts';

/** The account purposes marked on a cadence: those live while a competition runs. */
export const MARKED_PURPOSES: readonly Purpose[] = ['audition', 'race'];
/** How far back each round re-reads final 1m candles (ms): a candle stored up to this late still triggers. */
export const CANDLE_LOOKBACK_MS = 15 * 60_000;
/** The most accounts one round marks. */
export const MAX_MARKED_ACCOUNTS = 10_000;
/** The actor recorded on what the worker appends. */
export const MARKING_ACTOR = 'worker:marking';
export const MARKING_WORKER = 'marking';

/** Prop Trading's read side as the worker needs it (implemented over `prop_accounts` by the wiring). */
export interface TradingAccounts {
  /** Ids of the active or frozen accounts of these purposes, in order, at most `limit`. */
  tradingAccountIds(purposes: readonly Purpose[], limit: number): string[];
}

/** What one round did: appended events by kind, and the accounts left for the next round with the refusal. */
export interface MarkingRound {
  readonly accounts: number;
  readonly marked: number;
  readonly triggered: number;
  readonly liquidated: number;
  readonly funded: number;
  readonly waiting: { readonly accountId: string; readonly reason: string }[];
  /** Units parked after a failure (retrying or dead). */
  readonly parked: number;
}

/** Refusals that mean "not now": the account waits for fresher prices or is no longer trading. */
const WAITING = new Set(['no_price', 'stale_price', 'account_not_trading']);

/** The rounds of the `marking` worker over Prop Trading's command handlers (see the module doc). */
export class MarkingWorker {
  constructor(
    private readonly prop: PropTrading,
    private readonly accounts: TradingAccounts,
    private readonly units: Pick<WorkUnits, 'run'>,
  ) {}

  /** One round at `now` (ms): every live account checked, marked and funded (see the module doc). */
  async tick(now: number): Promise<MarkingRound> {
    const counts = { marked: 0, triggered: 0, liquidated: 0, funded: 0, parked: 0 };
    const waiting: { accountId: string; reason: string }[] = [];
    const count = (result: PropResult) => {
      for (const e of result.events) {
        if (e.type === 'AccountMarked') counts.marked += 1;
        else if (e.type === 'OrderFilled' && e.data.trigger) counts.triggered += 1;
        else if (e.type === 'AccountLiquidated') counts.liquidated += 1;
        else if (e.type === 'FundingApplied') counts.funded += 1;
      }
    };
    const ids = this.accounts.tradingAccountIds(MARKED_PURPOSES, MAX_MARKED_ACCOUNTS);
    for (const accountId of ids) {
      const unit: UnitRef = { id: `mark:${accountId}`, orderingKey: null, position: null, description: `mark prop account ${accountId}` };
      const outcome = await this.units.run(MARKING_WORKER, unit, now, () => {
        try {
          this.markOne(accountId, now, count);
        } catch (error) {
          if (!(error instanceof DomainError && WAITING.has(error.code))) throw error;
          waiting.push({ accountId, reason: error.code });
        }
      });
      if (outcome === 'retrying' || outcome === 'dead') counts.parked += 1;
    }
    return { accounts: ids.length, ...counts, waiting };
  }

  private markOne(accountId: string, now: number, count: (result: PropResult) => void): void {
    if (Object.keys(this.prop.state(accountId).protective).length > 0) {
      count(this.prop.checkProtectiveOrders(accountId, { from: now - CANDLE_LOOKBACK_MS }, MARKING_ACTOR));
    }
    count(this.prop.markToMarket(accountId, MARKING_ACTOR));
    const state = this.prop.state(accountId);
    const hour = now - (now % HOUR_MS);
    const trading = state.status === 'active' || state.status === 'frozen';
    // Positions opened after the hour pay nothing for it: no funding command (nor its quotes at the hour) for them alone.
    const heldAtHour = Object.keys(state.positions).some((asset) => (state.heldSince[asset] ?? 0) <= hour);
    if (trading && heldAtHour && hour > state.lastFundingHour) {
      count(this.prop.applyFunding(accountId, { hour }, MARKING_ACTOR));
    }
  }
}
