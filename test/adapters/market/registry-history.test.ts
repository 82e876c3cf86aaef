/**
 * The registry and taxonomy as of a time: a refresh that changes szDecimals at t1 is seen by
 * reads at or after t1 and not before, while the live path reads the current value; margin
 * tables and the taxonomy file version are versioned alike (its digest pinned, and blind to key
 * order as a property); a history seeded from a registry
 * that predates it; and, as a property over random refresh sequences, the version read at T is
 * the last refresh at or before T that changed the asset.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { z } from 'zod';
import type { zMetaAndAssetCtxs } from '../../../adapters/market/importers/hyperliquid.ts';
import { LiveRows } from '../../../adapters/market/live-rows.ts';
import { MarketMemory } from '../../../adapters/market/market-memory.ts';
import { MarketReader } from '../../../adapters/market/market-reader.ts';
import { taxonomyDigest } from '../../../adapters/market/registry-history.ts';
import { loadTaxonomy, type Taxonomy } from '../../../adapters/market/taxonomy.ts';
import { openDatabase } from '../../../core/database.ts';
import { sharedData } from '../../support/prop-trading.ts';
import { fcRuns, fcSeed, tempDir } from '../../support/store.ts';

const data = sharedData();
const dir = tempDir();
type MetaAndCtxs = z.output<typeof zMetaAndAssetCtxs>;

const recorded = (): MetaAndCtxs =>
  JSON.parse(
    readFileSync(join(data as string, 'market', 'hyperliquid', 'hyperprop-marketing-site', 'hyperliquid-metaAndAssetCtxs.json'), 'utf8'),
  ) as MetaAndCtxs;

/** The recorded answer with BTC's universe entry and margin table 56 edited. */
function edited(btc: Partial<MetaAndCtxs[0]['universe'][number]>, table56?: { maxLeverage: number }): MetaAndCtxs {
  const [meta, ctxs] = recorded();
  return [
    {
      ...meta,
      universe: meta.universe.map((u) => (u.name === 'BTC' ? { ...u, ...btc } : u)),
      marginTables: (meta.marginTables ?? []).map(([id, t]) =>
        id === 56 && table56 ? [id, { ...t, marginTiers: [{ lowerBound: '0.0', maxLeverage: table56.maxLeverage }] }] : [id, t],
      ),
    },
    ctxs,
  ];
}

const T0 = Date.parse('2026-07-22T03:00:00.000Z');
const T1 = T0 + 3_600_000;

test('a refresh that changes szDecimals at t1: reads before t1 see the old value, at and after it the new; the live path reads the current', () => {
  if (!data) return;
  const db = openDatabase(dir.file('registry.db'));
  const memory = new MarketMemory(db);
  const live = new LiveRows(db, memory);
  live.writeMetaAndContexts(recorded(), T0);
  live.writeMetaAndContexts(recorded(), T0 + 60_000); // the same registry again: no new version
  live.writeMetaAndContexts(edited({ szDecimals: 3, onlyIsolated: true }, { maxLeverage: 20 }), T1);
  const reader = new MarketReader(db);

  assert.is(reader.assetAt('BTC', T0 - 1), undefined, 'nothing before the first refresh');
  assert.equal(reader.assetAt('BTC', T0), {
    name: 'BTC',
    effectiveFrom: T0,
    szDecimals: 5,
    maxLeverage: 40,
    kind: 'perp',
    enabled: true,
    marginTableId: 56,
    onlyIsolated: false,
    delisted: false,
    channels: ['candles', 'mids', 'funding', 'contexts', 'predictedFunding'],
  });
  assert.is(reader.assetAt('BTC', T1 - 1)?.szDecimals, 5, 'just before t1: the old value');
  assert.equal([reader.assetAt('BTC', T1)?.szDecimals, reader.assetAt('BTC', T1)?.onlyIsolated], [3, true], 'at t1: the new one');
  assert.is(reader.assetAt('BTC', T1 + 86_400_000)?.effectiveFrom, T1);
  assert.is(reader.assetAt('ETH', T1)?.effectiveFrom, T0, 'an unchanged asset keeps its first version');
  assert.equal(
    [reader.snapshot('BTC', T1 - 1).registry?.szDecimals, reader.snapshot('BTC', T1).registry?.szDecimals],
    [5, 3],
    'clash market show --at prints the registry in effect then',
  );
  assert.is(reader.snapshot('BTC', T1).registry?.effectiveFrom, new Date(T1).toISOString());
  assert.is(memory.asset('BTC')?.szDecimals, 3, 'the live registry reads the current value');
  assert.equal(reader.asset('BTC')?.onlyIsolated, true);

  assert.equal(reader.marginTableAt(56, T1 - 1)?.tiers, reader.marginTableAt(56, T0)?.tiers);
  assert.equal(reader.marginTableAt(56, T1)?.tiers, [{ lowerBound: '0', maxLeverage: 20 }], 'the margin table as refreshed at t1');
  assert.ok((reader.marginTableAt(56, T0)?.tiers.length ?? 0) > 0);
  const versions = db.prepare<[], { n: number }>("SELECT count(*) AS n FROM market_registry_history WHERE name = 'BTC'").get();
  assert.is(versions?.n, 2, 'two versions of BTC: the identical refresh appended nothing');

  live.writeMetaAndContexts(edited({ isDelisted: true }), T1 + 10);
  assert.equal(
    [reader.assetAt('BTC', T1 + 10)?.enabled, reader.assetAt('BTC', T1 + 10)?.delisted],
    [false, true],
    'delisting is versioned',
  );
  db.close();
});

