/**
 * What an asset selection expands through: the tradeable assets with their taxonomy category
 * and subcategory (seed `002_…` "Asset Selection Format"). The clones module owns this shape;
 * the server builds it from market memory's registry and the taxonomy file
 * (`adapters/market/taxonomy.ts`), and the handler passes it in with the command so the
 * decider stays pure.
 */
export interface UniverseAsset {
  readonly symbol: string;
  readonly category: string;
  readonly subcategory: string;
}

export interface AssetUniverse {
  /** The taxonomy file's version the categories come from. */
  readonly taxonomyVersion: number;
  readonly assets: readonly UniverseAsset[];
}

export const emptyUniverse: AssetUniverse = { taxonomyVersion: 0, assets: [] };

/** Why a symbol is in the expanded selection: named explicitly, or through its subcategory or category. */
export type SelectionSource = 'explicit' | 'subcategory' | 'category';

export interface SelectedSymbol {
  readonly symbol: string;
  readonly source: SelectionSource;
}

export interface AssetSelectionConfig {
  readonly highLevelCategories: readonly string[];
  readonly subcategories: readonly string[];
  readonly explicitlyEnabledSymbols: readonly string[];
  readonly explicitlyDisabledSymbols: readonly string[];
}

/**
 * The symbols a selection enables, sorted, each with its source: every universe asset whose
 * category is in `highLevelCategories` or whose subcategory is in `subcategories`, plus every
 * explicitly enabled symbol; minus every explicitly disabled one (disabling wins). The most
 * specific source is reported (explicit > subcategory > category).
 */
export function expandSelection(config: AssetSelectionConfig, universe: AssetUniverse): SelectedSymbol[] {
  const disabled = new Set(config.explicitlyDisabledSymbols);
  const categories = new Set(config.highLevelCategories);
  const subcategories = new Set(config.subcategories);
  const out = new Map<string, SelectionSource>();
  for (const a of universe.assets) {
    if (subcategories.has(a.subcategory)) out.set(a.symbol, 'subcategory');
    else if (categories.has(a.category)) out.set(a.symbol, 'category');
  }
  for (const s of config.explicitlyEnabledSymbols) out.set(s, 'explicit');
  return [...out]
    .filter(([symbol]) => !disabled.has(symbol))
    .map(([symbol, source]) => ({ symbol, source }))
    .sort((a, b) => (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0));
}
