/**
 * Market ingestion inside the server: with every source unreachable (a fresh machine offline)
 * the server starts, keeps serving, and the ingestion health route says `failing`; the route
 * answers in the API's conventions (ISO times, typed in the OpenAPI document). A clone's
 * category selection counts against its entitlement through the taxonomy file.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadConfig } from '../../server/config.ts';
import { configProblems } from '../support/config.ts';
import { assetSelection, chainGraph } from '../support/graphs.ts';
import { codeOf, startTestServer } from '../support/server.ts';
import { newAccount, signIn } from '../support/siwe.ts';

const token = 'ingest:0123456789abcdefghijklmnop';
const service = `Bearer ${token.split(':')[1]}`;
const closed = 'http://127.0.0.1:9';

test('offline: the server starts and serves; ingestion health says failing for every source', async () => {
  const server = await startTestServer({
    CLASH_INGESTION: 'on',
    CLASH_SERVICE_TOKENS: token,
    HYPERLIQUID_API_URL: `${closed}/info`,
    HYPERLIQUID_WS_URL: 'ws://127.0.0.1:9/ws',
    POLYMARKET_API_URL: closed,
    DEFILLAMA_API_URL: closed,
    CLASH_ARTIFACTS_URL: 'memory:',
  });
  try {
    assert.is((await server.call('GET', '/api/v1/health')).status, 200, 'the API keeps serving');
    type Body = { at: string; channels: { source: string; channel: string; state: string; lastErrorAt: string | null }[] };
    let body: Body = { at: '', channels: [] };
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      body = (await server.call('GET', '/api/v1/internal/health/ingestion', { auth: service })).body as Body;
      // failing with an error recorded (a channel that never succeeded is failing before its first attempt too)
      const failing = new Set(
        body.channels.filter((c) => c.state === 'failing' && c.lastErrorAt !== null).map((c) => `${c.source}/${c.channel}`),
      );
      if (['hyperliquid/contexts', 'polymarket/markets', 'defillama/tvl'].every((c) => failing.has(c))) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const contexts = body.channels.find((c) => c.channel === 'contexts');
    assert.is(contexts?.state, 'failing');
    assert.match(contexts?.lastErrorAt ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.is(body.at, '2026-01-01T00:00:00.000Z', 'the server clock');
    const anonymous = await server.call('GET', '/api/v1/internal/health/ingestion');
    assert.is(anonymous.status, 401);
    assert.is(codeOf(anonymous.body), 'unauthorized');
    const doc = (await server.call('GET', '/api/v1/openapi.json')).body as { components: { schemas: Record<string, unknown> } };
    assert.ok(doc.components.schemas.ChannelHealth, 'typed in the OpenAPI document');
  } finally {
    await server.stop();
  }
});

test('a category selection expands through the taxonomy and counts against the entitlement', async () => {
  const server = await startTestServer({ CLASH_DEV_IDENTITY: 'true' });
  try {
    const owner = await signIn(server, newAccount());
    const created = await server.call('POST', '/api/v1/clones', { auth: owner.auth, body: { name: 'Majors', modelTier: 'basic' } });
    const id = (created.body as { id: string }).id;
    const base = chainGraph([]);
    const majors = assetSelection('assets', []);
    const graph = {
      ...base,
      nodes: base.nodes.map((n) =>
        n.id === 'assets' && majors.type === 'asset_selection'
          ? { ...majors, config: { ...majors.config, highLevelCategories: ['majors'] } }
          : n,
      ),
    };
    const refused = await server.call('PUT', `/api/v1/clones/${id}/draft`, { auth: owner.auth, body: { graph, layout: {} } });
    assert.is(refused.status, 422);
    assert.match(JSON.stringify(refused.body), 'asset_capacity_exceeded');
    const few = {
      ...graph,
      nodes: graph.nodes.map((n) =>
        n.id === 'assets' && n.type === 'asset_selection'
          ? {
              ...n,
              config: {
                ...n.config,
                highLevelCategories: [],
                subcategories: ['store_of_value'],
                explicitlyDisabledSymbols: ['BSV', 'PAXG', 'BCH'],
              },
            }
          : n,
      ),
    };
    const saved = await server.call('PUT', `/api/v1/clones/${id}/draft`, { auth: owner.auth, body: { graph: few, layout: {} } });
    assert.is(saved.status, 200, JSON.stringify(saved.body));
  } finally {
    await server.stop();
  }
});

test('market configuration: defaults load; a bad value is refused naming its variable', () => {
  assert.equal(configProblems({}), []);
  const config = loadConfig({ HYPERLIQUID_ASSETS: ' BTC, kPEPE ,', NODE_ENV: 'test' });
  assert.equal(config.HYPERLIQUID_ASSETS, ['BTC', 'kPEPE']);
  assert.equal(config.DEFILLAMA_PROTOCOLS, ['hyperliquid-hlp']);
  assert.is(config.CLASH_INGESTION, undefined, 'unset: on, except with NODE_ENV=test');
  assert.equal(configProblems({ HYPERLIQUID_ASSETS: 'BTC,b@d' }), ['HYPERLIQUID_ASSETS.1'], 'the variable and the bad item');
  assert.equal(configProblems({ HYPERLIQUID_WS_URL: 'not a url' }), ['HYPERLIQUID_WS_URL']);
  assert.equal(configProblems({ MARKET_RETENTION_1M_HOURS: '0' }), ['MARKET_RETENTION_1M_HOURS']);
  assert.equal(configProblems({ CLASH_INGESTION: 'maybe' }), ['CLASH_INGESTION']);
});

test.run();
