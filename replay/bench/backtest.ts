/**
 * Backtest replay speed (issue 14, "Benchmark"): simulated decision steps per wall second with
 * the `rules` engine over 1m BTC, ETH and SOL from the recorded data (30 days × `--scale`), at
 * 5-minute steps deciding every step for every asset — the whole runtime: the packet and prompt
 * compiled as of T, the engine, the strict parser, validation, Prop Trading's decider for fills,
 * marks and funding, the curve, metrics and artifacts to `memory:`. Beside it, in the same run,
 * a raw loop over the same steps: the rows the packet holds (an hour of 1m candles and RSI, the
 * latest context) and the price and indicator the rule reads, as bare prepared statements; the
 * same trend rule inline; the same fill arithmetic (notional → size rounded to the asset's
 * decimals, slippage, taker fee) on bigints; the same artifact line writes (the rows read, as
 * one JSON line per decision) — no context compiler, prompt, engine, parser, validation or
 * decider. Target ratio ≥ 0.3. Prints the peak
 * RSS of the process. Needs the recorded data (`CLASH_SHARED_DATA` or `../shared/data`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { MemoryArtifactStore } from '../../adapters/artifacts/memory.ts';
import { metaAndCtxRows, zMetaAndAssetCtxs } from '../../adapters/market/importers/hyperliquid.ts';
import { MarketMemory } from '../../adapters/market/market-memory.ts';
import { PartWriter } from '../../commands/backtests/artifact-parts.ts';
import { replay } from '../../commands/backtests/replay.ts';
import { rulesEngine } from '../../commands/decisions/engines/rules.ts';
import { tiers } from '../../commands/entitlements/tiers.ts';
import { DEFAULT_RULES, DEFAULT_STARTING_EQUITY } from '../../commands/prop-trading/rules.ts';
import { type Db, openDatabase } from '../../core/database.ts';
import { mulDiv } from '../../core/money.ts';
import { marketAsOf } from '../../server/ai-trading.ts';
import { replayContextOf, replayMarketOf } from '../../server/backtest-replay.ts';
import { fastStrategy } from './backtest-data.ts';
import { loadCandles } from './decision-data.ts';
import { type Figure, figure, type Scratch } from './measure.ts';

const MINUTE = 60_000;
const STEP = 5 * MINUTE;
const ASSETS = ['BTC', 'ETH', 'SOL'] as const;

/** Loads `minutes` of each asset's 1m candles with their indicators and the registry; returns the first and last common close times. */
function load(db: Db, shared: string, minutes: number): { first: number; last: number } {
  const { firstClose, lastClose } = loadCandles(db, shared, ASSETS, minutes);
  const ctxs = zMetaAndAssetCtxs.parse(
    JSON.parse(
      readFileSync(join(shared, 'market', 'hyperliquid', 'hyperprop-marketing-site', 'hyperliquid-metaAndAssetCtxs.json'), 'utf8'),
    ),
  );
  new MarketMemory(db).write({ ...metaAndCtxRows(ctxs, firstClose), mids: [], funding: [], candles: [] });
  return { first: firstClose, last: lastClose };
}

/** The raw loop: same reads, the trend rule inline, the same fill arithmetic and line writes. */
async function rawLoop(db: Db, from: number, to: number): Promise<number> {
  const price = db.prepare<[string, number], { close: string }>(
    'SELECT close FROM market_candles WHERE asset = ? AND close_time <= ? ORDER BY close_time DESC LIMIT 1',
  );
  const ind = db.prepare<[string, number, number, number], { ema20: number | null; macd_histogram: number | null; rsi14: number | null }>(
    'SELECT ema20, macd_histogram, rsi14 FROM market_indicators WHERE asset = ? AND open_time >= ? AND open_time <= ? AND close_time <= ? ORDER BY open_time DESC LIMIT 1',
  );
  // the rows the `fast` profile's packet holds (an hour of 1m candles and RSI, the latest context), as bare statements
  const window = db.prepare<[string, number, number, number]>(
    `SELECT open_time, open, high, low, close, volume FROM market_candles
     WHERE asset = ? AND interval_ms = 60000 AND open_time >= ? AND open_time <= ? AND close_time <= ? ORDER BY open_time`,
  );
  const rsi = db.prepare<[string, number, number, number]>(
    'SELECT open_time, rsi14 FROM market_indicators WHERE asset = ? AND open_time >= ? AND open_time <= ? AND close_time <= ? ORDER BY open_time',
  );
  const context = db.prepare<[string, number]>('SELECT * FROM market_contexts WHERE asset = ? AND time <= ? ORDER BY time DESC LIMIT 1');
  const lines = new PartWriter(new MemoryArtifactStore(), 'raw/');
  const size = new Map<string, bigint>();
  let cash = DEFAULT_STARTING_EQUITY;
  let decisions = 0;
  for (let at = from; at < to; at += STEP) {
    for (const asset of ASSETS) {
      decisions += 1;
      const p = BigInt(price.get(asset, at)?.close ?? '0');
      const i = ind.get(asset, at - MINUTE, at, at);
      const rows = [window.all(asset, at - 60 * MINUTE, at, at), rsi.all(asset, at - 60 * MINUTE, at, at), context.get(asset, at)];
      const held = size.get(asset) ?? 0n;
      const up = i?.ema20 != null && i.macd_histogram != null && Number(p) / 1e8 > i.ema20 && i.macd_histogram > 0;
      if (held === 0n && up && (i?.rsi14 ?? 100) < 70) {
        const notional = mulDiv(cash, 2_000n, 10_000n, 'floor');
        const fillPrice = mulDiv(p, 1_000_000n + BigInt(DEFAULT_RULES.slippagePpm), 1_000_000n, 'ceil');
        const qty = (mulDiv(notional, 10n ** 10n, fillPrice, 'floor') / 10_000n) * 10_000n;
        const fee = mulDiv(mulDiv(qty, fillPrice, 10n ** 10n, 'floor'), BigInt(DEFAULT_RULES.takerFeePpm), 1_000_000n, 'ceil');
        cash -= fee;
        size.set(asset, qty);
        await lines.add({ at, asset, rows, price: fillPrice.toString(), size: qty.toString(), fee: fee.toString() });
      } else if (held !== 0n && i?.macd_histogram != null && i.macd_histogram < 0) {
        size.set(asset, 0n);
        await lines.add({ at, asset, rows, close: p.toString() });
      } else await lines.add({ at, asset, rows, hold: true });
    }
  }
  await lines.flush();
  return decisions;
}

