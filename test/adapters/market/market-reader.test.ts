/**
 * Reading market memory as of a time T: nothing after T is ever returned — candles still open
 * at T, mids, contexts, funding and indicator rows stamped after T — and the registry view
 * carries each asset's channels (no funding for spot).
 */
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DerivedSeries } from '../../../adapters/market/derived/derived-series.ts';
import { LiveRows } from '../../../adapters/market/live-rows.ts';
import { MarketMemory } from '../../../adapters/market/market-memory.ts';
import { MarketReader } from '../../../adapters/market/market-reader.ts';
import { openDatabase } from '../../../core/database.ts';
import { csvCandles } from '../../support/hyperliquid-stub.ts';
import { sharedData } from '../../support/prop-trading.ts';
import { fcRuns, fcSeed, tempDir } from '../../support/store.ts';

const data = sharedData();
const dir = tempDir();

test('property: every row the reader returns at T was known at T, and the newest such row is the one returned', () => {
  if (!data) return;
  const db = openDatabase(dir.file('asof.db'), { synchronous: 'OFF' });
  const memory = new MarketMemory(db);
  const candles = csvCandles(data, 'ETHUSDT_1m.csv', 300);
  memory.write({
    assets: [],
    candles,
    mids: candles.map((c) => ({ asset: 'ETH', time: c.openTime + 20_000, price: c.open })),
    funding: candles
      .filter((c) => c.openTime % 3_600_000 === 0)
      .map((c) => ({ asset: 'ETH', time: c.openTime + 7, rate: 1000n, premium: 0n })),
  });
  new DerivedSeries(db).applyFinal(candles);
  const reader = new MarketReader(db);
  const first = candles[0]?.openTime ?? 0;
  fc.assert(
    fc.property(fc.integer({ min: first - 60_000, max: first + 310 * 60_000 }), (at) => {
      const snap = reader.snapshot('ETH', at);
      const closed = candles.filter((c) => c.openTime + 60_000 <= at);
      const newest = closed[closed.length - 1];
      assert.is(snap.candle1m?.openTime ?? null, newest ? new Date(newest.openTime).toISOString() : null);
      if (snap.mid) assert.ok(Date.parse(snap.mid.time) <= at);
      const fundingKnown = candles.some((c) => c.openTime % 3_600_000 === 0 && c.openTime + 7 <= at);
      assert.is(snap.fundingRatePerHour !== null, fundingKnown, 'a funding row only once stamped');
      for (const row of reader.candles('ETH', 60_000, 0, at)) assert.ok(Date.parse(row.closeTime) <= at);
      for (const row of reader.indicators('ETH', 0, at)) assert.ok(row.closeTime <= at);
      assert.is(reader.indicators('ETH', 0, at).length, closed.length);
    }),
    { seed: fcSeed, numRuns: fcRuns },
  );
  db.close();
});

test('the registry view: details from metaAndAssetCtxs and the channels of the asset kind', () => {
  const db = openDatabase(dir.file('registry.db'));
  const memory = new MarketMemory(db);
  memory.write({
    assets: [
      { name: 'BTC', szDecimals: 5, maxLeverage: 40, kind: 'perp', enabled: true },
      { name: 'PURR/USDC', szDecimals: 0, maxLeverage: 1, kind: 'spot', enabled: true },
    ],
    candles: [],
    mids: [],
    funding: [],
  });
  new LiveRows(db, memory).writeMetaAndContexts(
    [{ universe: [{ name: 'BTC', szDecimals: 5, maxLeverage: 40, marginTableId: 56 }] }, [{ funding: '0.0000125', markPx: '66303.2' }]],
    1_000,
  );
  const reader = new MarketReader(db);
  assert.equal(reader.asset('BTC'), {
    name: 'BTC',
    szDecimals: 5,
    maxLeverage: 40,
    kind: 'perp',
    enabled: true,
    marginTableId: 56,
    onlyIsolated: false,
    channels: ['candles', 'mids', 'funding', 'contexts', 'predictedFunding'],
  });
  assert.equal(reader.asset('PURR/USDC')?.channels, ['candles', 'mids'], 'no funding for spot');
  assert.is(reader.asset('NOPE'), undefined);
  assert.is(reader.snapshot('BTC', 999).context, null, 'the context taken at 1,000 is not known at 999');
  assert.is(reader.snapshot('BTC', 1_000).context?.markPx, '66303.20000000');
  db.close();
});

test.after(() => dir.remove());
test.run();
