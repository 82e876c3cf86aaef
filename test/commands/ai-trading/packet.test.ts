/**
 * The effective context packet and prompt v1 on real rows in a real SQLite file: Given the
 * recorded market memory and a strategy, When the packet of BTC at T is built, Then it holds only
 * rows known at T (property: adding or changing any row after T leaves it byte-identical), the
 * same inputs give the same digest, and the prompt equals its golden file.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decisionContextOf } from '../../../commands/ai-trading/context.ts';
import { packetDigest } from '../../../commands/ai-trading/packet.ts';
import { type BranchPlan, compileReadPlans } from '../../../commands/ai-trading/read-plan.ts';
import { compileGraph } from '../../../commands/clones/graph/compile.ts';
import { tiers } from '../../../commands/entitlements/tiers.ts';
import { canonicalJson } from '../../../core/canonical-json.ts';
import { openDatabase } from '../../../core/database.ts';
import { exampleGraph as graph, loadDecisionMarket } from '../../../replay/bench/decision-data.ts';
import { marketAsOf, noAccounts } from '../../../server/ai-trading.ts';
import { sharedData } from '../../support/prop-trading.ts';
import { fcRuns, fcSeed, tempDir } from '../../support/store.ts';

const data = sharedData();
const dir = tempDir();
const GOLDEN = new URL('./golden/prompt-v1-btc.txt', import.meta.url);

const subject = { cloneId: 'clone-example', strategyVersionId: 'version-example', graphDigest: 'sha256-of-graph', promptNodeId: 'prompt' };
const settings = { customBehaviorPrompt: 'Trade the trend, cut losers fast.', coverageMode: 'global' as const, assetOverrides: {} };

function setUp(name: string) {
  const db = openDatabase(dir.file(name), { synchronous: 'OFF' });
  const { decisionTime } = loadDecisionMarket(db, data as string);
  const market = marketAsOf(db);
  const compiled = compileGraph(graph, {}, { limits: tiers.pro, modelTier: 'basic', requirePrompt: true });
  if (!compiled.ok) throw new Error('the example graph compiles');
  const [branch] = compileReadPlans(graph, compiled.compiled, { taxonomyVersion: 0, assets: [] }, market.registry) as [BranchPlan];
  const plan = branch.plans.find((p) => p.symbol === 'BTC');
  if (!plan) throw new Error('a BTC plan');
  const build = (at = decisionTime) => decisionContextOf(subject, plan, settings, at, market, noAccounts);
  return { db, decisionTime, build };
}

test('the packet holds the plan rows known at T, newest last, and no later row', () => {
  if (!data) return;
  const { decisionTime, build } = setUp('rows.db');
  const { packet } = build();
  const section = (id: string) => packet.sections.find((s) => s.id === id);
  const candles = section('hyperliquid.ohlcv.BTC');
  assert.is(candles?.rows.length, 30, '7d of 1h candles, but only the 30 hours closed by T are stored (the first one partial)');
  const eth = section('hyperliquid.ohlcv.ETH');
  assert.is(eth?.rows.length, 60, 'the cross-asset block: 1h of 1m ETH candles');
  assert.is(eth?.rows.at(-1)?.[0], new Date(decisionTime - 60_000).toISOString(), 'the newest ETH minute is the one closing at T');
  for (const s of packet.sections) {
    for (const r of s.rows) {
      const time = typeof r[0] === 'string' && /^\d{4}-/.test(r[0]) ? Date.parse(r[0]) : null;
      if (time !== null) assert.ok(time <= decisionTime, `${s.id} row at ${r[0]} is not after T`);
    }
  }
  assert.is(
    section('hyperliquid.context.BTC')?.rows[0]?.[0],
    new Date(decisionTime - 30_000).toISOString(),
    'the context taken before T, not the one after',
  );
  assert.is(section('polymarket.polymarket:market:nvidia-largest-company-in-july')?.rows.length, 1);
  assert.is(packet.decisionTime, new Date(decisionTime).toISOString());
  assert.match(packet.digest, /^[0-9a-f]{64}$/);
});

test('determinism: two builds, and a second database loaded the same way, give the same bytes and digest', () => {
  if (!data) return;
  const a = setUp('det-a.db').build();
  const b = setUp('det-b.db');
  const again = b.build();
  assert.is(canonicalJson(again), canonicalJson(a));
  assert.is(b.build().packet.digest, a.packet.digest);
});

test('property: determinism — any T and profile, built twice through fresh readers, gives the same bytes and digest', () => {
  if (!data) return;
  const { db, decisionTime: T } = setUp('determinism.db');
  fc.assert(
    fc.property(fc.integer({ min: -1800, max: 1000 }), fc.constantFrom('fast', 'balanced', 'deep'), (minutes, profile) => {
      const at = T + minutes * 60_000;
      const once = () => {
        const market = marketAsOf(db);
        const g = { ...graph, nodes: graph.nodes.map((n) => (n.type === 'data_stream' ? { ...n, config: { ...n.config, profile } } : n)) };
        const compiled = compileGraph(g, {}, { limits: tiers.pro, modelTier: 'basic', requirePrompt: true });
        if (!compiled.ok) throw new Error('compiles');
        const plan = compileReadPlans(g, compiled.compiled, { taxonomyVersion: 0, assets: [] }, market.registry)[0]?.plans[1];
        if (!plan) throw new Error('an ETH plan');
        return decisionContextOf(subject, plan, settings, at, market, noAccounts);
      };
      const a = once();
      const b = once();
      assert.is(canonicalJson(b), canonicalJson(a));
      const { digest, ...rest } = a.packet;
      assert.is(digest, packetDigest(rest));
    }),
    { seed: fcSeed, numRuns: Math.max(5, Math.floor(fcRuns / 6)) },
  );
});

test('property: adding or changing any market row after T leaves the packet byte-identical', () => {
  if (!data) return;
  const { db, decisionTime: T, build } = setUp('lookahead.db');
  const before = canonicalJson(build());
  const later = fc.integer({ min: 1, max: 7 * 86_400_000 });
  const price = fc.integer({ min: 1, max: 10 ** 9 }).map((n) => String(BigInt(n) * 10n ** 6n));
  const write = fc.oneof(
    fc.record({ kind: fc.constant('candle' as const), asset: fc.constantFrom('BTC', 'ETH'), after: later, hourly: fc.boolean(), price }),
    fc.record({
      kind: fc.constant('indicator' as const),
      asset: fc.constantFrom('BTC', 'ETH'),
      after: later,
      value: fc.double({ min: -1e6, max: 1e6, noNaN: true }),
    }),
    fc.record({ kind: fc.constant('funding' as const), asset: fc.constantFrom('BTC', 'ETH'), after: later, price }),
    fc.record({ kind: fc.constant('context' as const), asset: fc.constantFrom('BTC', 'ETH'), after: later, price }),
    fc.record({ kind: fc.constant('llama' as const), after: later, value: fc.double({ min: 0, max: 1e12, noNaN: true }) }),
    fc.record({ kind: fc.constant('polymarket' as const), after: later, price }),
    fc.record({ kind: fc.constant('change' as const), after: later, price }),
  );
  fc.assert(
    fc.property(fc.array(write, { minLength: 1, maxLength: 6 }), (writes) => {
      db.exec('SAVEPOINT lookahead');
      try {
        for (const w of writes) {
          const t = T + w.after;
          if (w.kind === 'candle') {
            const step = w.hourly ? 3_600_000 : 60_000;
            const open = t - (t % step);
            db.prepare(
              `INSERT OR REPLACE INTO market_candles (asset, interval_ms, open_time, close_time, open, high, low, close, volume)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
            ).run(w.asset, step, Math.max(open, T), Math.max(open, T) + step, w.price, w.price, w.price, w.price, w.price);
          } else if (w.kind === 'indicator') {
            db.prepare(
              `INSERT OR REPLACE INTO market_indicators (asset, open_time, close_time, rsi14, sma20, ema20, bb_middle, bb_upper, bb_lower, macd, macd_signal, macd_histogram)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
            ).run(w.asset, t - 59_999, t, w.value, w.value, w.value, w.value, w.value, w.value, w.value, w.value, w.value);
          } else if (w.kind === 'funding') {
            db.prepare('INSERT OR REPLACE INTO market_funding (asset, hour, time, rate, premium) VALUES (?, ?, ?, ?, ?)').run(
              w.asset,
              t - (t % 3_600_000),
              t,
              w.price,
              '0',
            );
          } else if (w.kind === 'context') {
            db.prepare(
              'INSERT OR REPLACE INTO market_contexts (asset, time, funding, mark_px, day_ntl_vlm, open_interest) VALUES (?, ?, ?, ?, ?, ?)',
            ).run(w.asset, t, w.price, w.price, w.price, w.price);
          } else if (w.kind === 'llama') {
            db.prepare('INSERT OR REPLACE INTO defillama_points (scope_kind, scope_id, metric, time, value) VALUES (?, ?, ?, ?, ?)').run(
              'protocol',
              'hyperliquid-hlp',
              'tvl',
              t,
              w.value,
            );
          } else if (w.kind === 'polymarket') {
            db.prepare(
              `INSERT OR REPLACE INTO polymarket_markets (market_id, source_time, observed_at, slug, question, event_slug, event_title, end_time, volume, liquidity, active, closed)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, 0)`,
            ).run(`m-${t}`, t, t, 'nvidia-largest-company-in-july', `changed ${w.price}`, 'e', 'E', t + 86_400_000, 1, 1);
          } else {
            // Change every stored row after T (the 1h candle still open at T, contexts after T).
            db.prepare('UPDATE market_candles SET close = ? WHERE close_time > ?').run(w.price, T);
            db.prepare('UPDATE market_contexts SET mark_px = ? WHERE time > ?').run(w.price, T);
            db.prepare('UPDATE market_indicators SET rsi14 = 1 WHERE close_time > ?').run(T);
          }
        }
        assert.is(canonicalJson(build()), before);
      } finally {
        db.exec('ROLLBACK TO lookahead; RELEASE lookahead');
      }
    }),
    { seed: fcSeed, numRuns: Math.max(10, Math.floor(fcRuns / 2)) },
  );
});

test('prompt v1 equals its golden file (UPDATE_GOLDEN=1 rewrites it)', () => {
  if (!data) return;
  const { prompt } = setUp('golden.db').build();
  const text = `${prompt.templateVersion}\n=== system ===\n${prompt.system}\n=== user ===\n${prompt.user}\n=== estimate ===\n${prompt.estimatedTokens} of ${prompt.budgetTokens}\n`;
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(GOLDEN, text);
  assert.fixture(text, readFileSync(GOLDEN, 'utf8'));
});

test.run();
