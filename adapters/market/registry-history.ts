/**
 * The asset registry and the taxonomy file version as they were at any time: every registry
 * refresh that changes an asset (szDecimals, max leverage, kind, enabled, margin table,
 * onlyIsolated, delisted) or a margin table appends a version stamped with the time it took
 * effect (the refresh's time, ms); the taxonomy file's version is recorded when a process starts
 * using it. A backtest or an audit at T reads the version in effect at T (the newest one whose
 * `effective_from` ≤ T); the live path keeps reading the current tables (`market_assets`,
 * `market_asset_details`, `market_margin_tiers`). Versions are only appended, never changed.
 *
 * Rows the registry held before this history existed are seeded once, each stamped with the
 * time of its last refresh (`market_asset_details.updated_at`) — the earliest time it is known
 * to have held; an asset only ever imported from a file (no refresh time) has no history.
 */
import { canonicalJson, sha256Hex } from '../../core/canonical-json.ts';
import type { Db } from '../../core/database.ts';
import type { AssetInfo } from './price-source.ts';
import type { Taxonomy } from './taxonomy.ts';

/** An asset's registry entry as of a time: what the gates and the context compiler read. */
export interface AssetVersion extends AssetInfo {
  /** When this version took effect, ms. */
  readonly effectiveFrom: number;
  readonly marginTableId: number | null;
  readonly onlyIsolated: boolean;
  readonly delisted: boolean;
}

/** One margin tier: from `lowerBound` (USD notional, PRICE 1e-8 scale as a decimal string) up, at most `maxLeverage`. */
export interface MarginTier {
  readonly lowerBound: string;
  readonly maxLeverage: number;
}

export interface MarginTableVersion {
  readonly tableId: number;
  readonly effectiveFrom: number;
  readonly description: string;
  readonly tiers: readonly MarginTier[];
}

