/**
 * Hyperliquid ingestion: the registry and asset contexts by REST poll, predicted fundings by
 * REST poll, 1m candles and mids over the WebSocket, with REST backfill of missed minutes.
 * Which coins: every enabled (not delisted) asset of the registry, narrowed to `assets` when
 * configured; the WebSocket is resubscribed when a registry refresh changes that set.
 * Health channels: `hyperliquid/registry`, `contexts`, `predictedFunding`, `candles`, `mids`,
 * `ws` (the connection itself).
 */
import type { Db } from '../../../core/database.ts';
import type { DerivedSeries } from '../derived/derived-series.ts';
import { MINUTE_MS } from '../derived/derived-series.ts';
import { CANDLE_PAGE, type HyperliquidInfo } from '../hyperliquid/info-client.ts';
import { HyperliquidWsFeed, type WsMessage } from '../hyperliquid/ws-feed.ts';
import { candleRows, fundingRows, midRows } from '../importers/hyperliquid.ts';
import type { LiveRows } from '../live-rows.ts';
import type { Candle, MarketMemory, MarketRows } from '../market-memory.ts';
import { InvalidPayload } from '../sources/http-json.ts';
import { CandleFeed } from './candle-feed.ts';
import type { IngestionHealth } from './health.ts';
import { type Poller, startPoller } from './poller.ts';

export const SOURCE = 'hyperliquid';

export interface HyperliquidIngestionOptions {
  readonly wsUrl: string;
  /** Restricts the coins to these (empty: every enabled asset of the registry). */
  readonly assets: readonly string[];
  readonly contextsEveryMs: number;
  readonly predictedFundingEveryMs: number;
  /** Mids from `allMids` are stored at most once per this many ms per asset. */
  readonly midsEveryMs: number;
  readonly heartbeatMs: number;
  /** WebSocket reconnect backoff: first delay and cap (ms), before jitter. */
  readonly baseBackoffMs: number;
  readonly maxBackoffMs: number;
  readonly maxBackfillMs: number;
  /** A channel is stale when its newest row is older than this (ms). */
  readonly staleAfterMs: number;
}

export interface IngestionLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/** Fetches the 1m candles of `coin` opened in [from, to) by `candleSnapshot` pages. */
export async function fetchCandles(info: HyperliquidInfo, coin: string, from: number, to: number): Promise<Candle[]> {
  const out: Candle[] = [];
  for (let start = from; start < to; ) {
    const page = candleRows(await info.candleSnapshot(coin, '1m', start, to - 1)).candles.filter(
      (c) => c.openTime >= start && c.openTime < to,
    );
    out.push(...page);
    if (page.length === 0) break;
    const last = page[page.length - 1] as Candle;
    start = last.openTime + MINUTE_MS;
    if (page.length < CANDLE_PAGE) break;
  }
  return out;
}

/**
 * The funding points of `coin` in [from, to] (ms) by `fundingHistory` pages (the exchange
 * answers at most 500 per request), each page as market rows; stops at the first empty page.
 */
export async function* fundingPages(info: HyperliquidInfo, coin: string, from: number, to: number): AsyncGenerator<MarketRows> {
  for (let start = from; start <= to; ) {
    const page = fundingRows(await info.fundingHistory(coin, start, to));
    const inRange = page.funding.filter((f) => f.time >= start && f.time <= to);
    if (inRange.length === 0) return;
    yield { ...page, funding: inRange };
    start = Math.max(...inRange.map((f) => f.time)) + 1;
  }
}

export class HyperliquidIngestion {
  private feed: HyperliquidWsFeed | null = null;
  private coins: string[] = [];
  private readonly candles: CandleFeed;
  private readonly lastMid = new Map<string, number>();
  private pollers: Poller[] = [];

  constructor(
    private readonly deps: {
      readonly db: Db;
      readonly memory: MarketMemory;
      readonly live: LiveRows;
      readonly derived: DerivedSeries;
      readonly info: HyperliquidInfo;
      readonly health: IngestionHealth;
      readonly log: IngestionLog;
      readonly now: () => number;
    },
    private readonly options: HyperliquidIngestionOptions,
  ) {
    const { health } = deps;
    this.candles = new CandleFeed(deps.memory, deps.derived, (asset, from, to) => this.backfill(asset, from, to), {
      maxBackfillMs: options.maxBackfillMs,
      onStored: (asset, rows, newest) => health.success(SOURCE, 'candles', rows, newest, asset),
      onError: (asset, err) => {
        health.failure(SOURCE, 'candles', err);
        deps.log.warn({ err, asset }, 'candle update failed');
      },
    });
    for (const channel of ['registry', 'contexts', 'predictedFunding', 'mids', 'ws'] as const) {
      health.declare(
        SOURCE,
        channel,
        channel === 'registry' || channel === 'contexts' || channel === 'predictedFunding'
          ? 3 * options.contextsEveryMs
          : options.staleAfterMs,
      );
    }
    health.declare(SOURCE, 'candles', options.staleAfterMs, 0);
  }

  private async backfill(asset: string, from: number, to: number): Promise<Candle[]> {
    try {
      const rows = await fetchCandles(this.deps.info, asset, from, to);
      this.deps.log.info(
        { asset, from: new Date(from).toISOString(), to: new Date(to).toISOString(), rows: rows.length },
        'candles backfilled',
      );
      return rows;
    } catch (err) {
      this.counted('candles', err);
      return [];
    }
  }

