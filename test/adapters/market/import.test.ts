/** Market memory on the real shared data: every importer, idempotency, the price source and staleness. */
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { importMarketFile } from '../../../adapters/market/importers/import-file.ts';
import { MarketMemory } from '../../../adapters/market/market-memory.ts';
import { freshPrice } from '../../../adapters/market/price-source.ts';
import { openDatabase } from '../../../core/database.ts';
import type { ClashError } from '../../../core/errors.ts';
import { px, rate, sharedData } from '../../support/prop-trading.ts';
import { tempDir } from '../../support/store.ts';

const data = sharedData();
const dir = tempDir();
const market = (f: string) => join(data ?? '', 'market', f);
const SNAPSHOT_AT = Date.UTC(2023, 6, 17, 21, 43);
/** When the metaAndAssetCtxs snapshot was taken (≈ 2026-07-22 03:4x UTC, per the data README). */
const CTXS_AT = Date.UTC(2026, 6, 22, 3, 40);
const atOf = (f: string) => ({ at: f.includes('metaAndAssetCtxs') ? CTXS_AT : SNAPSHOT_AT });
const FILES = [
  'hyperliquid/python-sdk/responses/meta.2023-07-17.json',
  'hyperliquid/python-sdk/responses/allMids.2023-07-17.json',
  'hyperliquid/python-sdk/responses/fundingHistory.BTC.2023-05-12_to_2023-07-17.json',
  'hyperliquid/python-sdk/responses/candleSnapshot.kPEPE.1h.2023-05-21_to_2023-05-22.json',
  'hyperliquid/hyperprop-marketing-site/hyperliquid-metaAndAssetCtxs.json',
  'hyperliquid/hyperprop-marketing-site/hyperliquid-candleSnapshot-btc-1h.json',
  'hyperliquid/tripwire/fundingHistory.json',
  'candles-1m/bybit-linear/BTCUSDT_1m.csv',
];

test('every real file imports; importing it again changes nothing', () => {
  if (!data) return;
  const db = openDatabase(dir.file('market.db'));
  const memory = new MarketMemory(db);
  const first = FILES.map((f) => importMarketFile(memory, market(f), atOf(f)));
  assert.equal(
    first.map((s) => s.format),
    ['meta', 'allMids', 'fundingHistory', 'candleSnapshot', 'metaAndAssetCtxs', 'candleSnapshot', 'fundingHistory', 'bybit-csv'],
  );
  assert.is(first[7]?.counts.candles.written, 43_200);
  const digest = () =>
    ['market_assets', 'market_candles', 'market_mids', 'market_funding'].map((t) =>
      db.prepare(`SELECT * FROM ${t} ORDER BY 1, 2, 3`).all(),
    );
  const before = digest();
  // each file imported right after itself writes nothing (the registry is last-writer-wins, so
  // meta and metaAndAssetCtxs rewrite each other's leverage; the sequence as a whole ends the same)
  for (const f of FILES) {
    importMarketFile(memory, market(f), atOf(f));
    const again = importMarketFile(memory, market(f), atOf(f));
    for (const c of Object.values(again.counts)) assert.is(c.written, 0, f);
  }
  assert.equal(digest(), before);
  db.close();
});

test('decimal strings become fixed point exactly; the asset registry keeps szDecimals and max leverage', () => {
  if (!data) return;
  const memory = new MarketMemory(openDatabase(dir.file('market.db')));
  // the 2026 metaAndAssetCtxs was imported after the 2023 meta: BTC max leverage 40, 5 size decimals
  assert.equal(memory.asset('BTC'), { name: 'BTC', szDecimals: 5, maxLeverage: 40, kind: 'perp', enabled: true });
  // allMids: ETH "1903.95" at the snapshot time
  assert.equal(memory.priceAt('ETH', SNAPSHOT_AT), { asset: 'ETH', price: px('1903.95'), time: SNAPSHOT_AT, ageMs: 0 });
  // first BTC funding point: "-0.00061334" at 1683849600048 → the hour 1683849600000
  assert.equal(memory.fundingAt('BTC', 1683849600000), { asset: 'BTC', hour: 1683849600000, rate: rate('-0.00061334') });
  // Bybit 1m: the candle opened 2025-05-30 16:39 closes at 16:40 at 104337.8
  const close = Date.UTC(2025, 4, 30, 16, 40);
  assert.equal(memory.priceAt('BTC', close + 30_000), { asset: 'BTC', price: px('104337.8'), time: close, ageMs: 30_000 });
  memory.db.close();
});

test('the price source refuses a stale price and a missing one', () => {
  if (!data) return;
  const memory = new MarketMemory(openDatabase(dir.file('market.db')));
  const lastClose = Date.UTC(2025, 5, 29, 16, 39);
  assert.is(freshPrice(memory, 'BTC', lastClose + 60_000, 120_000).ageMs, 60_000);
  try {
    freshPrice(memory, 'BTC', lastClose + 120_001, 120_000);
    assert.unreachable();
  } catch (e) {
    assert.is((e as ClashError).code, 'stale_price');
    assert.is((e as ClashError).info.ageMs, 120_001);
  }
  try {
    freshPrice(memory, 'SOL', Date.UTC(2020, 0, 1), 120_000);
    assert.unreachable();
  } catch (e) {
    assert.is((e as ClashError).code, 'no_price');
  }
  memory.db.close();
});

test('a snapshot without a time of its own needs --at', () => {
  if (!data) return;
  const memory = new MarketMemory(openDatabase(dir.file('other.db')));
  assert.throws(() => importMarketFile(memory, market(FILES[1] as string)), /--at/);
  memory.db.close();
});

test.after(() => dir.remove());
test.run();
