/**
 * DefiLlama (`DEFILLAMA_API_URL`, default `https://api.llama.fi`; stablecoins at
 * `DEFILLAMA_STABLECOINS_URL`, default `https://stablecoins.llama.fi`): macro context per scope —
 * TVL and flows, DEX volume, fees, revenue and open interest — stored as compact rows per scope,
 * metric and source time. Macro context, not money: values are floating point (USD).
 *
 * A feed is one (metric, scope) pair and one request (`feedRequest`):
 *
 * | metric | global (`all`) | chain | protocol | stablecoin |
 * |---|---|---|---|---|
 * | `tvl` (+ `flows`) | `/v2/historicalChainTvl` | `/v2/historicalChainTvl/{chain}` | `/protocol/{slug}` | `stablecoincharts/all[?stablecoin={id}]` (circulating USD) |
 * | `dex_volume` | `/overview/dexs` | `/overview/dexs/{chain}` | `/summary/dexs/{slug}` | — |
 * | `fees`, `revenue` | `/overview/fees?dataType=dailyFees\|dailyRevenue` | `/overview/fees/{chain}?…` | `/summary/fees/{slug}?…` | — |
 * | `open_interest` | `/overview/open-interest` | `/overview/open-interest/{chain}` | `/summary/open-interest/{slug}` | — |
 *
 * Shapes (only `/protocol/{slug}` is recorded, `shared/data/defillama/`; the others follow
 * DefiLlama's documented shapes, as its own frontend and clients read them): TVL series
 * `[{date, tvl}]`; the dimension endpoints (volume, fees, revenue, open interest)
 * `{totalDataChart: [[date, value], …]}`; stablecoin charts `[{date, totalCirculatingUSD: {peggedUSD, …}}]`
 * with `date` a string of digits. Dates are unix seconds.
 *
 * Known at: a TVL, supply or flow point is a snapshot, known at its date; a dimension point is
 * the total of the UTC day its date opens, known once that day has ended (`knownAfterMs`), so a
 * read as of T never sees a day still being counted (doc/market-data.md, "Reading as of a time").
 */
import { z } from 'zod';
import type { Db } from '../../../core/database.ts';
import { DAY_MS } from '../retention.ts';

export const LLAMA_SCOPE_KINDS = ['global', 'chain', 'protocol', 'stablecoin'] as const;
export type LlamaScopeKind = (typeof LLAMA_SCOPE_KINDS)[number];
/** The metrics a feed polls; `flows` comes with `tvl`. */
export const LLAMA_FEED_METRICS = ['tvl', 'dex_volume', 'fees', 'revenue', 'open_interest'] as const;
export type LlamaFeedMetric = (typeof LLAMA_FEED_METRICS)[number];
/** Every stored metric: the graph's DefiLlama channels (`commands/clones/graph/schema.ts`). */
export type LlamaMetric = LlamaFeedMetric | 'flows';

/** The scope id of a global feed (and of a graph block whose scope names no id). */
export const GLOBAL_SCOPE_ID = 'all';
/** The most points one answer may hold (a daily series since 2018 is ~3,000). */
const MAX_POINTS = 20_000;

/** One polled (metric, scope); `scopeId` is `all` for global scope and for the whole stablecoin supply. */
export interface LlamaFeed {
  readonly metric: LlamaFeedMetric;
  readonly scopeKind: LlamaScopeKind;
  readonly scopeId: string;
}

export interface LlamaPoint {
  readonly scopeKind: LlamaScopeKind;
  readonly scopeId: string;
  readonly metric: LlamaMetric;
  /** The source's time of the point, ms. */
  readonly time: number;
  readonly value: number;
}

