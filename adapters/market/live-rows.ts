/**
 * The rows live ingestion adds beside `MarketMemory`'s candles, mids and funding: the
 * registry's details (margin table, isolated-only, delisted), the margin tables, asset
 * contexts and predicted fundings — compact rows, each with its source time, fixed point as
 * integer decimal strings (prices and USD amounts in PRICE 1e-8, sizes in SIZE 1e-8, rates in
 * RATE 1e-12 per hour; `units.ts`).
 */

import type { z } from 'zod';
import type { Db } from '../../core/database.ts';
import type { AssetCtx, zMetaAndAssetCtxs, zPredictedFundings } from './importers/hyperliquid.ts';
import { metaAndCtxRows } from './importers/hyperliquid.ts';
import type { MarketMemory } from './market-memory.ts';
import { RegistryHistory } from './registry-history.ts';
import { parsePrice, parseRate, parseSize } from './units.ts';

/** The data channels an asset supports: spot has no funding, contexts or predicted funding. */
export type MarketChannel = 'candles' | 'mids' | 'funding' | 'contexts' | 'predictedFunding';

/** The channels of an asset kind (seed `002_…`: "funding rates … perps only"). */
export function channelsOf(kind: 'perp' | 'spot'): readonly MarketChannel[] {
  return kind === 'perp' ? ['candles', 'mids', 'funding', 'contexts', 'predictedFunding'] : ['candles', 'mids'];
}

/** One asset context as stored; decimal strings in the scales above, `null` where the exchange sent none. */
export interface ContextRow {
  readonly asset: string;
  /** When the context was taken (ms): the poll's time (`metaAndAssetCtxs` carries none). */
  readonly time: number;
  readonly funding: string;
  readonly premium: string | null;
  readonly openInterest: string | null;
  readonly oraclePx: string | null;
  readonly markPx: string;
  readonly midPx: string | null;
  readonly impactBidPx: string | null;
  readonly impactAskPx: string | null;
  readonly dayNtlVlm: string | null;
  readonly prevDayPx: string | null;
}

export interface AssetDetails {
  readonly name: string;
  readonly marginTableId: number | null;
  readonly onlyIsolated: boolean;
  readonly delisted: boolean;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS market_asset_details (
  name TEXT PRIMARY KEY, margin_table_id INTEGER, only_isolated INTEGER NOT NULL, delisted INTEGER NOT NULL, updated_at INTEGER NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS market_margin_tiers (
  table_id INTEGER NOT NULL, lower_bound TEXT NOT NULL, max_leverage INTEGER NOT NULL, description TEXT NOT NULL,
  PRIMARY KEY (table_id, lower_bound)
) STRICT;
CREATE TABLE IF NOT EXISTS market_contexts (
  asset TEXT NOT NULL, time INTEGER NOT NULL, funding TEXT NOT NULL, premium TEXT, open_interest TEXT, oracle_px TEXT,
  mark_px TEXT NOT NULL, mid_px TEXT, impact_bid_px TEXT, impact_ask_px TEXT, day_ntl_vlm TEXT, prev_day_px TEXT,
  PRIMARY KEY (asset, time)
) STRICT;
CREATE TABLE IF NOT EXISTS market_predicted_funding (
  asset TEXT NOT NULL, venue TEXT NOT NULL, time INTEGER NOT NULL, rate TEXT NOT NULL, next_funding_time INTEGER NOT NULL,
  PRIMARY KEY (asset, venue, time)
) STRICT;
`;

const opt = (parse: (s: string) => bigint, s: string | null | undefined) => (s == null ? null : String(parse(s)));

function contextRow(asset: string, time: number, c: AssetCtx): ContextRow {
  return {
    asset,
    time,
    funding: String(parseRate(c.funding)),
    premium: opt(parseRate, c.premium),
    openInterest: opt(parseSize, c.openInterest),
    oraclePx: opt(parsePrice, c.oraclePx),
    markPx: String(parsePrice(c.markPx)),
    midPx: opt(parsePrice, c.midPx),
    impactBidPx: opt(parsePrice, c.impactPxs?.[0]),
    impactAskPx: opt(parsePrice, c.impactPxs?.[1]),
    dayNtlVlm: opt(parsePrice, c.dayNtlVlm),
    prevDayPx: opt(parsePrice, c.prevDayPx),
  };
}

export class LiveRows {
  private readonly sql;
  /** The registry and margin tables as of any time (`registry-history.ts`). */
  readonly history: RegistryHistory;

  constructor(
    readonly db: Db,
    private readonly memory: MarketMemory,
  ) {
    db.exec(SCHEMA);
    this.history = new RegistryHistory(db);
    this.sql = {
      details: db.prepare(
        `INSERT INTO market_asset_details (name, margin_table_id, only_isolated, delisted, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET margin_table_id = excluded.margin_table_id, only_isolated = excluded.only_isolated,
           delisted = excluded.delisted, updated_at = excluded.updated_at`,
      ),
      clearTiers: db.prepare('DELETE FROM market_margin_tiers WHERE table_id = ?'),
      tier: db.prepare('INSERT INTO market_margin_tiers (table_id, lower_bound, max_leverage, description) VALUES (?, ?, ?, ?)'),
      context: db.prepare(
        `INSERT OR REPLACE INTO market_contexts (asset, time, funding, premium, open_interest, oracle_px, mark_px, mid_px,
           impact_bid_px, impact_ask_px, day_ntl_vlm, prev_day_px) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      predicted: db.prepare(
        'INSERT OR REPLACE INTO market_predicted_funding (asset, venue, time, rate, next_funding_time) VALUES (?, ?, ?, ?, ?)',
      ),
      getDetails: db.prepare<[string], { name: string; margin_table_id: number | null; only_isolated: number; delisted: number }>(
        'SELECT name, margin_table_id, only_isolated, delisted FROM market_asset_details WHERE name = ?',
      ),
      contextAt: db.prepare<[string, number], Record<string, string | number | null>>(
        'SELECT * FROM market_contexts WHERE asset = ? AND time <= ? ORDER BY time DESC LIMIT 1',
      ),
    };
  }

