/**
 * A test server on the recorded market at T (`replay/bench/decision-data.ts`) with an owner's
 * clone, its published version (BTC and ETH) and a prop account `acc-1` holding a 90,000 USD
 * BTC long at 20x: what the decision context and decision reads tests start from.
 */
import * as assert from 'uvu/assert';
import { MarketMemory } from '../../adapters/market/market-memory.ts';
import { PropTrading } from '../../commands/prop-trading/handlers.ts';
import { loadDecisionMarket } from '../../replay/bench/decision-data.ts';
import { chainGraph } from './graphs.ts';
import { startTestServer, type TestServer } from './server.ts';
import { newAccount, signIn } from './siwe.ts';

export interface HeldPosition {
  readonly server: TestServer;
  readonly cloneId: string;
  /** The owner's Authorization header. */
  readonly auth: string;
  /** T, ms. */
  readonly decisionTime: number;
  readonly prop: PropTrading;
}

/** `minConfidence`: set on the version's trading prompt (absent: the default threshold). */
export async function givenAHeldPosition(
  sharedData: string,
  env: Record<string, string> = {},
  options: { readonly minConfidence?: number } = {},
): Promise<HeldPosition> {
  const server = await startTestServer({ CLASH_DEV_IDENTITY: 'true', CLASH_ARTIFACTS_URL: 'memory:', ...env });
  const db = server.ledger.store.db;
  const { decisionTime } = loadDecisionMarket(db, sharedData);
  server.clock.set(decisionTime);
  const owner = await signIn(server, newAccount());
  const call = async (status: number, method: string, path: string, body?: unknown) => {
    const res = await server.call(method, path, { auth: owner.auth, ...(body === undefined ? {} : { body }) });
    assert.is(res.status, status, `${method} ${path}: ${JSON.stringify(res.body)}`);
    return res.body as Record<string, unknown>;
  };
  const { id } = (await call(201, 'POST', '/api/v1/clones', { name: 'Held', modelTier: 'basic' })) as { id: string };
  const graph = chainGraph(['BTC', 'ETH']);
  if (options.minConfidence !== undefined) {
    graph.nodes = graph.nodes.map((n) =>
      n.type === 'trading_prompt' ? { ...n, config: { ...n.config, minConfidence: options.minConfidence } } : n,
    );
  }
  await call(200, 'PUT', `/api/v1/clones/${id}/draft`, { graph, layout: {} });
  await call(201, 'POST', `/api/v1/clones/${id}/entitlement/dev-grant`);
  const version = (await call(201, 'POST', `/api/v1/clones/${id}/versions`)) as { versionId: string };
  const prop = new PropTrading({ store: server.ledger.store, clock: server.clock, ids: server.ledger.ids, market: new MarketMemory(db) });
  prop.open({ accountId: 'acc-1', cloneId: id, strategyVersionId: version.versionId, purpose: 'audition' }, 'service:test');
  const filled = prop.submitAction(
    'acc-1',
    { decisionRunId: 'manual-1', asset: 'BTC', action: 'open', side: 'long', notionalUsd: '90000', leverage: 20 },
    'service:test',
  );
  assert.ok(
    filled.events.some((e) => e.type === 'OrderFilled'),
    'the long is filled',
  );
  return { server, cloneId: id, auth: owner.auth, decisionTime, prop };
}
