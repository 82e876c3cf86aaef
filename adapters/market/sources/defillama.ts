/**
 * DefiLlama (`DEFILLAMA_API_URL`, default `https://api.llama.fi`): a protocol's TVL history
 * from `GET /protocol/{slug}` (the recorded payload's shape), stored as compact rows per scope,
 * metric and day with their source time — `tvl` (USD) and `flows` (the TVL change from the
 * previous point, USD). Macro context, not money: values are floating point.
 */
import { z } from 'zod';
import type { Db } from '../../../core/database.ts';

export const zProtocolTvl = z.object({
  name: z.string().min(1).max(200),
  tvl: z.array(z.object({ date: z.number().int().nonnegative(), totalLiquidityUSD: z.number().finite() })).max(20_000),
});

export interface LlamaPoint {
  readonly scopeKind: 'global' | 'chain' | 'protocol' | 'stablecoin';
  readonly scopeId: string;
  readonly metric: 'tvl' | 'flows';
  /** The source's time of the point, ms. */
  readonly time: number;
  readonly value: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS defillama_points (
  scope_kind TEXT NOT NULL, scope_id TEXT NOT NULL, metric TEXT NOT NULL, time INTEGER NOT NULL, value REAL NOT NULL,
  PRIMARY KEY (scope_kind, scope_id, metric, time)
) STRICT;
`;

/** TVL and flow points of a protocol answer (dates are unix seconds → ms). */
export function protocolPoints(slug: string, data: z.output<typeof zProtocolTvl>): LlamaPoint[] {
  const out: LlamaPoint[] = [];
  let prev: number | null = null;
  for (const p of [...data.tvl].sort((a, b) => a.date - b.date)) {
    const time = p.date * 1000;
    out.push({ scopeKind: 'protocol', scopeId: slug, metric: 'tvl', time, value: p.totalLiquidityUSD });
    if (prev !== null) out.push({ scopeKind: 'protocol', scopeId: slug, metric: 'flows', time, value: p.totalLiquidityUSD - prev });
    prev = p.totalLiquidityUSD;
  }
  return out;
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
