/**
 * DefiLlama's channels and scopes against a local stub: TVL and flows (global, chain, protocol,
 * stablecoin), DEX volume, fees, revenue and open interest, each polled, validated, stored with
 * its source time and read as of T through `MarketReader`; a malformed answer is counted against
 * its channel and nothing of it is stored; health per channel.
 *
 * Only `/protocol/{slug}` is recorded (`shared/data/defillama/defillama_HLP.json`). Every other
 * payload below is a small fixture written in this test to DefiLlama's documented shapes (TVL
 * series `[{date, tvl}]`; dimension overviews and summaries `{totalDataChart: [[date, value]]}`;
 * stablecoin charts `[{date: "digits", totalCirculatingUSD: {peggedUSD}}]`) — not recordings.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { openArtifactStore } from '../../../adapters/artifacts/open.ts';
import { type ChannelHealth, ingestionStatus } from '../../../adapters/market/ingestion/health.ts';
import { type MarketIngestionOptions, startMarketIngestion } from '../../../adapters/market/ingestion/market-ingestion.ts';
import { MarketReader } from '../../../adapters/market/market-reader.ts';
import { DEFAULT_RETENTION } from '../../../adapters/market/retention.ts';
import { type LlamaFeed, parseFeed } from '../../../adapters/market/sources/defillama.ts';
import { openDatabase } from '../../../core/database.ts';
import { llamaFeeds } from '../../../server/ingestion.ts';
import { configProblems } from '../../support/config.ts';
import { testIngestionOptions, until } from '../../support/hyperliquid-stub.ts';
import { sharedData } from '../../support/prop-trading.ts';
import { startSourceStub } from '../../support/source-stubs.ts';
import { tempDir } from '../../support/store.ts';

const data = sharedData();
const dir = tempDir();
const silent = { info: () => {}, warn: () => {} };

const DAY = 86_400;
/** 2025-05-10T00:00:00Z, 05-11, 05-12 in unix seconds (DefiLlama's dates). */
const D1 = 1_746_835_200;
const D2 = D1 + DAY;
const D3 = D2 + DAY;
const ms = (s: number) => s * 1000;
const iso = (s: number) => new Date(ms(s)).toISOString();

/** Fixtures in DefiLlama's documented shapes (see the header). */
const fixtures: Record<string, unknown> = {
  '/v2/historicalChainTvl': [
    { date: D1, tvl: 100e9 },
    { date: D2, tvl: 101e9 },
    { date: D3, tvl: 99.5e9 },
  ],
  '/v2/historicalChainTvl/Hyperliquid L1': [
    { date: D1, tvl: 1.5e9 },
    { date: D2, tvl: 1.6e9 },
  ],
  '/overview/dexs': {
    total24h: 7e9,
    totalDataChart: [
      [D1, 6e9],
      [D2, 6.5e9],
      [D3, 7e9],
    ],
  },
  '/summary/dexs/hyperliquid': {
    name: 'Hyperliquid',
    totalDataChart: [
      [D2, 9e8],
      [D1, 8e8],
    ],
  },
  '/overview/fees/Hyperliquid L1': {
    totalDataChart: [
      [D1, 2e6],
      [D2, 2.5e6],
    ],
  },
  '/summary/fees/hyperliquid': {
    name: 'Hyperliquid',
    totalDataChart: [
      [D1, 1e6],
      [D2, 1.2e6],
    ],
  },
  '/overview/open-interest': {
    totalDataChart: [
      [D1, 4e10],
      [D2, 4.2e10],
    ],
  },
  '/stablecoincharts/all': [
    { date: String(D1), totalCirculatingUSD: { peggedUSD: 240e9, peggedEUR: 1e9 } },
    { date: String(D2), totalCirculatingUSD: { peggedUSD: 241e9, peggedEUR: 1e9 } },
  ],
  /** Malformed: a date that is not a number. */
  '/overview/dexs/Broken': { totalDataChart: [['yesterday', 1]] },
};

