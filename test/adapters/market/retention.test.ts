/**
 * Retention on real candles: rows past their horizon are archived, then deleted; a crash
 * injected between the archive and the delete loses nothing and duplicates nothing; an
 * archived day restores exactly; the same path against a real S3-compatible server (s3rver).
 */
import { gunzipSync } from 'node:zlib';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { openArtifactStore } from '../../../adapters/artifacts/open.ts';
import type { ArtifactStore } from '../../../adapters/artifacts/store.ts';
import { DerivedSeries } from '../../../adapters/market/derived/derived-series.ts';
import { MarketMemory } from '../../../adapters/market/market-memory.ts';
import { archiveKey, assetSegment, DAY_MS, listArchives, MarketRetention, restoreArchive } from '../../../adapters/market/retention.ts';
import { openDatabase } from '../../../core/database.ts';
import { csvCandles } from '../../support/hyperliquid-stub.ts';
import { sharedData } from '../../support/prop-trading.ts';
import { startS3Server } from '../../support/s3rver.ts';
import { tempDir } from '../../support/store.ts';

const data = sharedData();
const dir = tempDir();
/** Three days of real BTC minutes, with indicators and the 1h rollup. */
const DAYS = 3;

function loaded(name: string) {
  const db = openDatabase(dir.file(name), { synchronous: 'OFF' });
  const memory = new MarketMemory(db);
  const candles = csvCandles(data as string, 'BTCUSDT_1m.csv', DAYS * 1440);
  memory.write({
    assets: [],
    candles,
    mids: candles.map((c) => ({ asset: 'BTC', time: c.openTime + 30_000, price: c.close })),
    funding: [],
  });
  new DerivedSeries(db).applyFinal(candles);
  return { db, candles, last: (candles[candles.length - 1]?.openTime ?? 0) + 60_000 };
}

const count = (db: ReturnType<typeof openDatabase>, sql: string) => db.prepare(sql).pluck().get() as number;
const everything = (db: ReturnType<typeof openDatabase>) =>
  ['market_candles', 'market_indicators', 'market_mids'].map((t) => db.prepare(`SELECT * FROM ${t} ORDER BY 1, 2, 3`).all());
const linesOf = async (store: ArtifactStore, key: string) =>
  gunzipSync((await store.get(key)) as Uint8Array)
    .toString('utf8')
    .trim()
    .split('\n');

async function archivesThenDeletes(store: ArtifactStore, name: string) {
  const { db, last, candles } = loaded(name);
  // every hour is final but the last (its xx:59 minute is not in the data)
  const hours = new Set(candles.map((c) => Math.floor(c.openTime / 3_600_000))).size - 1;
  const before = everything(db);
  const now = last; // the newest minute closed just now: 24 h of minutes stay, 7 days of hours stay
  const report = await new MarketRetention(db, store).run(now);
  const cutoff = now - DAY_MS;
  assert.is(count(db, `SELECT count(*) FROM market_candles WHERE interval_ms = 60000 AND close_time <= ${cutoff}`), 0, 'old minutes gone');
  assert.is(count(db, 'SELECT count(*) FROM market_candles WHERE interval_ms = 60000'), 1440, 'the last 24 h of minutes stay');
  assert.is(count(db, `SELECT count(*) FROM market_indicators WHERE close_time <= ${cutoff}`), 0);
  assert.is(count(db, 'SELECT count(*) FROM market_candles WHERE interval_ms = 3600000'), hours, 'final hourly rollups stay 7 days');
  assert.ok(report.rows > 0 && report.files.length >= 2, `${report.files.length} files, ${report.rows} rows`);
  const listed = await listArchives(store, 'BTC');
  assert.equal(
    listed.map((a) => a.key),
    [...new Set(report.files)].sort(),
  );

  // restore every archived day into a fresh database: with the rows kept, it is the original data
  const back = openDatabase(dir.file(`${name}-restored.db`), { synchronous: 'OFF' });
  for (const a of listed) {
    const day = Date.parse(`${a.key.slice(-20, -10)}T00:00:00Z`) / DAY_MS;
    await restoreArchive(back, store, 'BTC', day);
  }
  for (const t of ['market_candles', 'market_indicators', 'market_mids']) {
    back.exec(`ATTACH '${dir.file(name)}' AS kept; INSERT INTO main.${t} SELECT * FROM kept.${t}; DETACH kept;`);
  }
  assert.equal(everything(back), before, 'archive + kept rows = the original rows');
  back.close();
  db.close();
}

test('retention archives rows past their horizon into the memory store, then deletes them; restore brings them back', async () => {
  if (!data) return;
  await archivesThenDeletes(openArtifactStore('memory:'), 'memory.db');
});

test('a crash between archive and delete loses nothing and duplicates nothing (file store)', async () => {
  if (!data) return;
  const store = openArtifactStore(`file:${dir.file('artifacts')}`);
  const { db, last } = loaded('crash.db');
  const firstDay = Math.floor((csvCandles(data, 'BTCUSDT_1m.csv', 1)[0]?.openTime ?? 0) / DAY_MS);
  const key = archiveKey('BTC', firstDay);
  const crashing = new MarketRetention(db, store, undefined, (k) => {
    if (k === key) throw new Error('crash after the archive write');
  });
  try {
    await crashing.run(last);
    assert.unreachable('the injected crash');
  } catch (err) {
    assert.match(String(err), /crash after the archive write/);
  }
  const archivedRows = (await linesOf(store, key)).length;
  const stillThere = count(db, `SELECT count(*) FROM market_candles WHERE interval_ms = 60000 AND open_time < ${(firstDay + 1) * DAY_MS}`);
  assert.ok(stillThere > 0, 'the crash came before the delete: the rows are still in the table');

  await new MarketRetention(db, store).run(last);
  assert.is((await linesOf(store, key)).length, archivedRows, 'the rerun merged the same rows: no duplicate line');
  assert.is(count(db, `SELECT count(*) FROM market_candles WHERE interval_ms = 60000 AND open_time < ${(firstDay + 1) * DAY_MS}`), 0);
  const again = await new MarketRetention(db, store).run(last);
  assert.equal(again, { files: [], rows: 0 }, 'a third run finds nothing to do');
  const lines = (await linesOf(store, key)).map((l) => JSON.parse(l) as { table: string });
  assert.is(lines.filter((l) => l.table === 'market_candles').length, stillThere, 'every minute of the day once');
  db.close();
});

test('the S3 path: archive, list and restore against a real S3-compatible server', async () => {
  if (!data) return;
  const s3 = await startS3Server('market-archive');
  try {
    await archivesThenDeletes(openArtifactStore('s3://market-archive/clash', s3.options), 's3.db');
  } finally {
    await s3.close();
  }
});

test('asset names outside the key alphabet are encoded, never colliding', () => {
  assert.is(assetSegment('kPEPE'), 'kPEPE');
  assert.is(assetSegment('PURR/USDC'), 'PURR=2FUSDC');
  assert.is(assetSegment('@107'), '=40107');
  assert.is.not(assetSegment('A_B'), assetSegment('A-B'));
});

test.after(() => dir.remove());
test.run();