export async function runBacktestBench(options: {
  scratch: Scratch;
  scale: number;
  rounds: number;
  onFigure: (f: Figure) => void;
}): Promise<Figure[]> {
  const shared = process.env.CLASH_SHARED_DATA ?? resolve(process.cwd(), '../shared/data');
  if (!existsSync(resolve(shared, 'market'))) {
    process.stderr.write(`backtest: skipped (no recorded data at ${shared}; set CLASH_SHARED_DATA)\n`);
    return [];
  }
  const days = Math.max(1, Math.round(30 * options.scale));
  const db = openDatabase(options.scratch.file('backtest'), { synchronous: 'OFF' });
  try {
    const { first, last } = load(db, shared, days * 1440);
    // an hour of warm-up for the indicators, then whole steps
    const from = first + 60 * MINUTE;
    const to = from + Math.floor((last - from) / STEP) * STEP;
    const market = marketAsOf(db);
    const prices = replayMarketOf(db);
    const strategy = {
      cloneId: 'bench',
      strategyVersionId: 'bench',
      graph: fastStrategy(ASSETS, { behavior: 'Follow the trend.', cadenceSec: 300, maxCandidates: 10 }),
      layout: {},
      modelTier: 'basic' as const,
      limits: tiers.pro,
      universe: { taxonomyVersion: 0, assets: [] },
    };
    const context = replayContextOf(strategy, market, prices);
    let ours = 0;
    let raw = 0;
    let decided = 0;
    for (let round = 0; round < options.rounds; round++) {
      let started = performance.now();
      const rawDecisions = await rawLoop(db, from, to);
      raw = Math.max(raw, rawDecisions / ((performance.now() - started) / 1000));
      started = performance.now();
      const result = await replay(
        {
          backtestId: `bench-${round}`,
          cloneId: 'bench',
          strategyVersionId: 'bench',
          propAccountId: `backtest-bench-${round}`,
          run: {
            strategy: { kind: 'version', versionId: 'bench' },
            fromMs: from,
            toMs: to,
            assets: [...ASSETS],
            engine: 'rules',
            stepMs: STEP,
            decisionIntervalMs: STEP,
          },
          startingEquityMicroUsd: DEFAULT_STARTING_EQUITY,
          rules: DEFAULT_RULES,
        },
        { market: prices, context, engine: rulesEngine, artifacts: new MemoryArtifactStore() },
      );
      decided = Object.values(result.decisions).reduce((s, n) => s + n, 0);
      ours = Math.max(ours, decided / ((performance.now() - started) / 1000));
    }
    const rssMb = process.resourceUsage().maxRSS / 1024;
    const f = figure(
      `backtest replay: decision steps per wall second, rules engine, ${days} days of 1m BTC/ETH/SOL at 5-minute steps`,
      'steps/s',
      ours,
      raw,
      0.3,
      `${decided} decision steps per run; raw: the packet's rows and the rule's reads as bare statements, the rule, fill arithmetic and line writes without the runtime; peak RSS ${rssMb.toFixed(0)} MB`,
    );
    options.onFigure(f);
    return [f];
  } finally {
    db.close();
  }
}
