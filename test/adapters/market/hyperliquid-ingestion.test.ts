/**
 * Hyperliquid ingestion against a local stub replaying the recorded payloads and streaming
 * candles synthesized from the real 1m CSVs: subscribe, receive, store; a dropped connection's
 * gap backfilled with no minute missing or duplicated; malformed payloads counted, not stored;
 * a registry refresh that changes szDecimals or max leverage changes what the gates read.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DerivedSeries } from '../../../adapters/market/derived/derived-series.ts';
import { HyperliquidInfo } from '../../../adapters/market/hyperliquid/info-client.ts';
import { HyperliquidWsFeed } from '../../../adapters/market/hyperliquid/ws-feed.ts';
import { IngestionHealth, ingestionStatus } from '../../../adapters/market/ingestion/health.ts';
import { HyperliquidIngestion } from '../../../adapters/market/ingestion/hyperliquid-ingestion.ts';
import { LiveRows } from '../../../adapters/market/live-rows.ts';
import { MarketMemory } from '../../../adapters/market/market-memory.ts';
import { openDatabase } from '../../../core/database.ts';
import { csvCandles, startHyperliquidStub, testIngestionOptions, until, wireCandle } from '../../support/hyperliquid-stub.ts';
import { sharedData } from '../../support/prop-trading.ts';
import { tempDir } from '../../support/store.ts';

const data = sharedData();
const dir = tempDir();
const silent = { info: () => {}, warn: () => {} };

async function setup(name: string) {
  const stub = await startHyperliquidStub(data as string);
  const db = openDatabase(dir.file(`${name}.db`), { synchronous: 'NORMAL' });
  const memory = new MarketMemory(db);
  const derived = new DerivedSeries(db);
  const health = new IngestionHealth(db, () => Date.now());
  const ingestion = new HyperliquidIngestion(
    {
      db,
      memory,
      live: new LiveRows(db, memory),
      derived,
      info: new HyperliquidInfo(stub.infoUrl, 2000),
      health,
      log: silent,
      now: () => Date.now(),
    },
    testIngestionOptions(stub.wsUrl, ['BTC', 'ETH']),
  );
  const stored = (asset: string) =>
    db
      .prepare<[string], { open_time: number; open: string; high: string; low: string; close: string; volume: string }>(
        'SELECT open_time, open, high, low, close, volume FROM market_candles WHERE asset = ? AND interval_ms = 60000 ORDER BY open_time',
      )
      .all(asset);
  return { stub, db, memory, derived, health, ingestion, stored };
}

test('subscribe, receive and store; a dropped connection is resubscribed and its gap backfilled from REST', async () => {
  if (!data) return;
  const { stub, db, ingestion, stored, health } = await setup('gap');
  const btc = csvCandles(data, 'BTCUSDT_1m.csv', 12);
  stub.candles.set('BTC', btc);
  await ingestion.refreshRegistry();
  await until(() => stub.connections() === 1, 'the websocket subscription');
  const minute = (i: number, partial = false) => {
    const c = btc[i] as (typeof btc)[number];
    // an update mid-minute first (open only), then the minute's final values
    stub.send(
      'candle',
      partial ? { ...wireCandle(c), h: wireCandle(c).o, l: wireCandle(c).o, c: wireCandle(c).o, v: '0.0' } : wireCandle(c),
    );
  };
  for (let i = 0; i <= 5; i += 1) {
    minute(i, true);
    minute(i);
  }
  minute(6, true); // minute 6 is open when the connection drops: its last values are never sent
  await until(() => stored('BTC').length === 7, 'minutes 0-6 stored');
  await ingestion.idle();
  assert.is(stored('BTC').length, 7, 'the open candle is one row, updated in place');

  stub.drop({ refuse: true });
  await new Promise((r) => setTimeout(r, 100)); // minutes 6 (rest), 7 and 8 pass while the feed is down
  stub.accept();
  await until(() => stub.connections() === 1, 'resubscribed after the drop');
  minute(9);
  minute(10);
  await until(() => stored('BTC').length === 11, 'minutes 0-10 stored');
  await ingestion.idle();

  const rows = stored('BTC');
  assert.equal(
    rows.map((r) => r.open_time),
    btc.slice(0, 11).map((c) => c.openTime),
    'every minute once, none missing',
  );
  for (const [i, r] of rows.slice(0, 10).entries()) {
    const c = btc[i] as (typeof btc)[number];
    assert.equal([r.open, r.high, r.low, r.close, r.volume], [c.open, c.high, c.low, c.close, c.volume].map(String), `minute ${i} final`);
  }
  const backfills = stub.requests.filter((r) => r.type === 'candleSnapshot');
  assert.ok(backfills.length >= 1, 'the gap came from candleSnapshot');
  const derived = db
    .prepare<[], { n: number; last: number }>("SELECT count(*) AS n, max(open_time) AS last FROM market_indicators WHERE asset = 'BTC'")
    .get();
  assert.equal(derived, { n: 10, last: btc[9]?.openTime }, 'every final minute, and only finals, reached the indicators');

  health.flush();
  const candles = ingestionStatus(db, (btc[10]?.openTime ?? 0) + 30_000).find((h) => h.channel === 'candles');
  assert.is(candles?.coverage?.expected, 2, 'BTC and ETH expected');
  assert.is(candles?.coverage?.fresh, 1, 'only BTC streamed');
  await ingestion.stop();
  await stub.close();
  db.close();
});

test('malformed payloads are counted against their channel and never stored', async () => {
  if (!data) return;
  const { stub, db, ingestion, stored, health } = await setup('malformed');
  const btc = csvCandles(data, 'BTCUSDT_1m.csv', 2);
  await ingestion.refreshRegistry();
  const mids = () => db.prepare("SELECT count(*) AS n FROM market_mids WHERE asset = 'BTC'").pluck().get();
  const midsBefore = mids();
  await until(() => stub.connections() === 1, 'subscribed');
  stub.send('candle', { ...wireCandle(btc[0] as (typeof btc)[number]), c: 'not a price' });
  stub.send('candle', { ...wireCandle(btc[0] as (typeof btc)[number]), t: 'soon' });
  stub.send('allMids', { mids: { BTC: 12 } });
  stub.sendRaw('{not json');
  stub.send('candle', wireCandle(btc[1] as (typeof btc)[number]));
  await until(() => stored('BTC').length === 1, 'the valid candle');
  await ingestion.idle();
  health.flush();
  const status = ingestionStatus(db, Date.now());
  const of = (channel: string) => status.find((h) => h.channel === channel);
  assert.is(of('candles')?.invalidPayloads, 2);
  assert.is(of('mids')?.invalidPayloads, 1);
  assert.is(of('ws')?.invalidPayloads, 1);
  assert.match(of('candles')?.lastError ?? '', /invalid payload: t: /);
  assert.equal(
    stored('BTC').map((r) => r.open_time),
    [btc[1]?.openTime],
    'only the valid candle is stored',
  );
  assert.is(mids(), midsBefore, 'the invalid allMids stored nothing');
  await ingestion.stop();
  await stub.close();
  db.close();
});

test('a registry refresh that changes szDecimals or max leverage changes what the trading gates read', async () => {
  if (!data) return;
  const { stub, db, memory, ingestion } = await setup('registry');
  await ingestion.refreshRegistry();
  assert.equal(memory.asset('BTC'), { name: 'BTC', szDecimals: 5, maxLeverage: 40, kind: 'perp', enabled: true });
  const [meta, ctxs] = stub.meta as [
    { universe: { name: string; szDecimals: number; maxLeverage: number; isDelisted?: boolean }[] },
    unknown[],
  ];
  const changed = meta.universe.map((u) =>
    u.name === 'BTC' ? { ...u, szDecimals: 3, maxLeverage: 10 } : u.name === 'ETH' ? { ...u, isDelisted: true } : u,
  );
  stub.meta = [{ ...meta, universe: changed }, ctxs];
  await ingestion.refreshRegistry();
  assert.equal(memory.asset('BTC'), { name: 'BTC', szDecimals: 3, maxLeverage: 10, kind: 'perp', enabled: true });
  assert.is(memory.asset('ETH')?.enabled, false, 'a delisted asset is disabled');
  const live = new LiveRows(db, memory);
  assert.equal(live.details('BTC'), { name: 'BTC', marginTableId: 56, onlyIsolated: false, delisted: false });
  assert.is(live.contextAt('BTC', Date.now())?.markPx, '6630320000000');
  await until(() => stub.connections() === 1, 'resubscribed to BTC only');
  await ingestion.stop();
  await stub.close();
  db.close();
});

test('heartbeats: a connection that answers nothing, not even pings, is closed and reopened with its subscriptions', async () => {
  if (!data) return;
  const stub = await startHyperliquidStub(data);
  const events: string[] = [];
  const feed = new HyperliquidWsFeed(
    { url: stub.wsUrl, coins: ['BTC'], heartbeatMs: 150, baseBackoffMs: 10, maxBackoffMs: 20 },
    {
      onMessage: () => {},
      onOpen: () => events.push('open'),
      onReconnect: () => events.push('reconnect'),
      onError: (err) => events.push(`error: ${err.message}`),
    },
  );
  feed.start();
  try {
    await until(() => stub.connections() === 1, 'subscribed');
    stub.silent = true;
    await until(() => events.some((e) => e.startsWith('error: no message for')), 'the silence detected', 15_000);
    stub.silent = false;
    await until(() => stub.opened() >= 2 && stub.connections() === 1, 'reconnected and resubscribed', 15_000);
    assert.ok(events.includes('reconnect'), events.join('; '));
  } finally {
    await feed.stop();
    await stub.close();
  }
});

test.after(() => dir.remove());
test.run();
