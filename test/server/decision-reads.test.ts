/**
 * Decision reads over HTTP on the recorded market: Given a clone whose prop account ran decision
 * runs through the real context source, the rules engine and Prop Trading (artifacts in the
 * server's store), When the owner lists the clone's runs, reads one run and an admin reads the
 * costs, Then the history pages newest first with action, validation, order and fill, tokens and
 * cost; the run comes back with its packet, prompt and reply matching their digests; a tampered
 * artifact is refused; other callers are refused; every answer matches the OpenAPI document.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MarketMemory } from '../../adapters/market/market-memory.ts';
import { DEFAULT_TAXONOMY_FILE } from '../../adapters/market/taxonomy.ts';
import type { DecisionEngine } from '../../adapters/models/engine.ts';
import { rulesEngine } from '../../commands/decisions/engines/rules.ts';
import { DecisionRuns } from '../../commands/decisions/handlers.ts';
import { PropTrading } from '../../commands/prop-trading/handlers.ts';
import { canonicalJson, sha256Hex } from '../../core/canonical-json.ts';
import { verifyProjection } from '../../core/projection-rebuild.ts';
import { decisionRunsProjection } from '../../projections/decisions/runs.ts';
import { decisionContextSource } from '../../server/decision-context.ts';
import { artifactSink, propTradingOrders } from '../../server/decisions.ts';
import { contractOf } from '../support/contract.ts';
import { givenAHeldPosition } from '../support/held-position.ts';
import { sharedData } from '../support/prop-trading.ts';
import { newAccount, signIn } from '../support/siwe.ts';

const data = sharedData();

/** An engine that answers like a costly model: a hold, with tokens and a cost. */
const paidHold: DecisionEngine = {
  name: 'recorded',
  decide: async (r) => ({
    text: JSON.stringify({ action: 'hold', asset: r.asset, confidence: 0.9, reason: 'wait' }),
    model: 'claude-test',
    usage: { inputTokens: 1200, outputTokens: 80 },
    costMicroUsd: 4_800n,
    attempts: 1,
  }),
};

type Run = {
  runId: string;
  asset: string;
  status: string;
  action: { action: string } | null;
  validation: { result: string | null };
  order: { status: string; fill: { side: string; priceUsd: string } | null } | null;
  inputTokens: number;
  costMicroUsd: string;
};

