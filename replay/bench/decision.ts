/**
 * Decision context benchmark: the packet and prompt of one asset (read plan of the example
 * strategy: balanced by default, deep for BTC, an hour of ETH minutes, HLP TVL, a Polymarket
 * market) built at T over two days of recorded 1m candles with their indicators, beside a raw
 * SQL read of exactly the rows the packet uses (the same tables, bounds and row counts, no
 * formatting, no prompt) in the same run. Needs the recorded data (`CLASH_SHARED_DATA` or
 * `../shared/data`); skipped, saying so, without it.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { decisionContextOf } from '../../commands/ai-trading/context.ts';
import { GRANULARITY_MS, LOOKBACK_MS } from '../../commands/ai-trading/profiles.ts';
import { type AssetReadPlan, compileReadPlans } from '../../commands/ai-trading/read-plan.ts';
import { compileGraph } from '../../commands/clones/graph/compile.ts';
import { tiers } from '../../commands/entitlements/tiers.ts';
import { type Db, openDatabase } from '../../core/database.ts';
import { marketAsOf, noAccounts } from '../../server/ai-trading.ts';
import { exampleGraph, loadDecisionMarket } from './decision-data.ts';
import { type Figure, figure, type Scratch } from './measure.ts';

/** One statement per plan read, with its bound parameters: what a hand-written reader would run. */
function rawReads(db: Db, plan: AssetReadPlan, at: number): (() => unknown[])[] {
  const reads: (() => unknown[])[] = [];
  for (const r of plan.reads) {
    if (r.source === 'polymarket') {
      const slug = r.contextSymbol.split(':').slice(2).join(':');
      const s = db.prepare(
        'SELECT slug, question, end_time FROM polymarket_markets WHERE slug = ? AND observed_at <= ? ORDER BY observed_at DESC LIMIT 1',
      );
      reads.push(() => s.all(slug, at));
      continue;
    }
    const from = at - LOOKBACK_MS[r.lookback];
    if (r.source === 'defillama') {
      const [, kind, id] = r.contextSymbol.split(':');
      const s = db.prepare(
        'SELECT time, value FROM defillama_points WHERE scope_kind = ? AND scope_id = ? AND metric = ? AND time >= ? AND time <= ? ORDER BY time',
      );
      reads.push(() => s.all(kind, id, r.channel, from, at));
    } else if (r.channel === 'ohlcv') {
      const s = db.prepare(
        `SELECT open_time, open, high, low, close, volume FROM market_candles
         WHERE asset = ? AND interval_ms = ? AND open_time >= ? AND close_time <= ? ORDER BY open_time`,
      );
      reads.push(() => s.all(r.contextSymbol, GRANULARITY_MS[r.granularity], from, at));
    } else if (r.channel === 'funding_rates') {
      const s = db.prepare('SELECT time, rate FROM market_funding WHERE asset = ? AND time >= ? AND time <= ? ORDER BY hour');
      reads.push(() => s.all(r.contextSymbol, from, at));
    } else {
      const s = db.prepare('SELECT * FROM market_indicators WHERE asset = ? AND open_time >= ? AND close_time <= ? ORDER BY open_time');
      reads.push(() => s.all(r.contextSymbol, from, at));
    }
  }
  const ctx = db.prepare('SELECT * FROM market_contexts WHERE asset = ? AND time <= ? ORDER BY time DESC LIMIT 1');
  reads.push(() => ctx.all(plan.symbol, at));
  return reads;
}

const p99 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.99))] ?? 0;

export function runDecisionBench(options: { scratch: Scratch; scale: number; rounds: number; onFigure: (f: Figure) => void }): Figure[] {
  const shared = process.env.CLASH_SHARED_DATA ?? resolve(process.cwd(), '../shared/data');
  if (!existsSync(resolve(shared, 'market'))) {
    process.stderr.write(`decision context: skipped (no recorded data at ${shared}; set CLASH_SHARED_DATA)\n`);
    return [];
  }
  const db = openDatabase(options.scratch.file('decision'), { synchronous: 'OFF' });
  try {
    const { decisionTime } = loadDecisionMarket(db, shared);
    const market = marketAsOf(db);
    const compiled = compileGraph(exampleGraph, {}, { limits: tiers.pro, modelTier: 'basic', requirePrompt: true });
    if (!compiled.ok) throw new Error('the example strategy compiles');
    const plans = compileReadPlans(exampleGraph, compiled.compiled, { taxonomyVersion: 0, assets: [] }, market.registry)[0]?.plans ?? [];
    const subject = { cloneId: 'bench', strategyVersionId: 'bench', graphDigest: 'bench', promptNodeId: 'prompt' };
    const settings = { customBehaviorPrompt: 'Trade the trend, cut losers fast.', coverageMode: 'global' as const, assetOverrides: {} };
    const raws = plans.map((p) => rawReads(db, p, decisionTime));
    const builds = Math.max(50, Math.round(400 * options.scale));
    const times: number[] = [];
    let ours = 0;
    let raw = 0;
    for (let round = 0; round < options.rounds; round++) {
      let started = performance.now();
      for (let i = 0; i < builds; i++) for (const reads of raws) for (const read of reads) read();
      raw = Math.max(raw, (builds * plans.length) / ((performance.now() - started) / 1000));
      started = performance.now();
      for (let i = 0; i < builds; i++) {
        for (const plan of plans) {
          const t = performance.now();
          decisionContextOf(subject, plan, settings, decisionTime, market, noAccounts);
          times.push(performance.now() - t);
        }
      }
      ours = Math.max(ours, (builds * plans.length) / ((performance.now() - started) / 1000));
    }
    const rows = plans.map((p) =>
      decisionContextOf(subject, p, settings, decisionTime, market, noAccounts).packet.sections.reduce((s, x) => s + x.rows.length, 0),
    );
    const f = figure(
      'decision context: packet + prompt per asset (2 days of 1m candles and indicators stored)',
      'assets/s',
      ours,
      raw,
      0.3,
      `p99 ${p99(times).toFixed(2)} ms per asset; ${rows.join(' and ')} rows per packet (${plans.map((p) => p.symbol).join(', ')}); raw: the same reads as bare prepared statements`,
    );
    options.onFigure(f);
    return [f];
  } finally {
    db.close();
  }
}