const seconds = z.number().int().nonnegative().max(1e11);
export const zProtocolTvl = z.object({
  name: z.string().min(1).max(200),
  tvl: z.array(z.object({ date: seconds, totalLiquidityUSD: z.number().finite() })).max(MAX_POINTS),
});
export const zChainTvl = z.array(z.object({ date: seconds, tvl: z.number().finite() })).max(MAX_POINTS);
export const zDimension = z.object({ totalDataChart: z.array(z.tuple([seconds, z.number().finite()])).max(MAX_POINTS) });
export const zStablecoinChart = z
  .array(
    z.object({
      date: z.union([
        seconds,
        z
          .string()
          .regex(/^\d{1,11}$/)
          .transform(Number),
      ]),
      totalCirculatingUSD: z.record(z.string().max(40), z.number().finite()).refine((r) => Object.keys(r).length <= 20, 'at most 20 pegs'),
    }),
  )
  .max(MAX_POINTS);

/** Where the two DefiLlama hosts are. */
export interface LlamaUrls {
  readonly api: string;
  readonly stablecoins: string;
}

/** One feed's request: the URL, its schema and how an answer becomes points. */
export interface FeedRequest {
  readonly url: string;
  readonly schema: z.ZodType;
  readonly points: (data: unknown) => LlamaPoint[];
}

const DIMENSION_PATH = { dex_volume: 'dexs', fees: 'fees', revenue: 'fees', open_interest: 'open-interest' } as const;
const DATA_TYPE = { fees: 'dailyFees', revenue: 'dailyRevenue' } as const;

/**
 * The request of a feed; throws `RangeError` for a pair DefiLlama does not serve (a stablecoin
 * scope has supply only; `feedsOf` refuses those at configuration).
 */
export function feedRequest(feed: LlamaFeed, urls: LlamaUrls): FeedRequest {
  const id = encodeURIComponent(feed.scopeId);
  const scope = { scopeKind: feed.scopeKind, scopeId: feed.scopeId };
  if (feed.metric === 'tvl') {
    if (feed.scopeKind === 'protocol') {
      return {
        url: `${urls.api}/protocol/${id}`,
        schema: zProtocolTvl,
        points: (d) => protocolPoints(feed.scopeId, d as z.output<typeof zProtocolTvl>),
      };
    }
    if (feed.scopeKind === 'stablecoin') {
      const query = feed.scopeId === GLOBAL_SCOPE_ID ? '' : `?stablecoin=${id}`;
      return {
        url: `${urls.stablecoins}/stablecoincharts/all${query}`,
        schema: zStablecoinChart,
        points: (d) =>
          snapshotPoints(
            scope,
            (d as z.output<typeof zStablecoinChart>).map((p) => [p.date, Object.values(p.totalCirculatingUSD).reduce((s, v) => s + v, 0)]),
          ),
      };
    }
    const path = feed.scopeKind === 'global' ? '' : `/${id}`;
    return {
      url: `${urls.api}/v2/historicalChainTvl${path}`,
      schema: zChainTvl,
      points: (d) =>
        snapshotPoints(
          scope,
          (d as z.output<typeof zChainTvl>).map((p) => [p.date, p.tvl]),
        ),
    };
  }
  if (feed.scopeKind === 'stablecoin') throw new RangeError(`DefiLlama has no ${feed.metric} for a stablecoin scope`);
  const kind = DIMENSION_PATH[feed.metric];
  const base =
    feed.scopeKind === 'protocol'
      ? `${urls.api}/summary/${kind}/${id}`
      : `${urls.api}/overview/${kind}${feed.scopeKind === 'chain' ? `/${id}` : ''}`;
  const params = new URLSearchParams({ excludeTotalDataChartBreakdown: 'true' });
  if (feed.metric === 'fees' || feed.metric === 'revenue') params.set('dataType', DATA_TYPE[feed.metric]);
  const metric = feed.metric;
  return {
    url: `${base}?${params}`,
    schema: zDimension,
    points: (d) =>
      (d as z.output<typeof zDimension>).totalDataChart
        .map(([date, value]) => ({ ...scope, metric, time: date * 1000, value }))
        .sort((a, b) => a.time - b.time),
  };
}

