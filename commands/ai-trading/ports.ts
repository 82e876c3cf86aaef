/**
 * What the AI trading module reads, as ports it owns (implemented over market memory and the
 * prop-trading read model by `server/ai-trading.ts`). Every method takes the decision time
 * `at` (ms) and must return only what was known at or before it: the packet builder has no
 * other way to reach market memory, so a packet is lookahead-free by construction.
 * Prices and sizes are decimal strings (USD, base units), times ISO 8601 UTC.
 */
import type { AssetFacts } from './candidates.ts';

export interface CandleRow {
  readonly openTime: string;
  readonly open: string;
  readonly high: string;
  readonly low: string;
  readonly close: string;
  readonly volume: string;
}

/** Indicator values of one 1m candle (floats: indicators are not ledger money). */
export interface IndicatorPoint {
  readonly openTime: string;
  readonly rsi14: number | null;
  readonly sma20: number | null;
  readonly ema20: number | null;
  readonly bbUpper: number | null;
  readonly bbLower: number | null;
  readonly macd: number | null;
  readonly macdSignal: number | null;
  readonly macdHistogram: number | null;
}

export interface FundingPoint {
  readonly time: string;
  readonly ratePerHour: string;
}

export interface ContextPoint {
  readonly time: string;
  readonly markPx: string;
  readonly openInterest: string | null;
  readonly dayNotionalVolumeUsd: string | null;
  readonly fundingRatePerHour: string;
}

export interface LlamaPoint {
  readonly time: string;
  readonly value: number;
}

export interface PolymarketMarket {
  readonly slug: string;
  readonly question: string;
  readonly endTime: string;
}

export interface MarketAsOf {
  /** Candles of `granularityMs` opened at or after `from` and closed at or before `at`, oldest first. */
  candles(symbol: string, granularityMs: number, from: number, at: number): readonly CandleRow[];
  /** 1m indicator rows of candles opened at or after `from` and closed at or before `at`, oldest first. */
  indicators(symbol: string, from: number, at: number): readonly IndicatorPoint[];
  /** Hourly funding rates recorded at or after `from` and at or before `at`, oldest first. */
  funding(symbol: string, from: number, at: number): readonly FundingPoint[];
  /** The newest asset context taken at or before `at`, null without one. */
  context(symbol: string, at: number): ContextPoint | null;
  /** DefiLlama points of a scope and metric dated at or after `from` and at or before `at`, oldest first. */
  llama(scopeKind: string, scopeId: string, metric: string, from: number, at: number): readonly LlamaPoint[];
  /** A Polymarket market by slug, or the immediate and later open markets of an event, as observed by `at`. */
  polymarket(kind: 'market' | 'event', slug: string, at: number): readonly PolymarketMarket[];
  /** The prefilter facts of a symbol at `at` (candidate policy). */
  facts(symbol: string, at: number): AssetFacts;
}

export interface PositionView {
  readonly asset: string;
  readonly side: 'long' | 'short';
  readonly size: string;
  readonly entryPrice: string;
  readonly liquidationPrice: string | null;
  readonly unrealizedPnlMicroUsd: string;
}

/** One fill of the account, newest last; `side` `buy` or `sell`, size and price decimal strings. */
export interface FillView {
  readonly time: string;
  readonly asset: string;
  readonly side: string;
  readonly size: string;
  readonly price: string;
}

/** The account's books (micro-USD integer strings): where its equity came from. */
export interface LedgerSummary {
  readonly startingEquityMicroUsd: string;
  readonly cashMicroUsd: string;
  readonly realizedPnlMicroUsd: string;
  readonly feesMicroUsd: string;
  readonly fundingMicroUsd: string;
  readonly marginUsedMicroUsd: string;
  readonly trades: number;
}

/**
 * The prop account a decision would act on, as of `at`; null when the clone has none yet.
 * Money in micro-USD (integer strings), drawdown in ppm of the starting equity.
 */
export interface AccountSection {
  readonly propAccountId: string;
  /** The account's status (`active`, `frozen`, …). */
  readonly status: string;
  /** The time of the account's last event this section reflects, ISO 8601 UTC (at or before `at`). */
  readonly updatedAt: string;
  readonly equityMicroUsd: string;
  readonly drawdownPpm: number;
  readonly positions: readonly PositionView[];
  /** Orders resting on the account: its protective take-profit and stop-loss orders placed at or before `at` (market orders fill at once). */
  readonly openOrders: number;
  /** The newest fills at or before `at`, oldest first. */
  readonly recentFills: readonly FillView[];
  readonly ledger: LedgerSummary;
  /**
   * Each gate's remaining headroom, micro-USD: `dailyLoss`, `drawdown` (loss left before the
   * gate refuses opening), `freeMargin`, `positionNotional` (a new position's cap) and
   * `positionNotional.<ASSET>` (what a held position may still add).
   */
  readonly headroomMicroUsd: Readonly<Record<string, string>>;
}

export interface AccountAsOf {
  account(cloneId: string, at: number): AccountSection | null;
}
