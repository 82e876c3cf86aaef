/**
 * The folded state of a prop account and its valuation at a set of marks. Pure: everything
 * comes from the events and the marks handed in.
 */
import { maxBigint } from '../../core/money.ts';
import type { ProtectiveKind, Side, Valuation } from './events.ts';
import type { Rules } from './rules.ts';
import { valuationFrom } from './valuation.ts';

export type AccountStatus = 'new' | 'active' | 'frozen' | 'closed' | 'liquidated' | 'finalized';

export interface Position {
  /** Signed SIZE (1e-8): positive long, negative short. */
  readonly size: bigint;
  readonly entryPrice: bigint;
  readonly leverage: number;
  readonly assetMaxLeverage: number;
}

/** A take-profit or stop-loss resting on the account (`ProtectiveOrderPlaced`). */
export interface ProtectiveOrder {
  readonly id: string;
  readonly asset: string;
  readonly kind: ProtectiveKind;
  /** The side of the position it closes. */
  readonly side: Side;
  /** PRICE (1e-8). */
  readonly triggerPrice: bigint;
  readonly decisionRunId: string;
  /** When it was placed (ms): marks and candles before this never trigger it. */
  readonly placedAt: number;
}

export interface PropAccountState {
  readonly status: AccountStatus;
  readonly accountId: string;
  readonly rules: Rules | null;
  readonly startingEquity: bigint;
  /** starting equity + realized PnL − fees + funding. */
  readonly cash: bigint;
  readonly realizedPnl: bigint;
  readonly fees: bigint;
  readonly funding: bigint;
  readonly positions: Readonly<Record<string, Position>>;
  readonly utcDay: number;
  readonly startOfDayEquity: bigint;
  readonly maxDrawdown: bigint;
  readonly trades: number;
  /** The last funding hour applied (ms), or −1. */
  readonly lastFundingHour: number;
  /** The marks of the last valuation an event recorded (asset → PRICE): a mark at the same ones changes nothing. */
  readonly lastMarks: Marks;
  /** Resting protective orders by id. */
  readonly protective: Readonly<Record<string, ProtectiveOrder>>;
  /** asset → when its position was opened (ms, the fill that took it from flat): funding hours before it are not paid. */
  readonly heldSince: Readonly<Record<string, number>>;
}

export const initialPropAccountState: PropAccountState = {
  status: 'new',
  accountId: '',
  rules: null,
  startingEquity: 0n,
  cash: 0n,
  realizedPnl: 0n,
  fees: 0n,
  funding: 0n,
  positions: {},
  utcDay: 0,
  startOfDayEquity: 0n,
  maxDrawdown: 0n,
  trades: 0,
  lastFundingHour: -1,
  lastMarks: {},
  protective: {},
  heldSince: {},
};

/** The marks a recorded valuation was taken at. */
export function marksIn(valuation: { readonly positions: readonly { readonly asset: string; readonly markPrice: bigint }[] }): Marks {
  return Object.fromEntries(valuation.positions.map((p) => [p.asset, p.markPrice]));
}

/**
 * True when valuing the state at `marks` gives the valuation last recorded: positions and cash
 * change only through events that record a valuation, so equal marks for every held asset
 * mean an equal valuation.
 */
export function sameMarks(state: PropAccountState, marks: Marks): boolean {
  const held = Object.keys(state.positions);
  return held.length === Object.keys(state.lastMarks).length && held.every((asset) => state.lastMarks[asset] === marks[asset]);
}

/** Marks: asset → PRICE. Every open position must have one. */
export type Marks = Readonly<Record<string, bigint>>;

/** The account valued at `marks` with `positions` and `cash` (defaults: the state's). */
export function valuationOf(
  state: PropAccountState,
  marks: Marks,
  positions: Readonly<Record<string, Position>> = state.positions,
  cash: bigint = state.cash,
): Valuation {
  const holdings = Object.entries(positions).map(([asset, p]) => {
    const markPrice = marks[asset];
    if (markPrice === undefined) throw new Error(`no mark for ${asset}`);
    return { asset, size: p.size, entryPrice: p.entryPrice, markPrice, leverage: p.leverage, assetMaxLeverage: p.assetMaxLeverage };
  });
  return valuationFrom(cash, holdings, (equity) => maxBigint(0n, state.startingEquity - equity));
}