/** A snapshot series (dates in unix seconds) as `tvl` points and `flows` (the change from the previous point). */
function snapshotPoints(scope: Pick<LlamaPoint, 'scopeKind' | 'scopeId'>, series: readonly (readonly [number, number])[]): LlamaPoint[] {
  const out: LlamaPoint[] = [];
  let prev: number | null = null;
  for (const [date, value] of [...series].sort((a, b) => a[0] - b[0])) {
    const time = date * 1000;
    out.push({ ...scope, metric: 'tvl', time, value });
    if (prev !== null) out.push({ ...scope, metric: 'flows', time, value: value - prev });
    prev = value;
  }
  return out;
}

/** TVL and flow points of a `/protocol/{slug}` answer (dates are unix seconds → ms). */
export function protocolPoints(slug: string, data: z.output<typeof zProtocolTvl>): LlamaPoint[] {
  return snapshotPoints(
    { scopeKind: 'protocol', scopeId: slug },
    data.tvl.map((p) => [p.date, p.totalLiquidityUSD]),
  );
}

/** How long after its date a point of `metric` is known (ms): a day for daily totals, 0 for snapshots. */
export function knownAfterMs(metric: string): number {
  return metric === 'tvl' || metric === 'flows' ? 0 : DAY_MS;
}

/**
 * Parses a feed list entry `metric:kind[:id]` (`dex_volume:global`, `fees:protocol:hyperliquid`,
 * `tvl:chain:Ethereum`, `tvl:stablecoin:1`); global and a bare stablecoin scope take id `all`.
 * Returns a problem message instead of a feed when the entry is not one DefiLlama serves.
 */
export function parseFeed(entry: string): LlamaFeed | string {
  const [metric = '', kind = '', ...rest] = entry.split(':');
  const scopeId = rest.join(':') || GLOBAL_SCOPE_ID;
  if (!(LLAMA_FEED_METRICS as readonly string[]).includes(metric)) return `${entry}: metric is one of ${LLAMA_FEED_METRICS.join(', ')}`;
  if (!(LLAMA_SCOPE_KINDS as readonly string[]).includes(kind)) return `${entry}: scope is one of ${LLAMA_SCOPE_KINDS.join(', ')}`;
  if (kind === 'global' && scopeId !== GLOBAL_SCOPE_ID) return `${entry}: a global scope names no id`;
  if ((kind === 'chain' || kind === 'protocol') && scopeId === GLOBAL_SCOPE_ID) return `${entry}: a ${kind} scope needs an id`;
  if (kind === 'stablecoin' && metric !== 'tvl') return `${entry}: a stablecoin scope has tvl (circulating supply) only`;
  if (!/^[A-Za-z0-9 ._-]{1,100}$/.test(scopeId)) return `${entry}: the id is 1–100 letters, digits, space, '.', '_' or '-'`;
  return { metric: metric as LlamaFeedMetric, scopeKind: kind as LlamaScopeKind, scopeId };
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS defillama_points (
  scope_kind TEXT NOT NULL, scope_id TEXT NOT NULL, metric TEXT NOT NULL, time INTEGER NOT NULL, value REAL NOT NULL,
  PRIMARY KEY (scope_kind, scope_id, metric, time)
) STRICT;
`;

/** Creates the points table when missing (readers of an empty database). */
export function ensureLlamaTable(db: Db): void {
  db.exec(SCHEMA);
}

/** Upserts points (the last point of a day moves while the day lasts); returns rows written or changed. */
export function storeLlamaPoints(db: Db, points: readonly LlamaPoint[]): number {
  db.exec(SCHEMA);
  const put = db.prepare(
    `INSERT INTO defillama_points VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (scope_kind, scope_id, metric, time) DO UPDATE SET value = excluded.value WHERE value IS NOT excluded.value`,
  );
  let rows = 0;
  db.transaction(() => {
    for (const p of points) rows += put.run(p.scopeKind, p.scopeId, p.metric, p.time, p.value).changes;
  })();
  return rows;
}
