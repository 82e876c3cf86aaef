/**
 * The backtest's own prop account (purpose `backtest`), folded in memory by Prop Trading's pure
 * decider (`propAccountDecider`): the same fill math, fees, slippage, Hyperliquid size rounding,
 * gates, hourly funding, marks and liquidation as a live account, with time and quotes from
 * the simulated clock (`001_…` ownership split: backtests reuse the fill math, never write to
 * live accounts). Its events are not appended to the log; the replay summarises them.
 */
import type { CandleBar } from '../../adapters/market/price-source.ts';
import { DomainError } from '../../core/errors.ts';
import { type ActionFacts, actionCommand } from '../prop-trading/action-command.ts';
import type { PropAccountCommand, Quotes } from '../prop-trading/commands.ts';
import { propAccountDecider, propAccountStream } from '../prop-trading/decider.ts';
import type { PropAccountEvent, Valuation } from '../prop-trading/events.ts';
import type { ActionInput } from '../prop-trading/inputs.ts';
import type { Rules } from '../prop-trading/rules.ts';
import { type PropAccountState, valuationOf } from '../prop-trading/state.ts';

export class SimAccount {
  private current: PropAccountState = propAccountDecider.initialState();
  private version = 0;
  /** The time (ms) of the last command that recorded events. */
  updatedAt = 0;
  private streamId = '';

  constructor(private readonly observe: (event: PropAccountEvent) => void) {}

  get state(): PropAccountState {
    return this.current;
  }

  open(input: { accountId: string; cloneId: string; strategyVersionId: string; startingEquityMicroUsd: bigint; rules: Rules; at: number }) {
    this.streamId = propAccountStream(input.accountId);
    this.apply({ type: 'OpenPropAccount', purpose: 'backtest', ...input });
  }

  /**
   * Folds events another account recorded (a live account's, `live-window.ts`) as if this
   * account had recorded them at `at` (ms): its state follows theirs. Used to value a live
   * account from its own events and to start a re-run from the live account's state.
   */
  follow(events: readonly PropAccountEvent[], at: number): void {
    if (this.streamId === '' && events[0]?.type === 'PropAccountOpened') this.streamId = propAccountStream(events[0].data.accountId);
    this.record(events, at);
  }

  /**
   * Submits one action input (`orderInputOf`), validated and built by Prop Trading's
   * `actionCommand` exactly as a live order is (ids deterministic from the run id); the fill or
   * the rejection. Errors: `ValidationError` (400) when the input breaks `zActionInput`.
   */
  submitAction(input: ActionInput, facts: ActionFacts): readonly PropAccountEvent[] {
    return this.apply(actionCommand(input, facts).command);
  }

  /**
   * Marks at `quotes` (may liquidate). A refusal for a missing or stale price (a gap in market
   * memory) records nothing, as it would live; returns whether the mark was taken.
   */
  mark(quotes: Quotes, at: number): boolean {
    return this.tolerant(() => this.apply({ type: 'MarkToMarket', quotes, at }));
  }

  /** Checks resting protective orders against final 1m candles, then values at `quotes`; a price gap skips it. */
  checkProtective(candles: readonly CandleBar[], quotes: Quotes, at: number): boolean {
    return this.tolerant(() => this.apply({ type: 'CheckProtectiveOrders', candles, quotes, at }));
  }

  /** Applies the funding of `hour` (ms) at its rates; a price gap skips it, as a refused command would live. */
  fund(hour: number, rates: Readonly<Record<string, bigint>>, quotes: Quotes): boolean {
    return this.tolerant(() => this.apply({ type: 'ApplyFunding', hour, rates, quotes, at: hour }));
  }

  /** Closes every position at its mark and records the result (the account's end, `PropAccountFinalized`). */
  finalize(quotes: Quotes, at: number): void {
    this.apply({ type: 'FinalizeAccount', quotes, at });
  }

  /** The account valued at `marks` (PRICE per held asset), as Prop Trading values it. */
  valuation(marks: Readonly<Record<string, bigint>>): Valuation {
    return valuationOf(this.current, marks);
  }

  /** Equity and open notional (micro-USD) at `marks`. */
  figures(marks: Readonly<Record<string, bigint>>): { equityMicroUsd: bigint; exposureMicroUsd: bigint } {
    const v = this.valuation(marks);
    return { equityMicroUsd: v.equityMicroUsd, exposureMicroUsd: v.positions.reduce((s, p) => s + p.notionalMicroUsd, 0n) };
  }

  private tolerant(fn: () => void): boolean {
    try {
      fn();
      return true;
    } catch (error) {
      if (error instanceof DomainError && (error.code === 'no_price' || error.code === 'stale_price')) return false;
      throw error;
    }
  }

  private apply(command: PropAccountCommand): readonly PropAccountEvent[] {
    const events = propAccountDecider.decide(command, this.current);
    this.record(events, command.at);
    return events;
  }

  private record(events: readonly PropAccountEvent[], at: number): void {
    if (events.length > 0) this.updatedAt = at;
    for (const event of events) {
      this.version += 1;
      // The envelope a stored event would carry; the decider's evolve reads only type and data.
      const envelope = {
        position: this.version,
        streamId: this.streamId,
        streamVersion: this.version,
        eventId: `${this.streamId}:${this.version}`,
        schemaVersion: 1,
        metadata: { actor: 'backtest' },
        recordedAt: at,
      };
      this.current = propAccountDecider.evolve(this.current, { ...event, ...envelope });
      this.observe(event);
    }
  }
}
