/** clash market show, market archive list|restore, ingest status and ingest backfill, end to end on real data. */
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { openArtifactStore } from '../../adapters/artifacts/open.ts';
import { DerivedSeries } from '../../adapters/market/derived/derived-series.ts';
import { MarketRetention } from '../../adapters/market/retention.ts';
import { openDatabase } from '../../core/database.ts';
import { clash } from '../support/cli.ts';
import { csvCandles, startHyperliquidStub } from '../support/hyperliquid-stub.ts';
import { sharedData } from '../support/prop-trading.ts';
import { tempDir } from '../support/store.ts';

const data = sharedData();
const dir = tempDir();
const db = dir.file('market.db');

test('market show prints the candle, mid, funding and every indicator at a time, exactly as stored', async () => {
  if (!data) return;
  const csv = join(data, 'market/candles-1m/bybit-linear/BTCUSDT_1m.csv');
  const imported = await clash(['market', 'import', '--db', db, csv]);
  assert.is(imported.code, 0, imported.stderr);
  const candles = csvCandles(data, 'BTCUSDT_1m.csv', 500);
  const c = candles[399] as (typeof candles)[number];
  const at = new Date(c.openTime + 60_000).toISOString(); // the moment minute 399 closes
  const shown = await clash(['market', 'show', 'BTC', '--at', at, '--db', db, '--json']);
  assert.is(shown.code, 0, shown.stderr);
  const view = JSON.parse(shown.stdout) as { candle1m: { openTime: string; close: string }; indicators: Record<string, number | null> };
  assert.is(view.candle1m.openTime, new Date(c.openTime).toISOString(), 'the last candle closed by --at, not the one still open');
  assert.is(view.candle1m.close, (Number(c.close) / 1e8).toFixed(8));
  const stored = new DerivedSeries(openDatabase(db)).indicatorsAt('BTC', c.openTime + 60_000);
  assert.is(view.indicators.rsi14, stored?.rsi14 ?? null);
  assert.is(view.indicators.macdSignal, stored?.macdSignal ?? null);
  assert.ok(typeof view.indicators.bbUpper === 'number', 'warmed up after 400 minutes');
  const bad = await clash(['market', 'show', 'B T C', '--db', db]);
  assert.is(bad.code, 2);
});

test('market import refuses an endless or huge file at its bound, naming it', async () => {
  const scratch = dir.file('endless.db');
  const endless = await clash(['market', 'import', '--db', scratch, '/dev/zero']);
  assert.is(endless.code, 2, endless.stderr);
  assert.match(endless.stderr, /\/dev\/zero: .*larger than 134217728 bytes/);
});

test('market archive list and restore through the configured artifact store', async () => {
  if (!data) return;
  const artifacts = `file:${dir.file('artifacts')}`;
  const live = openDatabase(db);
  const last = (csvCandles(data, 'BTCUSDT_1m.csv')[43_199]?.openTime ?? 0) + 60_000;
  const report = await new MarketRetention(live, openArtifactStore(artifacts)).run(last);
  live.close();
  const env = { CLASH_ARTIFACTS_URL: artifacts, NODE_ENV: 'test' };
  const listed = await clash(['market', 'archive', 'list', '--asset', 'BTC', '--json'], undefined, env);
  assert.is(listed.code, 0, listed.stderr);
  const archives = (JSON.parse(listed.stdout) as { archives: { key: string }[] }).archives;
  assert.is(archives.length, new Set(report.files).size);
  const day = archives[3]?.key.slice(-20, -10) as string;
  const backtest = dir.file('backtest.db');
  const restored = await clash(
    ['market', 'archive', 'restore', '--asset', 'BTC', '--day', day, '--db', backtest, '--json'],
    undefined,
    env,
  );
  assert.is(restored.code, 0, restored.stderr);
  const rows = (JSON.parse(restored.stdout) as { rows: Record<string, number> }).rows;
  assert.is(rows.market_indicators, 1440, 'a whole day of indicator rows');
  const missing = await clash(['market', 'archive', 'restore', '--asset', 'BTC', '--day', '1999-01-01', '--db', backtest], undefined, env);
  assert.is(missing.code, 2);
  assert.match(missing.stderr, 'no such archive');
});

test('ingest status on a database without ingestion answers an empty list; ingest backfill pages and is idempotent', async () => {
  const fresh = dir.file('fresh.db');
  openDatabase(fresh).close();
  const status = await clash(['ingest', 'status', '--db', fresh, '--json']);
  assert.is(status.code, 0, status.stderr);
  assert.equal(JSON.parse(status.stdout), []);
  if (!data) return;
  const stub = await startHyperliquidStub(data);
  stub.candles.set('BTC', csvCandles(data, 'BTCUSDT_1m.csv', 7200));
  const first = stub.candles.get('BTC')?.[0]?.openTime ?? 0;
  const from = new Date(first).toISOString();
  const to = new Date(first + 7200 * 60_000).toISOString();
  const env = { HYPERLIQUID_API_URL: stub.infoUrl, NODE_ENV: 'test' };
  const argv = ['ingest', 'backfill', '--source', 'hyperliquid', '--asset', 'BTC', '--from', from, '--to', to, '--db', fresh, '--json'];
  const once = await clash(argv, undefined, env);
  assert.is(once.code, 0, once.stderr);
  assert.equal(JSON.parse(once.stdout), { asset: 'BTC', channel: 'candles', fetched: 7200, written: 7200 });
  const twice = await clash(argv, undefined, env);
  assert.equal(JSON.parse(twice.stdout), { asset: 'BTC', channel: 'candles', fetched: 7200, written: 0 });

  // funding: the recorded 1,038 BTC points, in pages of at most 500
  const funding = [
    'ingest',
    'backfill',
    '--source',
    'hyperliquid',
    '--asset',
    'BTC',
    '--channel',
    'funding',
    '--from',
    '2023-05-01T00:00:00Z',
    '--to',
    '2023-07-18T00:00:00Z',
    '--db',
    fresh,
    '--json',
  ];
  const f1 = await clash(funding, undefined, env);
  assert.is(f1.code, 0, f1.stderr);
  assert.equal(JSON.parse(f1.stdout), { asset: 'BTC', channel: 'funding', fetched: 1038, written: 1038 });
  assert.ok(stub.requests.filter((r) => r.type === 'fundingHistory').length >= 3, 'paged');
  const f2 = await clash(funding, undefined, env);
  assert.equal(JSON.parse(f2.stdout), { asset: 'BTC', channel: 'funding', fetched: 1038, written: 0 });
  const backwards = await clash([...argv.slice(0, 6), '--from', to, '--to', from, '--db', fresh], undefined, env);
  assert.is(backwards.code, 2);
  await stub.close();
});

test.after(() => dir.remove());
test.run();
