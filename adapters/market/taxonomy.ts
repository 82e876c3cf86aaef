/**
 * The asset taxonomy: high-level categories and subcategories of Hyperliquid assets, a
 * versioned JSON file operators edit (`adapters/market/taxonomy/hyperliquid.json`, or
 * `CLASH_TAXONOMY_FILE`). Loaded and validated with zod; an asset the file does not list is
 * `uncategorized`. `universeOf` joins it with the registry: every asset the file lists or the
 * registry knows, minus what the registry marks disabled (delisted).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { Db } from '../../core/database.ts';
import { ValidationError } from '../../core/errors.ts';

export const DEFAULT_TAXONOMY_FILE = fileURLToPath(new URL('./taxonomy/hyperliquid.json', import.meta.url));
export const UNCATEGORIZED = 'uncategorized';

const zId = z.string().regex(/^[a-z0-9_]{1,60}$/, 'lower-case letters, digits and _');
const zSymbol = z.string().regex(/^[A-Za-z0-9]{1,20}$/);

export const zTaxonomy = z
  .object({
    version: z.number().int().positive(),
    description: z.string().max(1000).optional(),
    categories: z.array(z.object({ id: zId, label: z.string().min(1).max(100), subcategories: z.array(zId).max(50) }).strict()).max(50),
    assets: z.record(zSymbol, z.object({ category: zId, subcategory: zId }).strict()),
  })
  .strict()
  .superRefine((t, ctx) => {
    const subs = new Map(t.categories.map((c) => [c.id, new Set(c.subcategories)]));
    for (const [symbol, a] of Object.entries(t.assets)) {
      if (!subs.get(a.category)?.has(a.subcategory)) {
        ctx.addIssue({
          code: 'custom',
          path: ['assets', symbol],
          message: `${a.category}/${a.subcategory} is not a declared category/subcategory`,
        });
      }
    }
  });
export type Taxonomy = z.output<typeof zTaxonomy>;

/** Reads and validates a taxonomy file; throws `ValidationError` naming the file and the field. */
export function loadTaxonomy(file: string = DEFAULT_TAXONOMY_FILE): Taxonomy {
  const parsed = zTaxonomy.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) {
    throw new ValidationError(
      file,
      parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    );
  }
  return parsed.data;
}

/** A tradeable asset with its categories (the shape `commands/clones` expands selections through). */
export interface CategorizedAsset {
  readonly symbol: string;
  readonly category: string;
  readonly subcategory: string;
}

/** The taxonomy's assets and the registry's, minus the registry's disabled ones, sorted by symbol. */
export function universeOf(db: Db, taxonomy: Taxonomy): { taxonomyVersion: number; assets: CategorizedAsset[] } {
  const registry = db.prepare<[], { name: string; enabled: number }>('SELECT name, enabled FROM market_assets').all();
  const disabled = new Set(registry.filter((r) => r.enabled === 0).map((r) => r.name));
  const names = new Set([...Object.keys(taxonomy.assets), ...registry.map((r) => r.name)]);
  const assets = [...names]
    .filter((n) => !disabled.has(n))
    .sort()
    .map((symbol) => {
      const t = taxonomy.assets[symbol];
      return { symbol, category: t?.category ?? UNCATEGORIZED, subcategory: t?.subcategory ?? UNCATEGORIZED };
    });
  return { taxonomyVersion: taxonomy.version, assets };
}