test('the taxonomy file version is kept with the time it took effect', () => {
  const db = openDatabase(dir.file('taxonomy.db'));
  const live = new LiveRows(db, new MarketMemory(db));
  const taxonomy = loadTaxonomy();
  assert.ok(live.history.recordTaxonomy(taxonomy, T0));
  assert.not.ok(live.history.recordTaxonomy(structuredClone(taxonomy), T0 + 5), 'the same file again: nothing recorded');
  const next = { ...taxonomy, version: taxonomy.version + 1 };
  assert.ok(live.history.recordTaxonomy(next, T1));
  const reader = new MarketReader(db);
  assert.is(reader.taxonomyAt(T0 - 1), undefined);
  assert.is(reader.taxonomyAt(T1 - 1)?.version, taxonomy.version);
  assert.equal([reader.taxonomyAt(T1)?.version, reader.taxonomyAt(T1)?.effectiveFrom], [taxonomy.version + 1, T1]);
  assert.match(reader.taxonomyAt(T1)?.sha256 ?? '', /^[0-9a-f]{64}$/);
  db.close();
});

test('the taxonomy digest: the shipped file keeps the value stored since the history began; key order never matters', () => {
  const taxonomy = loadTaxonomy();
  // the value files recorded before the digest was computed with canonicalJson
  assert.is(taxonomyDigest(taxonomy), '1220549f9b89631abdab941c9661c4d3394e4d518ef194b4b605e07812de3c79');
  /** The same value with every object's keys in reverse order. */
  const reversed = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(reversed)
      : v !== null && typeof v === 'object'
        ? Object.fromEntries(
            Object.entries(v)
              .reverse()
              .map(([k, x]) => [k, reversed(x)]),
          )
        : v;
  const label = fc.string({ minLength: 1, maxLength: 20 });
  const id = fc.stringMatching(/^[a-z][a-z0-9_]{0,15}$/);
  fc.assert(
    fc.property(
      fc.record({
        version: fc.integer({ min: 1, max: 1000 }),
        description: fc.option(label, { nil: undefined }),
        categories: fc.array(fc.record({ id, label, subcategories: fc.array(id, { maxLength: 4 }) }), { maxLength: 4 }),
        assets: fc.dictionary(fc.stringMatching(/^[A-Z]{1,6}$/), fc.record({ category: id, subcategory: id }), { maxKeys: 6 }),
      }),
      (t) => taxonomyDigest(t as Taxonomy) === taxonomyDigest(reversed(t) as Taxonomy),
    ),
    { seed: fcSeed, numRuns: fcRuns },
  );
});

test('a registry that predates the history is seeded once, each asset from its last refresh time', () => {
  const db = openDatabase(dir.file('seed.db'));
  const memory = new MarketMemory(db);
  memory.write({
    assets: [{ name: 'SOL', szDecimals: 2, maxLeverage: 20, kind: 'perp', enabled: true }],
    candles: [],
    mids: [],
    funding: [],
  });
  db.exec(`CREATE TABLE market_asset_details (
    name TEXT PRIMARY KEY, margin_table_id INTEGER, only_isolated INTEGER NOT NULL, delisted INTEGER NOT NULL, updated_at INTEGER NOT NULL
  ) STRICT; INSERT INTO market_asset_details VALUES ('SOL', 7, 0, 0, ${T0})`);
  const reader = new MarketReader(db);
  assert.is(reader.assetAt('SOL', T0 - 1), undefined, 'not claimed before it was last seen');
  assert.equal([reader.assetAt('SOL', T0)?.szDecimals, reader.assetAt('SOL', T0)?.marginTableId], [2, 7]);
  new MarketReader(db);
  assert.is(db.prepare('SELECT count(*) FROM market_registry_history').pluck().get(), 1, 'seeded once');
  db.close();
});

test('property: the version read at T is the last refresh at or before T that changed the asset', () => {
  const db = openDatabase(dir.file('property.db'), { synchronous: 'OFF' });
  const live = new LiveRows(db, new MarketMemory(db));
  const refresh = fc.record({
    gap: fc.integer({ min: 1, max: 100_000 }),
    szDecimals: fc.integer({ min: 0, max: 3 }),
    maxLeverage: fc.constantFrom(3, 10),
  });
  let run = 0;
  fc.assert(
    fc.property(
      fc.array(refresh, { minLength: 1, maxLength: 12 }),
      fc.array(fc.integer({ min: 0, max: 1_300_000 }), { maxLength: 20 }),
      (steps, probes) => {
        const name = `A${++run}`;
        let t = T0;
        const applied: { at: number; szDecimals: number; maxLeverage: number }[] = [];
        for (const s of steps) {
          t += s.gap;
          const asset = { name, szDecimals: s.szDecimals, maxLeverage: s.maxLeverage, kind: 'perp' as const, enabled: true };
          db.transaction(() => live.history.recordAssets([{ ...asset, marginTableId: null, onlyIsolated: false, delisted: false }], t))();
          applied.push({ at: t, szDecimals: s.szDecimals, maxLeverage: s.maxLeverage });
        }
        for (const offset of probes) {
          const at = T0 + offset;
          const expected = applied.filter((a) => a.at <= at).at(-1);
          const got = live.history.assetAt(name, at);
          if (!expected) {
            if (got !== undefined) return false;
            continue;
          }
          if (got?.szDecimals !== expected.szDecimals || got.maxLeverage !== expected.maxLeverage) return false;
          // effective from the first refresh of the run of identical values that ends with `expected`
          const first = applied.filter((a) => a.at <= at);
          let i = first.length - 1;
          while (i > 0 && first[i - 1]?.szDecimals === expected.szDecimals && first[i - 1]?.maxLeverage === expected.maxLeverage) i -= 1;
          if (got.effectiveFrom !== first[i]?.at) return false;
        }
        return true;
      },
    ),
    { seed: fcSeed, numRuns: fcRuns },
  );
  db.close();
});

test.run();
