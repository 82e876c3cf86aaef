/**
 * Market ingestion figures, each beside raw better-sqlite3 writing the same candle rows with
 * the same pragmas in the same run:
 *   1. 1m candles per second through the whole ingestion path — the WebSocket message text
 *      parsed and validated (zod), the open candle upserted, the previous one made final,
 *      indicators stepped and stored, the 1h rollup upserted, the state saved — against raw
 *      inserts of the same candle rows, one transaction per candle as the feed commits them;
 *   2. the steady load of every perp's 1m candle updates plus `allMids` once a second (mids
 *      stored every 10 s, as configured by default): simulated seconds handled per CPU second,
 *      against raw inserts of the same rows; the CPU share of one core is its inverse.
 * Candles are a deterministic random walk (no shared data needed).
 */
import { DerivedSeries } from '../../adapters/market/derived/derived-series.ts';
import { HyperliquidInfo } from '../../adapters/market/hyperliquid/info-client.ts';
import { parseWsMessage } from '../../adapters/market/hyperliquid/ws-feed.ts';
import { IngestionHealth } from '../../adapters/market/ingestion/health.ts';
import { HyperliquidIngestion } from '../../adapters/market/ingestion/hyperliquid-ingestion.ts';
import { LiveRows } from '../../adapters/market/live-rows.ts';
import { MarketMemory } from '../../adapters/market/market-memory.ts';
import { type Db, openDatabase } from '../../core/database.ts';
import type { TableSpec } from '../../core/projection.ts';
import { type Figure, figure, type Scratch } from './measure.ts';
import { captureRowWrites, RawRowWriter, writeRowsRate } from './row-capture.ts';

const START = Date.UTC(2026, 0, 5);
const MINUTE = 60_000;
const silent = { info: () => {}, warn: () => {} };

/** A wire candle message for `coin` at minute `m` (a deterministic walk around `base`). */
function candleText(coin: string, m: number, base: number, tick = 0): string {
  const x = base * (1 + 0.001 * Math.sin(m / 7 + tick / 13));
  const p = (v: number) => v.toFixed(2);
  const t = START + m * MINUTE;
  return JSON.stringify({
    channel: 'candle',
    data: {
      t,
      T: t + MINUTE - 1,
      s: coin,
      i: '1m',
      o: p(base),
      c: p(x),
      h: p(Math.max(base, x) * 1.0005),
      l: p(Math.min(base, x) * 0.9995),
      v: '12.345',
      n: 40,
    },
  });
}

function ingestionOn(file: string) {
  const db = openDatabase(file, { synchronous: 'NORMAL' });
  const memory = new MarketMemory(db);
  const health = new IngestionHealth(db, () => 0);
  const ingestion = new HyperliquidIngestion(
    {
      db,
      memory,
      live: new LiveRows(db, memory),
      derived: new DerivedSeries(db),
      info: new HyperliquidInfo('http://127.0.0.1:9/info'),
      health,
      log: silent,
      now: () => 0,
    },
    {
      wsUrl: 'ws://127.0.0.1:9/ws',
      assets: [],
      contextsEveryMs: 60_000,
      predictedFundingEveryMs: 60_000,
      midsEveryMs: 10_000,
      heartbeatMs: 30_000,
      baseBackoffMs: 500,
      maxBackoffMs: 30_000,
      maxBackfillMs: 0,
      staleAfterMs: 120_000,
    },
  );
  return { db, ingestion, health };
}

/** The tables ingestion writes, as `TableSpec`s read from the live schema (for the row capture and the raw writer). */
function specsOf(db: Db): TableSpec[] {
  const tables = db
    .prepare<[], { name: string }>(
      "SELECT name FROM sqlite_schema WHERE type = 'table' AND (name LIKE 'market\\_%' ESCAPE '\\') ORDER BY name",
    )
    .all()
    .map((t) => t.name);
  return tables.map((name) => {
    const cols = db.prepare<[], { name: string; type: string; pk: number }>(`PRAGMA table_info(${name})`).all();
    return {
      name,
      columns: Object.fromEntries(cols.map((c) => [c.name, c.type])),
      primaryKey: cols
        .filter((c) => c.pk > 0)
        .sort((a, b) => a.pk - b.pk)
        .map((c) => c.name),
    };
  });
}

/**
 * Runs `feed` (which calls `step()` before each transaction's worth of work) on a capture
 * database and returns the rows each step wrote, and the file the raw writer replays them into
 * (a fresh file with ingestion's own schema and the same pragmas).
 */
