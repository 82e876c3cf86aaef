/**
 * The live 1m candle series of each asset, from WebSocket updates plus REST backfill, with no
 * hole and no duplicate (issue 11):
 * - an update for the open minute replaces the stored open candle in place (one row per
 *   minute, upserted);
 * - an update for a later minute makes the open candle final; the finals go to the derived
 *   series (indicators, 1h rollup) in open-time order;
 * - when minutes are missing between the open candle and the new one (the feed skipped them, or
 *   the connection dropped — after a reconnect the open candle itself may not have its last
 *   values), they are fetched from REST `candleSnapshot` first, from the open minute up to the
 *   new one, so the stored finals are the exchange's;
 * - after a restart the first update backfills from the minute after the last final applied,
 *   at most `maxBackfillMs` back.
 * Each asset's updates are handled strictly one after another (a promise chain), so a slow
 * backfill never interleaves with the next update of the same asset.
 */

import type { DerivedSeries } from '../derived/derived-series.ts';
import { MINUTE_MS } from '../derived/derived-series.ts';
import type { Candle, MarketMemory } from '../market-memory.ts';

/** Fetches the 1m candles of `asset` opened in [from, to) (ms), oldest first. */
export type CandleBackfill = (asset: string, from: number, to: number) => Promise<Candle[]>;

interface OpenCandle {
  candle: Candle | null;
  openTime: number;
  /** Set on reconnect: updates may have been missed, so the next minute backfills this one too. */
  suspect: boolean;
}

export class CandleFeed {
  private readonly open = new Map<string, OpenCandle>();
  private readonly chains = new Map<string, Promise<void>>();

  constructor(
    private readonly memory: MarketMemory,
    private readonly derived: DerivedSeries,
    private readonly backfill: CandleBackfill,
    private readonly options: {
      maxBackfillMs: number;
      onStored?: (asset: string, rows: number, newestTime: number) => void;
      onError?: (asset: string, error: unknown) => void;
    },
  ) {}

  /** Queues one candle update; resolves when it (and every earlier one of its asset) is stored. */
  push(candle: Candle): Promise<void> {
    const prev = this.chains.get(candle.asset) ?? Promise.resolve();
    const next = prev.then(() => this.handle(candle)).catch((err: unknown) => this.options.onError?.(candle.asset, err));
    this.chains.set(candle.asset, next);
    return next;
  }

  /** Every asset's open candle may have missed updates (the connection was lost). */
  markReconnected(): void {
    for (const o of this.open.values()) o.suspect = true;
  }

  /** Resolves when every queued update is handled. */
  async idle(): Promise<void> {
    await Promise.all(this.chains.values());
  }

  private async handle(c: Candle): Promise<void> {
    let o = this.open.get(c.asset);
    if (!o) {
      const last = this.derived.lastFinalOpenTime(c.asset);
      const from = last === undefined ? c.openTime : Math.max(last + MINUTE_MS, c.openTime - this.options.maxBackfillMs);
      o = { candle: null, openTime: from, suspect: from < c.openTime };
      this.open.set(c.asset, o);
    }
    if (c.openTime < o.openTime) return;
    if (c.openTime === o.openTime && o.candle) {
      this.memory.upsertCandle(c);
      o.candle = c;
      this.options.onStored?.(c.asset, 1, c.openTime);
      return;
    }
    let finals: Candle[] = o.candle && c.openTime > o.openTime ? [o.candle] : [];
    if (c.openTime > o.openTime && (o.suspect || c.openTime > o.openTime + MINUTE_MS)) {
      const fetched = (await this.backfill(c.asset, o.openTime, c.openTime)).filter(
        (f) => f.openTime >= o.openTime && f.openTime < c.openTime,
      );
      const byTime = new Map(finals.map((f) => [f.openTime, f]));
      for (const f of fetched) byTime.set(f.openTime, f);
      finals = [...byTime.values()].sort((a, b) => a.openTime - b.openTime);
    }
    const stored = o.candle;
    this.memory.db.transaction(() => {
      for (const f of finals) if (f !== stored) this.memory.upsertCandle(f); // the open candle's last values are already stored
      this.memory.upsertCandle(c);
      this.derived.applyWithin(finals);
    })();
    this.open.set(c.asset, { candle: c, openTime: c.openTime, suspect: false });
    this.options.onStored?.(c.asset, finals.length + 1, c.openTime);
  }
}
