/** Checking that a command's quotes cover the assets it values and are fresh enough. */
import type { Quotes } from './commands.ts';
import type { Marks } from './state.ts';

export interface QuoteProblem {
  readonly code: 'no_price' | 'stale_price';
  readonly figures: Record<string, string>;
}

/** The first asset (in order) whose quote is missing or older than `maxAgeMs` at `at`. */
export function quoteProblem(quotes: Quotes, assets: readonly string[], at: number, maxAgeMs: number): QuoteProblem | undefined {
  for (const asset of assets) {
    const q = quotes[asset];
    if (!q) return { code: 'no_price', figures: { asset } };
    const ageMs = at - q.time;
    if (ageMs > maxAgeMs) {
      return { code: 'stale_price', figures: { asset, priceTime: String(q.time), ageMs: String(ageMs), maxAgeMs: String(maxAgeMs) } };
    }
  }
  return undefined;
}

export function marksOf(quotes: Quotes): Marks {
  return Object.fromEntries(Object.entries(quotes).map(([asset, q]) => [asset, q.price]));
}