  private counted(channel: string, err: unknown): void {
    if (err instanceof InvalidPayload) this.deps.health.invalid(SOURCE, channel, err.problem);
    else this.deps.health.failure(SOURCE, channel, err);
  }

  /** Starts the pollers (the first registry refresh starts the WebSocket). */
  start(): void {
    const { health, log } = this.deps;
    const onError = (channel: string) => (err: unknown, failures: number) => {
      this.counted(channel, err);
      if (channel === 'contexts') this.counted('registry', err);
      log.warn(
        { err: err instanceof Error ? err.message : String(err), source: SOURCE, channel, failures },
        'poll failed; retrying with backoff',
      );
    };
    this.pollers.push(
      startPoller({ everyMs: this.options.contextsEveryMs, run: () => this.refreshRegistry(), onError: onError('contexts') }),
      startPoller({
        everyMs: this.options.predictedFundingEveryMs,
        run: async () => {
          const at = this.deps.now();
          const rows = this.deps.live.writePredictedFundings(await this.deps.info.predictedFundings(), at);
          health.success(SOURCE, 'predictedFunding', rows, at);
        },
        onError: onError('predictedFunding'),
      }),
    );
  }

  /** Polls `metaAndAssetCtxs` once: registry, contexts, mids, funding; resubscribes when the coin set changed. */
  async refreshRegistry(): Promise<void> {
    const at = this.deps.now();
    const data = await this.deps.info.metaAndAssetCtxs();
    const written = this.deps.live.writeMetaAndContexts(data, at);
    this.deps.health.success(SOURCE, 'registry', written.assets, at);
    this.deps.health.success(SOURCE, 'contexts', written.contexts, at);
    const wanted = new Set(this.options.assets);
    const coins = data[0].universe
      .filter((u) => u.isDelisted !== true && (wanted.size === 0 || wanted.has(u.name)))
      .map((u) => u.name)
      .sort();
    if (coins.join(',') !== this.coins.join(',')) await this.subscribe(coins);
  }

  /** The coins whose candles and mids are kept (set by each registry refresh; the benchmark sets it directly). */
  useCoins(coins: readonly string[]): void {
    this.coins = [...coins];
    this.deps.health.declare(SOURCE, 'candles', this.options.staleAfterMs, coins.length);
  }

  /**
   * One validated WebSocket message received at `receivedAt` (ms): a 1m candle goes to the
   * candle feed (the promise resolves when it is stored), mids are stored at their cadence, an
   * invalid message is counted against its channel and logged.
   */
  accept(message: WsMessage, receivedAt: number): Promise<void> {
    const { health, log } = this.deps;
    if (message.kind === 'candle') {
      const [candle] = message.candle.i === '1m' ? candleRows([message.candle]).candles : [];
      if (candle) return this.candles.push(candle);
    } else if (message.kind === 'mids') {
      this.storeMids(message.mids, receivedAt);
    } else if (message.kind === 'invalid') {
      const channel = message.channel === 'allMids' ? 'mids' : message.channel === 'candle' ? 'candles' : 'ws';
      health.invalid(SOURCE, channel, message.problem);
      log.warn({ source: SOURCE, channel: message.channel, problem: message.problem }, 'invalid payload counted, not stored');
    } else if (message.kind === 'error') {
      health.failure(SOURCE, 'ws', new Error(message.message));
    }
    return Promise.resolve();
  }

  private async subscribe(coins: string[]): Promise<void> {
    const { health, log } = this.deps;
    await this.feed?.stop();
    this.useCoins(coins);
    log.info({ coins: coins.length }, 'hyperliquid websocket subscribing');
    this.feed = new HyperliquidWsFeed(
      {
        url: this.options.wsUrl,
        coins,
        heartbeatMs: this.options.heartbeatMs,
        baseBackoffMs: this.options.baseBackoffMs,
        maxBackoffMs: this.options.maxBackoffMs,
      },
      {
        onMessage: (message, receivedAt) => void this.accept(message, receivedAt),
        onOpen: () => health.success(SOURCE, 'ws', 0, this.deps.now()),
        onReconnect: () => this.candles.markReconnected(),
        onError: (err) => {
          health.failure(SOURCE, 'ws', err);
          log.warn({ err: err.message, source: SOURCE }, 'websocket error; reconnecting with backoff');
        },
      },
    );
    this.feed.start();
  }

  private storeMids(mids: Record<string, string>, at: number): void {
    const due: Record<string, string> = {};
    for (const coin of this.coins) {
      const px = mids[coin];
      if (px === undefined || at - (this.lastMid.get(coin) ?? 0) < this.options.midsEveryMs) continue;
      due[coin] = px;
      this.lastMid.set(coin, at);
    }
    const rows = midRows(due, at);
    if (rows.mids.length > 0) this.deps.memory.write(rows);
    this.deps.health.success(SOURCE, 'mids', rows.mids.length, at);
  }

  /** Resolves when every queued candle update is stored (tests, shutdown). */
  idle(): Promise<void> {
    return this.candles.idle();
  }

  async stop(): Promise<void> {
    for (const p of this.pollers) await p.stop();
    this.pollers = [];
    await this.feed?.stop();
    await this.candles.idle();
  }
}
