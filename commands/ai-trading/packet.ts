/**
 * The effective context packet of one (strategy branch, asset, decision time T) (seed `002_…`
 * §E; `000_…` §4): who and what decides, the asset's read plan, the market rows of that plan
 * read through `MarketAsOf` at T — nothing after T can be reached — the prop account's state,
 * the prompt's sections with their token estimate, and a content digest (SHA-256 of the
 * canonical JSON of everything else). Pure and deterministic: the same inputs give the same
 * bytes and the same digest.
 */
import { canonicalJson, sha256Hex } from '../../core/canonical-json.ts';
import type { AccountAsOf, AccountSection, IndicatorPoint, MarketAsOf } from './ports.ts';
import { GRANULARITY_MS, LOOKBACK_MS } from './profiles.ts';
import type { AssetReadPlan, ReadEntry } from './read-plan.ts';

export const PACKET_VERSION = 1;

export type Cell = string | number | null;

/** One table of rows read for one plan entry (or the asset's latest context). */
export interface PacketSection {
  readonly id: string;
  readonly source: 'hyperliquid' | 'defillama' | 'polymarket';
  readonly contextSymbol: string;
  readonly includeInPrompt: boolean;
  readonly columns: readonly string[];
  readonly rows: readonly (readonly Cell[])[];
}

export interface PacketSubject {
  readonly cloneId: string;
  /** The published version's id, or `draft` for a preview of the draft. */
  readonly strategyVersionId: string;
  /** SHA-256 of the canonical JSON of the compiled graph. */
  readonly graphDigest: string;
  readonly promptNodeId: string;
}

/** The packet before the prompt is rendered from it. */
export interface PacketData extends PacketSubject {
  readonly packetVersion: number;
  readonly symbol: string;
  readonly decisionTime: string;
  readonly plan: AssetReadPlan;
  readonly sections: readonly PacketSection[];
  readonly account: AccountSection | null;
}

export interface ContextPacket extends PacketData {
  readonly prompt: {
    readonly templateVersion: string;
    readonly estimatedTokens: number;
    readonly sections: readonly { readonly name: string; readonly estimatedTokens: number; readonly trimmedRows: number }[];
  };
  readonly digest: string;
}

const INDICATOR_COLUMNS: Readonly<Record<string, readonly (keyof IndicatorPoint)[]>> = {
  rsi: ['rsi14'],
  moving_averages: ['sma20', 'ema20'],
  bollinger_bands: ['bbLower', 'sma20', 'bbUpper'],
  macd: ['macd', 'macdSignal', 'macdHistogram'],
};
const HOUR_MS = GRANULARITY_MS['1h'];
const LAST_MINUTE_OF_HOUR = HOUR_MS - GRANULARITY_MS['1m'];

const last = <T>(rows: readonly T[], n: number): T[] => rows.slice(Math.max(0, rows.length - n));

/** Reads every plan entry at `at` (ms) and the account; the rows of each entry are its newest `maxDatapoints`. */
export function readPacketData(
  subject: PacketSubject,
  plan: AssetReadPlan,
  at: number,
  market: MarketAsOf,
  accounts: AccountAsOf,
): PacketData {
  const sections = plan.reads.map((r) => sectionOf(r, at, market));
  const context = market.context(plan.symbol, at);
  if (context) {
    sections.push({
      id: `hyperliquid.context.${plan.symbol}`,
      source: 'hyperliquid',
      contextSymbol: plan.symbol,
      includeInPrompt: true,
      columns: ['time', 'markPx', 'openInterest', 'dayNotionalVolumeUsd', 'fundingRatePerHour'],
      rows: [[context.time, context.markPx, context.openInterest, context.dayNotionalVolumeUsd, context.fundingRatePerHour]],
    });
  }
  return {
    packetVersion: PACKET_VERSION,
    ...subject,
    symbol: plan.symbol,
    decisionTime: new Date(at).toISOString(),
    plan,
    sections,
    account: accounts.account(subject.cloneId, at),
  };
}

function sectionOf(r: ReadEntry, at: number, market: MarketAsOf): PacketSection {
  const base = { id: r.id, source: r.source, contextSymbol: r.contextSymbol, includeInPrompt: r.includeInPrompt };
  if (r.source === 'polymarket') {
    const [, kind, ...slug] = r.contextSymbol.split(':');
    const rows = market.polymarket(kind === 'market' ? 'market' : 'event', slug.join(':'), at).map((m) => [m.slug, m.question, m.endTime]);
    return { ...base, columns: ['slug', 'question', 'endTime'], rows: last(rows, r.maxDatapoints) };
  }
  const from = at - LOOKBACK_MS[r.lookback];
  if (r.source === 'defillama') {
    const [, kind = '', id = ''] = r.contextSymbol.split(':');
    const rows = market.llama(kind, id, r.channel, from, at).map((p) => [p.time, p.value]);
    return { ...base, columns: ['time', r.channel], rows: last(rows, r.maxDatapoints) };
  }
  const symbol = r.contextSymbol;
  if (r.channel === 'ohlcv') {
    const rows = market
      .candles(symbol, GRANULARITY_MS[r.granularity], from, at)
      .map((c) => [c.openTime, c.open, c.high, c.low, c.close, c.volume]);
    return { ...base, columns: ['openTime', 'open', 'high', 'low', 'close', 'volume'], rows: last(rows, r.maxDatapoints) };
  }
  if (r.channel === 'funding_rates') {
    const rows = market.funding(symbol, from, at).map((f) => [f.time, f.ratePerHour]);
    return { ...base, columns: ['time', 'ratePerHour'], rows: last(rows, r.maxDatapoints) };
  }
  const columns = INDICATOR_COLUMNS[r.channel] ?? [];
  // At 1h granularity an hour's value is the indicator of its last minute.
  const points = market
    .indicators(symbol, from, at)
    .filter((p) => r.granularity === '1m' || Date.parse(p.openTime) % HOUR_MS === LAST_MINUTE_OF_HOUR);
  const rows = points.map((p) => [p.openTime, ...columns.map((c) => p[c] as number | null)]);
  return { ...base, columns: ['openTime', ...columns], rows: last(rows, r.maxDatapoints) };
}

/** The digest of a packet: SHA-256 hex of the canonical JSON of every field but `digest`. */
export function packetDigest(packet: Omit<ContextPacket, 'digest'>): string {
  return sha256Hex(canonicalJson(packet));
}
