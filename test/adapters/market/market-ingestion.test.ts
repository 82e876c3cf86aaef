/**
 * The whole ingestion (Hyperliquid, Polymarket, DefiLlama, retention) against local stubs:
 * rows with their source time, invalid markets counted and skipped, health `ok` → `stale` when
 * the stub stops sending → `ok` when it resumes, and `failing` with backoff when a source is
 * unreachable.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { openArtifactStore } from '../../../adapters/artifacts/open.ts';
import { type ChannelHealth, ingestionStatus } from '../../../adapters/market/ingestion/health.ts';
import { type MarketIngestionOptions, startMarketIngestion } from '../../../adapters/market/ingestion/market-ingestion.ts';
import { DEFAULT_RETENTION } from '../../../adapters/market/retention.ts';
import { immediateAndLater, parseGammaMarkets, storeGammaMarkets } from '../../../adapters/market/sources/polymarket.ts';
import { openDatabase } from '../../../core/database.ts';
import { csvCandles, startHyperliquidStub, testIngestionOptions, until, wireCandle } from '../../support/hyperliquid-stub.ts';
import { sharedData } from '../../support/prop-trading.ts';
import { startSourceStub } from '../../support/source-stubs.ts';
import { tempDir } from '../../support/store.ts';

const data = sharedData();
const dir = tempDir();
const silent = { info: () => {}, warn: () => {} };

function options(hlInfo: string, hlWs: string, sources: string): MarketIngestionOptions {
  return {
    hyperliquid: { ...testIngestionOptions(hlWs, ['BTC']), apiUrl: hlInfo },
    polymarket: { url: sources, everyMs: 60_000, limit: 100 },
    defillama: {
      api: sources,
      stablecoins: sources,
      everyMs: 60_000,
      dimensionsEveryMs: 60_000,
      feeds: [{ metric: 'tvl', scopeKind: 'protocol', scopeId: 'hyperliquid-hlp' }],
    },
    healthFlushMs: 10,
    retention: { everyMs: 0, policy: DEFAULT_RETENTION, store: openArtifactStore('memory:') },
  };
}

test('polymarket and defillama rows are stored with their source time; health goes ok → stale → ok with the candle stream', async () => {
  if (!data) return;
  const hl = await startHyperliquidStub(data);
  const sources = await startSourceStub(data);
  const bad = { ...(sources.markets[0] as object), id: 'broken', outcomePrices: 'not json' };
  sources.markets = [...sources.markets, bad];
  const db = openDatabase(dir.file('all.db'), { synchronous: 'NORMAL' });
  const btc = csvCandles(data, 'BTCUSDT_1m.csv', 10);
  let now = (btc[0]?.openTime ?? 0) + 10_000;
  const running = startMarketIngestion(db, options(hl.infoUrl, hl.wsUrl, sources.url), silent, () => now);
  const of = (source: string, channel: string): ChannelHealth | undefined =>
    ingestionStatus(db, now).find((h) => h.source === source && h.channel === channel);
  try {
    await until(() => of('polymarket', 'markets')?.lastSuccessAt != null && of('defillama', 'tvl')?.lastSuccessAt != null, 'both polls');
    assert.is(db.prepare('SELECT count(DISTINCT market_id) FROM polymarket_markets').pluck().get(), 10, 'ten valid markets stored');
    assert.is(of('polymarket', 'markets')?.invalidPayloads, 1, 'the broken market counted');
    const nvidia = db
      .prepare<[], { source_time: number; question: string }>(
        "SELECT source_time, question FROM polymarket_markets WHERE market_id = '503051'",
      )
      .get();
    assert.equal(nvidia, { source_time: Date.parse('2024-07-15T17:26:02.372Z'), question: 'NVIDIA largest company in July?' });
    assert.equal(db.prepare("SELECT outcome, price FROM polymarket_outcomes WHERE market_id = '503051' ORDER BY outcome").all(), [
      { outcome: 'No', price: '0.88' },
      { outcome: 'Yes', price: '0.12' },
    ]);
    const tvl = db
      .prepare<[], { n: number; last: number }>("SELECT count(*) AS n, max(time) AS last FROM defillama_points WHERE metric = 'tvl'")
      .get();
    assert.equal(tvl, { n: 164, last: 1_747_051_955_000 }, 'every daily point, the last one intraday (2025-05-12T12:12:35Z)');
    assert.is(db.prepare("SELECT count(*) FROM defillama_points WHERE metric = 'flows'").pluck().get(), 163);
    await until(() => hl.connections() === 1, 'subscribed');
    hl.send('candle', wireCandle(btc[0] as (typeof btc)[number]));
    hl.send('candle', wireCandle(btc[1] as (typeof btc)[number]));
    now = (btc[1]?.openTime ?? 0) + 30_000;
    await until(() => of('hyperliquid', 'candles')?.state === 'ok', 'candles ok');
    assert.equal(of('hyperliquid', 'candles')?.coverage, { fresh: 1, expected: 1 });

    now += 5 * 60_000; // the stub stops sending for five minutes
    await until(() => of('hyperliquid', 'candles')?.state === 'stale', 'candles stale');
    assert.equal(of('hyperliquid', 'candles')?.coverage, { fresh: 0, expected: 1 });
    hl.send('candle', wireCandle(btc[7] as (typeof btc)[number]));
    await until(() => of('hyperliquid', 'candles')?.state === 'ok', 'candles ok again');
  } finally {
    await running.stop();
    await hl.close();
    await sources.close();
    db.close();
  }
});

test('the immediate and the later market of a subject: open, ending soonest first, known at the time asked', () => {
  if (!data) return;
  const recorded = JSON.parse(readFileSync(join(data, 'polymarket', 'ten_markets.json'), 'utf8')) as {
    id: string;
    endDate: string;
    updatedAt: string;
  }[];
  const nvidia = recorded.find((m) => m.id === '503051') as (typeof recorded)[number];
  const august = { ...nvidia, id: 'aug', endDate: '2024-08-31T12:00:00Z', slug: 'nvidia-largest-company-in-august' };
  const september = { ...nvidia, id: 'sep', endDate: '2024-09-30T12:00:00Z', slug: 'nvidia-largest-company-in-september' };
  const { markets, invalid } = parseGammaMarkets([september, nvidia, august]);
  assert.equal(invalid, []);
  const db = openDatabase(dir.file('subjects.db'));
  const observed = Date.parse('2024-07-15T18:00:00Z');
  storeGammaMarkets(db, markets, observed);
  const at = (iso: string) => immediateAndLater(db, 'nvidia-largest-company-in-july', Date.parse(iso));
  assert.equal([at('2024-07-20T00:00:00Z').immediate?.marketId, at('2024-07-20T00:00:00Z').later?.marketId], ['503051', 'aug']);
  assert.equal(
    [at('2024-08-01T00:00:00Z').immediate?.marketId, at('2024-08-01T00:00:00Z').later?.marketId],
    ['aug', 'sep'],
    'July has ended',
  );
  assert.equal(at('2024-07-15T17:00:00Z'), { immediate: null, later: null }, 'nothing observed yet at that time');
  db.close();
});

test('with every source unreachable, each channel is failing and retried with backoff; nothing throws', async () => {
  const db = openDatabase(dir.file('offline.db'), { synchronous: 'NORMAL' });
  const closed = 'http://127.0.0.1:9';
  const running = startMarketIngestion(db, options(`${closed}/info`, 'ws://127.0.0.1:9/ws', closed), silent, () => Date.now());
  try {
    await until(() => {
      const s = ingestionStatus(db, Date.now());
      const failing = (source: string, channel: string) => s.find((h) => h.source === source && h.channel === channel)?.state === 'failing';
      return failing('hyperliquid', 'contexts') && failing('polymarket', 'markets') && failing('defillama', 'tvl');
    }, 'every source failing');
    await until(
      () => (ingestionStatus(db, Date.now()).find((h) => h.channel === 'contexts')?.consecutiveErrors ?? 0) >= 2,
      'a retry after backoff',
    );
    const contexts = ingestionStatus(db, Date.now()).find((h) => h.channel === 'contexts');
    assert.match(contexts?.lastError ?? '', /unreachable/);
  } finally {
    await running.stop();
    db.close();
  }
});

test.after(() => dir.remove());
test.run();