const feeds: LlamaFeed[] = [
  'tvl:global',
  'tvl:chain:Hyperliquid L1',
  'tvl:protocol:hyperliquid-hlp',
  'tvl:stablecoin',
  'dex_volume:global',
  'dex_volume:protocol:hyperliquid',
  'dex_volume:chain:Broken',
  'fees:chain:Hyperliquid L1',
  'revenue:protocol:hyperliquid',
  'open_interest:global',
].map((e) => parseFeed(e) as LlamaFeed);

function options(url: string): MarketIngestionOptions {
  return {
    hyperliquid: { ...testIngestionOptions('ws://127.0.0.1:9/ws', ['BTC']), apiUrl: 'http://127.0.0.1:9/info' },
    polymarket: { url, everyMs: 60_000, limit: 100 },
    defillama: { api: url, stablecoins: url, everyMs: 60_000, dimensionsEveryMs: 60_000, feeds },
    healthFlushMs: 10,
    retention: { everyMs: 0, policy: DEFAULT_RETENTION, store: openArtifactStore('memory:') },
  };
}

test('every channel and scope is polled, stored with its source time, read as of T; a malformed answer is counted, not stored', async () => {
  if (!data) return;
  const sources = await startSourceStub(data);
  for (const [path, payload] of Object.entries(fixtures)) sources.llama.set(path, payload);
  const db = openDatabase(dir.file('llama.db'), { synchronous: 'NORMAL' });
  const now = ms(D3) + 3_600_000;
  const running = startMarketIngestion(db, options(sources.url), silent, () => now);
  const of = (channel: string): ChannelHealth | undefined =>
    ingestionStatus(db, now).find((h) => h.source === 'defillama' && h.channel === channel);
  const channels = ['tvl', 'dex_volume', 'fees', 'revenue', 'open_interest'];
  try {
    await until(() => channels.every((c) => of(c)?.lastSuccessAt != null) && (of('dex_volume')?.invalidPayloads ?? 0) > 0, 'every channel');
  } finally {
    await running.stop();
    await sources.close();
  }
  const count = (kind: string, id: string, metric: string) =>
    db
      .prepare<[string, string, string], { n: number }>(
        'SELECT count(*) AS n FROM defillama_points WHERE scope_kind = ? AND scope_id = ? AND metric = ?',
      )
      .get(kind, id, metric)?.n;
  assert.equal(
    [count('global', 'all', 'tvl'), count('global', 'all', 'flows'), count('chain', 'Hyperliquid L1', 'tvl')],
    [3, 2, 2],
    'global and chain TVL with flows',
  );
  assert.equal(
    [count('protocol', 'hyperliquid-hlp', 'tvl'), count('protocol', 'hyperliquid-hlp', 'flows')],
    [164, 163],
    'the recorded protocol',
  );
  assert.equal([count('stablecoin', 'all', 'tvl'), count('stablecoin', 'all', 'flows')], [2, 1], 'stablecoin supply and its change');
  assert.equal(
    [count('global', 'all', 'dex_volume'), count('protocol', 'hyperliquid', 'dex_volume'), count('chain', 'Broken', 'dex_volume')],
    [3, 2, 0],
    'the malformed answer stored nothing',
  );
  assert.equal(
    [count('chain', 'Hyperliquid L1', 'fees'), count('protocol', 'hyperliquid', 'revenue'), count('global', 'all', 'open_interest')],
    [2, 2, 2],
  );
  assert.is(of('dex_volume')?.invalidPayloads, 1, 'counted against its channel');
  assert.match(of('dex_volume')?.lastError ?? '', /chain:Broken/);
  for (const c of channels) assert.is(of(c)?.state, 'ok', `${c} ok: up to two days of lag are normal for daily series`);
  assert.ok(
    sources.requests.some((r) => r.startsWith('/summary/fees/hyperliquid?') && r.includes('dataType=dailyRevenue')),
    'revenue asks the fees summary for daily revenue',
  );
  assert.ok(sources.requests.some((r) => r.startsWith('/overview/fees/Hyperliquid%20L1?') && r.includes('dataType=dailyFees')));

  const reader = new MarketReader(db);
  const from = ms(D1);
  assert.equal(reader.llama('stablecoin', 'all', 'tvl', from, ms(D3)), [
    { time: iso(D1), value: 241e9 },
    { time: iso(D2), value: 242e9 },
  ]);
  assert.equal(reader.llama('stablecoin', 'all', 'flows', from, ms(D3)), [{ time: iso(D2), value: 1e9 }]);
  assert.equal(
    reader.llama('global', 'all', 'tvl', from, ms(D2) + 1).map((p) => p.value),
    [100e9, 101e9],
    'a TVL snapshot is known at its date, nothing later',
  );
  const volume = (at: number) => reader.llama('global', 'all', 'dex_volume', from, at).map((p) => p.value);
  assert.equal(volume(ms(D2) + 12 * 3_600_000), [6e9], 'a day being counted is not known before it ends');
  assert.equal(volume(ms(D3)), [6e9, 6.5e9], 'known once its UTC day has ended');
  assert.equal(
    reader.llama('global', 'all', 'dex_volume', ms(D2) + 3_600_000, ms(D3) + 3_600_000).map((p) => p.time),
    [iso(D2)],
    'a 24 h lookback yields the day that ended within it',
  );
  assert.equal(reader.llama('protocol', 'hyperliquid', 'dex_volume', from, ms(D3)), [
    { time: iso(D1), value: 8e8 },
    { time: iso(D2), value: 9e8 },
  ]);
  db.close();
});

