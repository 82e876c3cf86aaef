/**
 * Polymarket Gamma (`POLYMARKET_API_URL`, default `https://gamma-api.polymarket.com`): live and
 * upcoming markets from `GET /markets?active=true&closed=false&limit=N`, each validated alone
 * (a bad market is counted and skipped, the rest stored), kept as compact rows with their
 * source time (`updatedAt`): the question, event, end date, volume, liquidity, and one row per
 * outcome with its price. Gamma encodes outcomes and prices as JSON inside strings; they are
 * decoded here and stored as rows. Prices are probabilities (decimal strings, 0–1).
 */
import { z } from 'zod';
import type { Db } from '../../../core/database.ts';
import { decimal } from '../importers/hyperliquid.ts';
import { firstIssue } from './http-json.ts';

const jsonStringArray = (max: number) =>
  z
    .string()
    .max(20_000)
    .transform((s, ctx) => {
      try {
        const parsed = z.array(z.string().max(200)).max(max).safeParse(JSON.parse(s));
        if (parsed.success) return parsed.data;
      } catch {}
      ctx.addIssue({ code: 'custom', message: 'expected a JSON-encoded array of strings' });
      return z.NEVER;
    });

export const zGammaMarket = z.object({
  id: z.string().min(1).max(40),
  question: z.string().min(1).max(500),
  slug: z.string().min(1).max(300),
  endDate: z.iso.datetime({ offset: true }),
  updatedAt: z.iso.datetime({ offset: true }),
  outcomes: jsonStringArray(20),
  outcomePrices: jsonStringArray(20),
  volume: decimal.optional(),
  liquidity: decimal.optional(),
  active: z.boolean(),
  closed: z.boolean(),
  events: z
    .array(z.object({ slug: z.string().min(1).max(300), title: z.string().max(500) }))
    .max(10)
    .optional(),
});
export type GammaMarket = z.output<typeof zGammaMarket>;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS polymarket_markets (
  market_id TEXT NOT NULL, source_time INTEGER NOT NULL, observed_at INTEGER NOT NULL, slug TEXT NOT NULL, question TEXT NOT NULL,
  event_slug TEXT, event_title TEXT, end_time INTEGER NOT NULL, volume TEXT, liquidity TEXT, active INTEGER NOT NULL, closed INTEGER NOT NULL,
  PRIMARY KEY (market_id, source_time)
) STRICT;
CREATE INDEX IF NOT EXISTS polymarket_markets_by_event ON polymarket_markets (event_slug, end_time);
CREATE TABLE IF NOT EXISTS polymarket_outcomes (
  market_id TEXT NOT NULL, source_time INTEGER NOT NULL, outcome TEXT NOT NULL, price TEXT NOT NULL,
  PRIMARY KEY (market_id, source_time, outcome)
) STRICT;
`;

/** Validates each market of a Gamma answer; returns the valid ones and a problem per invalid one. */
export function parseGammaMarkets(json: unknown): { markets: GammaMarket[]; invalid: string[] } {
  const list = z.array(z.unknown()).max(1000).safeParse(json);
  if (!list.success) return { markets: [], invalid: [firstIssue(list.error)] };
  const markets: GammaMarket[] = [];
  const invalid: string[] = [];
  for (const [i, item] of list.data.entries()) {
    const m = zGammaMarket.safeParse(item);
    if (!m.success) invalid.push(`[${i}] ${firstIssue(m.error)}`);
    else if (m.data.outcomes.length !== m.data.outcomePrices.length) invalid.push(`[${i}] outcomes and outcomePrices differ in length`);
    else if (!m.data.outcomePrices.every((p) => decimal.safeParse(p).success)) invalid.push(`[${i}] outcomePrices: not decimals`);
    else markets.push(m.data);
  }
  return { markets, invalid };
}

/** Stores markets observed at `at` (ms); idempotent per (market, source time). Returns rows written. */
export function storeGammaMarkets(db: Db, markets: readonly GammaMarket[], at: number): number {
  db.exec(SCHEMA);
  const market = db.prepare(
    `INSERT OR IGNORE INTO polymarket_markets (market_id, source_time, observed_at, slug, question, event_slug, event_title, end_time, volume, liquidity, active, closed)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const outcome = db.prepare('INSERT OR IGNORE INTO polymarket_outcomes (market_id, source_time, outcome, price) VALUES (?, ?, ?, ?)');
  let rows = 0;
  db.transaction(() => {
    for (const m of markets) {
      const sourceTime = Date.parse(m.updatedAt);
      const event = m.events?.[0];
      rows += market.run(
        m.id,
        sourceTime,
        at,
        m.slug,
        m.question,
        event?.slug ?? null,
        event?.title ?? null,
        Date.parse(m.endDate),
        m.volume ?? null,
        m.liquidity ?? null,
        m.active ? 1 : 0,
        m.closed ? 1 : 0,
      ).changes;
      for (const [k, o] of m.outcomes.entries()) outcome.run(m.id, sourceTime, o, m.outcomePrices[k] as string);
    }
  })();
  return rows;
}

export interface SubjectMarket {
  readonly marketId: string;
  readonly slug: string;
  readonly question: string;
  readonly endTime: number;
  readonly sourceTime: number;
}

/**
 * The "immediate" and "later" market of a subject (an event slug) as known at `at` (ms):
 * among the event's markets observed at or before `at`, open and ending after `at`, the one
 * ending soonest and the one after it (seed `002_…` "Source Coverage").
 */
export function immediateAndLater(db: Db, eventSlug: string, at: number): { immediate: SubjectMarket | null; later: SubjectMarket | null } {
  db.exec(SCHEMA);
  const rows = db
    .prepare<[string, number, number], { market_id: string; slug: string; question: string; end_time: number; source_time: number }>(
      `SELECT market_id, slug, question, end_time, max(source_time) AS source_time FROM polymarket_markets
       WHERE event_slug = ? AND observed_at <= ? AND closed = 0 AND end_time > ? GROUP BY market_id ORDER BY end_time, market_id LIMIT 2`,
    )
    .all(eventSlug, at, at);
  const view = (r: (typeof rows)[number] | undefined) =>
    r ? { marketId: r.market_id, slug: r.slug, question: r.question, endTime: r.end_time, sourceTime: r.source_time } : null;
  return { immediate: view(rows[0]), later: view(rows[1]) };
}