/** The taxonomy file in effect from a time: its `version` field and the SHA-256 of its canonical JSON. */
export interface TaxonomyVersion {
  readonly version: number;
  readonly sha256: string;
  readonly effectiveFrom: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS market_registry_history (
  name TEXT NOT NULL, effective_from INTEGER NOT NULL, sz_decimals INTEGER NOT NULL, max_leverage INTEGER NOT NULL,
  kind TEXT NOT NULL, enabled INTEGER NOT NULL, margin_table_id INTEGER, only_isolated INTEGER NOT NULL, delisted INTEGER NOT NULL,
  PRIMARY KEY (name, effective_from)
) STRICT;
CREATE TABLE IF NOT EXISTS market_margin_tier_history (
  table_id INTEGER NOT NULL, effective_from INTEGER NOT NULL, lower_bound TEXT NOT NULL, max_leverage INTEGER NOT NULL, description TEXT NOT NULL,
  PRIMARY KEY (table_id, effective_from, lower_bound)
) STRICT;
CREATE TABLE IF NOT EXISTS market_taxonomy_history (
  effective_from INTEGER PRIMARY KEY, version INTEGER NOT NULL, sha256 TEXT NOT NULL
) STRICT;
`;

/** Seeds the history from the current registry when it holds nothing yet (see the header). */
const SEED = `
INSERT INTO market_registry_history
SELECT a.name, d.updated_at, a.sz_decimals, a.max_leverage, a.kind, a.enabled, d.margin_table_id, d.only_isolated, d.delisted
FROM market_assets a JOIN market_asset_details d ON d.name = a.name
WHERE NOT EXISTS (SELECT 1 FROM market_registry_history)
`;

type AssetRow = {
  name: string;
  effective_from: number;
  sz_decimals: number;
  max_leverage: number;
  kind: string;
  enabled: number;
  margin_table_id: number | null;
  only_isolated: number;
  delisted: number;
};

const assetVersion = (r: AssetRow): AssetVersion => ({
  name: r.name,
  effectiveFrom: r.effective_from,
  szDecimals: r.sz_decimals,
  maxLeverage: r.max_leverage,
  kind: r.kind === 'spot' ? 'spot' : 'perp',
  enabled: r.enabled === 1,
  marginTableId: r.margin_table_id,
  onlyIsolated: r.only_isolated === 1,
  delisted: r.delisted === 1,
});

const sameAsset = (a: Omit<AssetVersion, 'effectiveFrom'>, b: Omit<AssetVersion, 'effectiveFrom'>) =>
  a.szDecimals === b.szDecimals &&
  a.maxLeverage === b.maxLeverage &&
  a.kind === b.kind &&
  a.enabled === b.enabled &&
  a.marginTableId === b.marginTableId &&
  a.onlyIsolated === b.onlyIsolated &&
  a.delisted === b.delisted;

/**
 * The SHA-256 (hex) of a taxonomy's JSON with sorted keys (`canonicalJson`): two files that parse
 * alike hash alike. Stored in `market_taxonomy_history`: the value must never change for the same
 * taxonomy (a test pins the shipped file's), or the next start would record a new version.
 */
export function taxonomyDigest(taxonomy: Taxonomy): string {
  return sha256Hex(canonicalJson(taxonomy));
}

export class RegistryHistory {
  private readonly sql;

  /** Creates the history tables and seeds them (see the header); `LiveRows` makes one after creating the current tables. */
  constructor(readonly db: Db) {
    db.exec(SCHEMA);
    this.sql = {
      assetAt: db.prepare<[string, number], AssetRow>(
        'SELECT * FROM market_registry_history WHERE name = ? AND effective_from <= ? ORDER BY effective_from DESC LIMIT 1',
      ),
      latestAsset: db.prepare<[string], AssetRow>(
        'SELECT * FROM market_registry_history WHERE name = ? ORDER BY effective_from DESC LIMIT 1',
      ),
      putAsset: db.prepare('INSERT OR REPLACE INTO market_registry_history VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)'),
      tableFrom: db.prepare<[number, number], { effective_from: number }>(
        'SELECT max(effective_from) AS effective_from FROM market_margin_tier_history WHERE table_id = ? AND effective_from <= ?',
      ),
      tiers: db.prepare<[number, number], { lower_bound: string; max_leverage: number; description: string }>(
        `SELECT lower_bound, max_leverage, description FROM market_margin_tier_history
         WHERE table_id = ? AND effective_from = ? ORDER BY CAST(lower_bound AS INTEGER)`,
      ),
      putTier: db.prepare('INSERT OR REPLACE INTO market_margin_tier_history VALUES (?, ?, ?, ?, ?)'),
      taxonomyAt: db.prepare<[number], { effective_from: number; version: number; sha256: string }>(
        'SELECT * FROM market_taxonomy_history WHERE effective_from <= ? ORDER BY effective_from DESC LIMIT 1',
      ),
      putTaxonomy: db.prepare('INSERT OR REPLACE INTO market_taxonomy_history VALUES (?, ?, ?)'),
    };
    db.exec(SEED);
  }

  /**
   * Records a registry refresh taken at `at` (ms), inside the caller's transaction: a version for
   * every asset that differs from its latest one (or has none). Returns the versions appended.
   */
  recordAssets(assets: readonly Omit<AssetVersion, 'effectiveFrom'>[], at: number): number {
    let appended = 0;
    for (const a of assets) {
      const latest = this.sql.latestAsset.get(a.name);
      if (latest && sameAsset(assetVersion(latest), a)) continue;
      const flag = (b: boolean) => (b ? 1 : 0);
      this.sql.putAsset.run(
        a.name,
        at,
        a.szDecimals,
        a.maxLeverage,
        a.kind,
        flag(a.enabled),
        a.marginTableId,
        flag(a.onlyIsolated),
        flag(a.delisted),
      );
      appended += 1;
    }
    return appended;
  }

  /** Records a margin table as refreshed at `at` (ms) when its tiers or description differ from its latest version. */
  recordMarginTable(table: Omit<MarginTableVersion, 'effectiveFrom'>, at: number): boolean {
    const latest = this.marginTableAt(table.tableId, Number.MAX_SAFE_INTEGER);
    const same =
      latest !== undefined &&
      latest.description === table.description &&
      latest.tiers.length === table.tiers.length &&
      latest.tiers.every((t, i) => t.lowerBound === table.tiers[i]?.lowerBound && t.maxLeverage === table.tiers[i]?.maxLeverage);
    if (same) return false;
    for (const t of table.tiers) this.sql.putTier.run(table.tableId, at, t.lowerBound, t.maxLeverage, table.description);
    return true;
  }

  /** Records the taxonomy file a process starts using at `at` (ms), when it differs from the one in effect then. */
  recordTaxonomy(taxonomy: Taxonomy, at: number): boolean {
    const sha256 = taxonomyDigest(taxonomy);
    const current = this.taxonomyAt(at);
    if (current && current.sha256 === sha256) return false;
    this.sql.putTaxonomy.run(at, taxonomy.version, sha256);
    return true;
  }

  /** The version of `name` in effect at `at` (ms); undefined before its first recorded version. */
  assetAt(name: string, at: number): AssetVersion | undefined {
    const r = this.sql.assetAt.get(name, at);
    return r && assetVersion(r);
  }

  /** The margin table `tableId` in effect at `at` (ms), tiers by lower bound; undefined before its first version. */
  marginTableAt(tableId: number, at: number): MarginTableVersion | undefined {
    const from = this.sql.tableFrom.get(tableId, at)?.effective_from;
    if (from == null) return undefined;
    const rows = this.sql.tiers.all(tableId, from);
    return {
      tableId,
      effectiveFrom: from,
      description: rows[0]?.description ?? '',
      tiers: rows.map((r) => ({ lowerBound: r.lower_bound, maxLeverage: r.max_leverage })),
    };
  }

  /** The taxonomy file version in effect at `at` (ms); undefined before the first recorded one. */
  taxonomyAt(at: number): TaxonomyVersion | undefined {
    const r = this.sql.taxonomyAt.get(at);
    return r && { version: r.version, sha256: r.sha256, effectiveFrom: r.effective_from };
  }
}