  /**
   * A `metaAndAssetCtxs` poll taken at `at` (ms): the registry (szDecimals, max leverage,
   * enabled = not delisted — what the trading gates read), its details and margin tables, each
   * live asset's context, mid and funding rate; a registry version for each asset or margin table
   * that changed, effective from `at`. One transaction. Returns the rows written.
   */
  writeMetaAndContexts(data: z.output<typeof zMetaAndAssetCtxs>, at: number): { assets: number; contexts: number } {
    const [meta, ctxs] = data;
    let contexts = 0;
    this.db.transaction(() => {
      const rows = metaAndCtxRows(data, at);
      this.memory.write(rows);
      this.history.recordAssets(
        rows.assets.map((a, i) => {
          const u = meta.universe[i];
          return {
            ...a,
            marginTableId: u?.marginTableId ?? null,
            onlyIsolated: u?.onlyIsolated === true,
            delisted: u?.isDelisted === true,
          };
        }),
        at,
      );
      for (const u of meta.universe) {
        this.sql.details.run(u.name, u.marginTableId ?? null, u.onlyIsolated ? 1 : 0, u.isDelisted ? 1 : 0, at);
      }
      for (const [id, table] of meta.marginTables ?? []) {
        this.sql.clearTiers.run(id);
        const tiers = table.marginTiers.map((t) => ({ lowerBound: String(parsePrice(t.lowerBound)), maxLeverage: t.maxLeverage }));
        for (const t of tiers) this.sql.tier.run(id, t.lowerBound, t.maxLeverage, table.description);
        this.history.recordMarginTable({ tableId: id, description: table.description, tiers }, at);
      }
      for (const [i, u] of meta.universe.entries()) {
        const ctx = ctxs[i];
        if (!ctx || u.isDelisted) continue;
        const r = contextRow(u.name, at, ctx);
        this.sql.context.run(
          r.asset,
          r.time,
          r.funding,
          r.premium,
          r.openInterest,
          r.oraclePx,
          r.markPx,
          r.midPx,
          r.impactBidPx,
          r.impactAskPx,
          r.dayNtlVlm,
          r.prevDayPx,
        );
        contexts += 1;
      }
    })();
    return { assets: meta.universe.length, contexts };
  }

  /** A `predictedFundings` poll taken at `at` (ms): one row per coin and venue that has a rate. */
  writePredictedFundings(data: z.output<typeof zPredictedFundings>, at: number): number {
    let rows = 0;
    this.db.transaction(() => {
      for (const [coin, venues] of data) {
        for (const [venue, next] of venues) {
          if (!next) continue;
          this.sql.predicted.run(coin, venue, at, String(parseRate(next.fundingRate)), next.nextFundingTime);
          rows += 1;
        }
      }
    })();
    return rows;
  }

  details(name: string): AssetDetails | undefined {
    const r = this.sql.getDetails.get(name);
    return r && { name: r.name, marginTableId: r.margin_table_id, onlyIsolated: r.only_isolated === 1, delisted: r.delisted === 1 };
  }

  /** The newest context of `asset` taken at or before `at` (ms). */
  contextAt(asset: string, at: number): ContextRow | undefined {
    const r = this.sql.contextAt.get(asset, at);
    if (!r) return undefined;
    const s = (k: string) => (r[k] as string | null) ?? null;
    return {
      asset,
      time: r.time as number,
      funding: r.funding as string,
      premium: s('premium'),
      openInterest: s('open_interest'),
      oraclePx: s('oracle_px'),
      markPx: r.mark_px as string,
      midPx: s('mid_px'),
      impactBidPx: s('impact_bid_px'),
      impactAskPx: s('impact_ask_px'),
      dayNtlVlm: s('day_ntl_vlm'),
      prevDayPx: s('prev_day_px'),
    };
  }
}
