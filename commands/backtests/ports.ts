/**
 * What a replay needs from outside the backtests module, as ports it owns (wired by
 * `server/backtests.ts`): market memory as of a time T for prices, funding and the registry;
 * the decision-context compiler as of T; and the artifact store (`adapters/artifacts/store.ts`) for the run's payloads.
 * Every read takes T and must return only what was known at or before it (lookahead-free).
 */
import type { AssetRegistry, CandleSource, FundingSource, PriceSource } from '../../adapters/market/price-source.ts';
import type { IndicatorSnapshot } from '../../adapters/models/engine.ts';
import type { AccountSection } from '../ai-trading/ports.ts';
import type { ModelStrength } from '../entitlements/tiers.ts';

/** Prices (latest at or before T, PRICE 1e-8), hourly funding (RATE 1e-12), the registry and final 1m candles (protective orders), from market memory. */
export interface ReplayMarket extends PriceSource, FundingSource, AssetRegistry, CandleSource {}

/** The decision context of one asset at T, compiled from market memory as of T and the backtest's account. */
export interface ReplayDecisionContext {
  /** The packet (JSON); `digest` is its sha-256 (the `recorded` engine's key). */
  readonly packet: { readonly digest: string };
  readonly promptTemplateVersion: string;
  readonly system: string;
  readonly prompt: string;
  readonly modelStrength: ModelStrength;
  /** Last 1m close at or before T, decimal USD; null when market memory has none. */
  readonly lastPrice: string | null;
  readonly indicators: IndicatorSnapshot | null;
  /** The strategy's confidence threshold in [0, 1]. */
  readonly confidenceThreshold: number;
}

/** Compiles contexts: throws `ClashError` (`asset_not_in_strategy`, 404) when the strategy does not trade the asset. */
export interface ReplayContextSource {
  compile(asset: string, at: number, account: AccountSection): ReplayDecisionContext;
}
