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
import type { PropAccountEvent } from '../prop-trading/events.ts';
import type { RunOutcome } from './report.ts';

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

/** A stored payload as a decision run names it: artifact key, hex sha-256 and size in bytes. */
export interface PayloadRef {
  readonly key: string;
  readonly sha256: string;
  readonly size: number;
}

/** A completed decision run of the live account, as the `decisions-<propAccountId>` stream recorded it. */
export interface LiveRun {
  readonly runId: string;
  readonly asset: string;
  /** The due time (ms): the packet's decision time. */
  readonly dueAt: number;
  /** When the run completed (ms); its order (if any) was sent at or before it. */
  readonly completedAt: number;
  /** The live order's id in the account's stream (its fill or rejection), null without an order. */
  readonly orderId: string | null;
  /** sha-256 of the stored packet: the `recorded` engine's key. */
  readonly packetDigest: string;
  readonly packet: PayloadRef;
  readonly prompt: PayloadRef;
  readonly reply: PayloadRef;
  readonly outcome: RunOutcome;
}

/** The packet of a live run as stored: the parts a re-run reads (the whole packet is written to the run's artifacts). */
export interface StoredPacket {
  readonly promptNodeId: string;
  readonly symbol: string;
  readonly account: AccountSection | null;
}

/** What validation reads that the packet does not hold: the run's branch candidates and whether its asset is enabled there, at T. */
export interface RunFacts {
  readonly candidates: readonly string[];
  readonly assetEnabled: boolean;
  /** The confidence threshold in [0, 1] of the run's trading prompt (`confidenceThresholdOf`). */
  readonly confidenceThreshold: number;
}

/**
 * A live account's decision window (doc/backtesting.md, "Re-running a live window"), wired by
 * `server/live-window.ts`: its completed runs in the window, its own events (to value it at the
 * same samples), the runs' stored payloads and the facts validation needs.
 */
export interface LiveWindowSource {
  readonly propAccountId: string;
  /** The model tier of the live account's strategy version (what its runs asked the engine with). */
  readonly modelStrength: ModelStrength;
  /** The live account's events in stream order (`prop-account-<id>`), the opening first. */
  readonly accountEvents: readonly PropAccountEvent[];
  /** Its completed runs due in the window, in log order. */
  readonly runs: readonly LiveRun[];
  /**
   * The text of a stored payload checked against its sha-256; null when retention removed it.
   * Errors: `artifact_corrupt` when the bytes do not match.
   */
  text(ref: PayloadRef): Promise<string | null>;
  /** The candidates and enablement of `run`'s asset at its due time, as the live context source computed them. */
  facts(run: LiveRun, packet: StoredPacket): RunFacts;
}