test('owner history, one run with its artifacts, admin costs; strangers refused; tampering refused', async () => {
  if (!data) return;
  const admin = newAccount();
  const { server, cloneId, auth, decisionTime } = await givenAHeldPosition(data, { CLASH_ADMIN_ADDRESSES: admin.address });
  try {
    const contract = await contractOf(server.url);
    const db = server.ledger.store.db;
    const source = decisionContextSource(db, { CLASH_TAXONOMY_FILE: DEFAULT_TAXONOMY_FILE });
    const prop = new PropTrading({ store: server.ledger.store, clock: server.clock, ids: server.ledger.ids, market: new MarketMemory(db) });
    const runsWith = (engine: DecisionEngine) =>
      new DecisionRuns({
        store: server.ledger.store,
        clock: server.clock,
        engine,
        context: source,
        artifacts: artifactSink(server.ops.artifacts),
        orders: propTradingOrders(prop),
      });
    await runsWith(paidHold).run({ runId: 'run-eth', propAccountId: 'acc-1', cloneId, asset: 'ETH', dueAt: decisionTime });
    await runsWith(rulesEngine).run({ runId: 'run-btc', propAccountId: 'acc-1', cloneId, asset: 'BTC', dueAt: decisionTime });

    const get = async (path: string, who = auth) => {
      const res = await server.call('GET', path, { auth: who });
      contract.check('GET', path, res.status, res.body);
      return res;
    };
    const list = await get(`/api/v1/clones/${cloneId}/decisions`);
    assert.is(list.status, 200, JSON.stringify(list.body));
    const page = list.body as { items: Run[]; next: string | null };
    assert.equal(
      page.items.map((r) => r.runId),
      ['run-btc', 'run-eth'],
      'newest first',
    );
    const eth = page.items[1] as Run;
    assert.equal([eth.status, eth.action?.action, eth.validation.result, eth.order], ['completed', 'hold', 'accepted', null]);
    assert.equal([eth.inputTokens, eth.costMicroUsd], [1200, '4800']);
    const btc = page.items[0] as Run;
    assert.is(btc.status, 'completed');
    if (btc.order) assert.ok(btc.order.status === 'refused' || btc.order.fill !== null, 'an executed order shows its fill');
    const first = (await get(`/api/v1/clones/${cloneId}/decisions?limit=1`)).body as { items: Run[]; next: string };
    assert.equal(
      first.items.map((r) => r.runId),
      ['run-btc'],
    );
    const second = (await get(`/api/v1/clones/${cloneId}/decisions?limit=1&before=${first.next}`)).body as { items: Run[]; next: null };
    assert.equal(
      second.items.map((r) => r.runId),
      ['run-eth'],
    );
    assert.is(second.next, null);

    const detail = await get('/api/v1/decisions/run-eth');
    assert.is(detail.status, 200, JSON.stringify(detail.body));
    const d = detail.body as {
      packetDigest: string;
      artifacts: { packet: { sha256: string }; reply: { sha256: string } };
      packet: { symbol: string; account: { propAccountId: string } };
      prompt: { system: string; prompt: string };
      reply: string;
    };
    assert.is(d.packet.symbol, 'ETH');
    assert.is(d.packet.account.propAccountId, 'acc-1');
    assert.is(sha256Hex(new TextEncoder().encode(canonicalJson(d.packet))), d.packetDigest, 'the packet read back hashes to its digest');
    assert.is(sha256Hex(new TextEncoder().encode(d.reply)), d.artifacts.reply.sha256);
    assert.ok(d.prompt.prompt.includes('# Decision for ETH'));

    const stranger = await signIn(server, newAccount());
    assert.is((await get(`/api/v1/clones/${cloneId}/decisions`, stranger.auth)).status, 403);
    assert.is((await get('/api/v1/decisions/run-eth', stranger.auth)).status, 403);
    assert.is((await get('/api/v1/decisions/no-such-run')).status, 404);
    assert.is((await get('/api/v1/admin/decision-costs')).status, 403, 'owners do not see costs');

    const boss = await signIn(server, admin);
    const day = new Date(decisionTime).toISOString().slice(0, 10);
    const costs = await get(`/api/v1/admin/decision-costs?from=${day}&to=${day}`, boss.auth);
    assert.is(costs.status, 200, JSON.stringify(costs.body));
    const c = costs.body as { days: { cloneId: string; day: string; runs: number; costMicroUsd: string }[]; totals: { runs: number } };
    assert.equal(c.days, [{ cloneId, day, runs: 2, inputTokens: 1200, outputTokens: 80, costMicroUsd: '4800' }]);
    assert.is(c.totals.runs, 2);
    assert.is((await get('/api/v1/admin/decision-costs?from=2026-02-01&to=2026-01-01', boss.auth)).status, 400);

    const verified = verifyProjection(server.ledger.store, decisionRunsProjection);
    assert.ok(verified.ok, `the read model equals a rebuild from the log: ${JSON.stringify(verified.firstDifference)}`);

    const replyKey = (detail.body as { artifacts: { reply: { key: string } } }).artifacts.reply.key;
    await server.ops.artifacts.put(replyKey, new TextEncoder().encode('tampered'));
    const tampered = await get('/api/v1/decisions/run-eth');
    assert.is(tampered.status, 500);
    assert.is((tampered.body as { error: { code: string } }).error.code, 'artifact_corrupt');
  } finally {
    await server.stop();
  }
});

test.run();
