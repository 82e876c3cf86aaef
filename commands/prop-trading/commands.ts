/**
 * The commands of a prop account as the decider receives them: everything it needs, time and
 * prices included, is inside. Handlers build these from validated input, the clock, the id
 * source and market memory.
 */
import type { AssetInfo, CandleBar } from '../../adapters/market/price-source.ts';
import type { ActionKind, Purpose, Side } from './events.ts';
import type { Rules } from './rules.ts';

export interface Quote {
  /** PRICE (1e-8). */
  readonly price: bigint;
  /** When the price was known, ms since the epoch. */
  readonly time: number;
}

/** asset → its latest quote; a command carries one for every asset it values. */
export type Quotes = Readonly<Record<string, Quote>>;

/**
 * An exit plan as the decider receives it (issue 13, "Exit plans are enforced"): trigger prices
 * in PRICE (1e-8) before rounding to a Hyperliquid tick, at least one of them; the invalidation
 * note is only recorded.
 */
export interface ExitPlan {
  readonly takeProfitPrice: bigint | null;
  readonly stopLossPrice: bigint | null;
  readonly invalidation: string | null;
}

export type PropAccountCommand =
  | {
      readonly type: 'OpenPropAccount';
      readonly accountId: string;
      readonly cloneId: string;
      readonly strategyVersionId: string;
      readonly purpose: Purpose;
      readonly startingEquityMicroUsd: bigint;
      readonly rules: Rules;
      readonly at: number;
    }
  | {
      readonly type: 'SubmitAction';
      readonly orderId: string;
      readonly decisionRunId: string;
      readonly asset: string;
      /** The registry's entry for the asset, null when it is unknown. */
      readonly assetInfo: AssetInfo | null;
      readonly action: ActionKind;
      /** The side of the position opened, increased, reduced or closed. */
      readonly side: Side;
      /** Exactly one of size (SIZE) and notional (micro-USD) for open/increase/reduce; neither for close. */
      readonly size: bigint | null;
      readonly notionalMicroUsd: bigint | null;
      /** Required to open or increase. */
      readonly leverage: number | null;
      readonly reduceOnly: boolean;
      /** Only on open or increase: placed as protective orders once the action fills, replacing the asset's earlier ones. */
      readonly exitPlan?: ExitPlan;
      readonly quotes: Quotes;
      readonly at: number;
    }
  /** Marks the account; a mark crossing a protective order's trigger fills it first. */
  | { readonly type: 'MarkToMarket'; readonly quotes: Quotes; readonly at: number }
  | {
      /**
       * Checks resting protective orders against final 1m candles (any order of assets and
       * times; candles opened before an order was placed never trigger it), then values the
       * account at `quotes`, which cover every held asset.
       */
      readonly type: 'CheckProtectiveOrders';
      readonly candles: readonly CandleBar[];
      readonly quotes: Quotes;
      readonly at: number;
    }
  | {
      readonly type: 'ApplyFunding';
      /** The funding hour (ms, a multiple of an hour); quotes are taken at it. */
      readonly hour: number;
      /** asset → hourly rate (RATE, 1e-12) for the assets the account holds. */
      readonly rates: Readonly<Record<string, bigint>>;
      readonly quotes: Quotes;
      readonly at: number;
    }
  | { readonly type: 'FreezeAccount'; readonly reason: string; readonly at: number }
  | { readonly type: 'UnfreezeAccount'; readonly reason: string; readonly at: number }
  | { readonly type: 'CloseAccount'; readonly reason: string; readonly quotes: Quotes; readonly at: number }
  | { readonly type: 'FinalizeAccount'; readonly quotes: Quotes; readonly at: number };

export type SubmitAction = Extract<PropAccountCommand, { type: 'SubmitAction' }>;