async function capture(
  scratch: Scratch,
  feed: (ingestion: HyperliquidIngestion, health: IngestionHealth, step: () => void) => Promise<void>,
) {
  const { db, ingestion, health } = ingestionOn(scratch.file('capture'));
  const specs = specsOf(db);
  const cap = captureRowWrites(db, specs, false);
  await feed(ingestion, health, cap.next);
  const groups = cap.stop();
  db.close();
  const rawFile = scratch.file('raw');
  ingestionOn(rawFile).db.close();
  return { groups, specs, rawFile };
}

export async function runMarketBench(options: {
  scratch: Scratch;
  scale: number;
  rounds: number;
  onFigure: (f: Figure) => void;
}): Promise<Figure[]> {
  const figures: Figure[] = [];
  const candles = Math.max(200, Math.round(20_000 * options.scale));
  const texts = Array.from({ length: candles }, (_, m) => candleText('BTC', m, 100_000));
  let ours = 0;
  let raw = 0;
  for (let r = 0; r < options.rounds; r++) {
    const { groups, specs, rawFile } = await capture(options.scratch, async (ingestion, _health, step) => {
      ingestion.useCoins(['BTC']);
      for (const text of texts) {
        step();
        await ingestion.accept(parseWsMessage(text), 0);
      }
    });
    raw = Math.max(raw, (writeRowsRate(rawFile, 'NORMAL', specs, groups) * candles) / Math.max(1, groups.length));
    const { db, ingestion } = ingestionOn(options.scratch.file('ingest-candles'));
    ingestion.useCoins(['BTC']);
    const started = performance.now();
    for (const text of texts) await ingestion.accept(parseWsMessage(text), 0);
    ours = Math.max(ours, candles / ((performance.now() - started) / 1000));
    db.close();
  }
  const f1 = figure(
    `market: 1m candles through the ingestion path (${candles.toLocaleString('en-US')} minutes: validate, upsert, indicators, 1h rollup)`,
    'candles/s',
    ours,
    raw,
    0.5,
    'raw: the same rows (candle, indicator row, state, 1h rollup) captured from the path, one transaction per candle as the feed commits them, same schema and pragmas',
  );
  options.onFigure(f1);
  figures.push(f1);

  // steady load: every perp's candle updated once a second, allMids once a second, health flushed once a second
  const perps = Array.from({ length: 180 }, (_, i) => `C${i}`);
  const seconds = Math.max(60, Math.round(600 * options.scale));
  const midsText = (s: number) =>
    JSON.stringify({
      channel: 'allMids',
      data: { mids: Object.fromEntries(perps.map((c, i) => [c, (100 + i + (s % 7) / 10).toFixed(2)])) },
    });
  const second = async (ingestion: HyperliquidIngestion, health: IngestionHealth, s: number, step: () => void) => {
    const at = START + s * 1000;
    const minute = Math.floor(s / 60);
    for (const [i, c] of perps.entries()) {
      step();
      await ingestion.accept(parseWsMessage(candleText(c, minute, 100 + i, s)), at);
    }
    step();
    await ingestion.accept(parseWsMessage(midsText(s)), at);
    step();
    health.flush();
  };
  let oursSeconds = 0;
  let rawSeconds = 0;
  for (let r = 0; r < options.rounds; r++) {
    const { groups, specs, rawFile } = await capture(options.scratch, async (ingestion, health, step) => {
      ingestion.useCoins(perps);
      for (let s = 0; s < seconds; s++) await second(ingestion, health, s, step);
    });
    const writer = new RawRowWriter(rawFile, 'NORMAL', specs);
    let cpu = process.cpuUsage();
    for (const g of groups) writer.writeGroup(g);
    let used = process.cpuUsage(cpu);
    writer.close();
    rawSeconds = Math.max(rawSeconds, seconds / ((used.user + used.system) / 1e6));

    const { db, ingestion, health } = ingestionOn(options.scratch.file('ingest-steady'));
    ingestion.useCoins(perps);
    cpu = process.cpuUsage();
    for (let s = 0; s < seconds; s++) await second(ingestion, health, s, () => {});
    used = process.cpuUsage(cpu);
    oursSeconds = Math.max(oursSeconds, seconds / ((used.user + used.system) / 1e6));
    db.close();
  }
  const f2 = figure(
    `market: steady load of ${perps.length} perps' 1m candles + allMids once a second (${seconds} simulated s)`,
    'simulated s per CPU s',
    oursSeconds,
    rawSeconds,
    undefined,
    `CPU share of one core: ${(100 / oursSeconds).toFixed(2)} % (target < 5 %); raw writes of the same rows: ${(100 / rawSeconds).toFixed(2)} %`,
  );
  options.onFigure(f2);
  figures.push(f2);
  return figures;
}