test('a feed the source does not answer (404) turns its channel failing; the other channels stay ok', async () => {
  if (!data) return;
  const sources = await startSourceStub(data);
  sources.llama.set('/overview/open-interest', fixtures['/overview/open-interest']);
  const db = openDatabase(dir.file('llama-503.db'), { synchronous: 'NORMAL' });
  const opts = options(sources.url);
  const only = ['open_interest:global', 'fees:global'].map((e) => parseFeed(e) as LlamaFeed);
  const running = startMarketIngestion(db, { ...opts, defillama: { ...opts.defillama, feeds: only } }, silent, () => ms(D3));
  const of = (channel: string) => ingestionStatus(db, ms(D3)).find((h) => h.source === 'defillama' && h.channel === channel);
  try {
    await until(() => of('open_interest')?.state === 'ok' && (of('fees')?.consecutiveErrors ?? 0) > 0, 'one ok, one failing');
    assert.is(of('fees')?.state, 'failing');
    assert.match(of('fees')?.lastError ?? '', /404/);
  } finally {
    await running.stop();
    await sources.close();
    db.close();
  }
});

test('feeds: what DefiLlama serves is accepted, the rest refused with a reason; DEFILLAMA_FEEDS is validated at start-up', () => {
  assert.equal(parseFeed('fees:protocol:hyperliquid'), { metric: 'fees', scopeKind: 'protocol', scopeId: 'hyperliquid' });
  assert.equal(parseFeed('tvl:stablecoin'), { metric: 'tvl', scopeKind: 'stablecoin', scopeId: 'all' });
  assert.match(parseFeed('dex_volume:stablecoin:1') as string, /tvl \(circulating supply\) only/);
  assert.match(parseFeed('fees:chain') as string, /needs an id/);
  assert.match(parseFeed('flows:global') as string, /metric is one of/);
  assert.match(parseFeed('tvl:global:Ethereum') as string, /names no id/);
  assert.equal(configProblems({ DEFILLAMA_FEEDS: 'tvl:planet:Mars' }), ['DEFILLAMA_FEEDS']);
  assert.equal(configProblems({ DEFILLAMA_DIMENSIONS_POLL_MS: '10' }), ['DEFILLAMA_DIMENSIONS_POLL_MS']);
  const keys = llamaFeeds({ DEFILLAMA_FEEDS: feeds.slice(0, 3), DEFILLAMA_PROTOCOLS: ['hyperliquid-hlp', 'aave'] }).map(
    (f) => `${f.metric}:${f.scopeKind}:${f.scopeId}`,
  );
  assert.equal(keys, ['tvl:global:all', 'tvl:chain:Hyperliquid L1', 'tvl:protocol:hyperliquid-hlp', 'tvl:protocol:aave'], 'each feed once');
});

test.run();
