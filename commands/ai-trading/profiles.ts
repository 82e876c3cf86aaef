/**
 * The built-in retrieval profiles `fast`, `balanced` and `deep` as data (seed `002_…` §B:
 * "profile: fast, balanced, or deep"; "Max datapoints and prompt budget are derived or
 * internally managed from those settings"). A data stream's `profileDefinitions` edits a
 * profile's lookback and granularity; its channels and datapoint cap stay the built-in ones.
 */
export type ProfileName = 'fast' | 'balanced' | 'deep';
export type Lookback = '1h' | '6h' | '24h' | '7d';
export type Granularity = '1m' | '1h';
export type HyperliquidChannel = 'ohlcv' | 'funding_rates' | 'rsi' | 'bollinger_bands' | 'moving_averages' | 'macd';

export interface ProfileDefinition {
  readonly lookback: Lookback;
  readonly granularity: Granularity;
  /** The Hyperliquid channels read for the traded symbol itself, in prompt order. */
  readonly channels: readonly HyperliquidChannel[];
  /** The most rows one channel contributes to a packet. */
  readonly maxDatapointsPerChannel: number;
}

export const BUILT_IN_PROFILES: Readonly<Record<ProfileName, ProfileDefinition>> = {
  fast: { lookback: '1h', granularity: '1m', channels: ['ohlcv', 'rsi'], maxDatapointsPerChannel: 60 },
  balanced: {
    lookback: '24h',
    granularity: '1h',
    channels: ['ohlcv', 'funding_rates', 'rsi', 'moving_averages', 'macd'],
    maxDatapointsPerChannel: 24,
  },
  deep: {
    lookback: '7d',
    granularity: '1h',
    channels: ['ohlcv', 'funding_rates', 'rsi', 'bollinger_bands', 'moving_averages', 'macd'],
    maxDatapointsPerChannel: 168,
  },
};

export const LOOKBACK_MS: Readonly<Record<Lookback, number>> = { '1h': 3_600_000, '6h': 21_600_000, '24h': 86_400_000, '7d': 604_800_000 };
export const GRANULARITY_MS: Readonly<Record<Granularity, number>> = { '1m': 60_000, '1h': 3_600_000 };

/** 1-minute rows are kept 24 hours (seed `002_…` "Retention And Granularity"); older minutes do not exist. */
export const MINUTE_ROWS_KEPT_MS = LOOKBACK_MS['24h'];

/** Rows a read of `lookback` at `granularity` yields, capped at `cap`: lookback / granularity, at most cap. */
export function datapointsOf(lookback: Lookback, granularity: Granularity, cap: number): number {
  return Math.min(cap, Math.floor(LOOKBACK_MS[lookback] / GRANULARITY_MS[granularity]));
}
