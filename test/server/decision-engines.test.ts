/**
 * The configured engines on the recorded market: Given a clone's prop account at T and the
 * engine `engineOf` builds from the environment, When a run asks the local Anthropic stub, Then
 * its cost is recorded from the stub's usage at the configured prices (rounded up); When the same
 * unit context is re-run with `recorded`, Then it replays that reply (same action, cost 0) from the
 * decision read model and the artifact store; a packet never answered fails `recording_missing`,
 * and a tampered reply fails `artifact_corrupt`, each recorded as the run's failure.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MarketMemory } from '../../adapters/market/market-memory.ts';
import { DEFAULT_TAXONOMY_FILE } from '../../adapters/market/taxonomy.ts';
import type { DecisionEngine } from '../../adapters/models/engine.ts';
import { DecisionRuns } from '../../commands/decisions/handlers.ts';
import type { DecisionContextSource } from '../../commands/decisions/ports.ts';
import { PropTrading } from '../../commands/prop-trading/handlers.ts';
import { ClashError } from '../../core/errors.ts';
import { findDecisionRun } from '../../projections/decisions/queries.ts';
import { loadConfig } from '../../server/config.ts';
import { engineOf } from '../../server/decision-config.ts';
import { decisionContextSource } from '../../server/decision-context.ts';
import { decisionReplyArchive } from '../../server/decision-replies.ts';
import { artifactSink, propTradingOrders } from '../../server/decisions.ts';
import { startAnthropicStub } from '../support/anthropic-stub.ts';
import { givenAHeldPosition } from '../support/held-position.ts';
import { sharedData } from '../support/prop-trading.ts';

const data = sharedData();

const HOLD = JSON.stringify({ action: 'hold', asset: 'ETH', confidence: 0.8, reason: 'no edge on ETH at T' });

test('anthropic records its cost from usage; recorded replays the reply of the same packet; misses and tampering fail the run', async () => {
  if (!data) return;
  const stub = await startAnthropicStub();
  const { server, cloneId, decisionTime } = await givenAHeldPosition(data);
  try {
    const db = server.ledger.store.db;
    const archive = decisionReplyArchive(db, server.ops.artifacts);
    const source = decisionContextSource(db, { CLASH_TAXONOMY_FILE: DEFAULT_TAXONOMY_FILE });
    const prop = new PropTrading({ store: server.ledger.store, clock: server.clock, ids: server.ledger.ids, market: new MarketMemory(db) });
    const runsWith = (engine: DecisionEngine, context: DecisionContextSource = source) =>
      new DecisionRuns({
        store: server.ledger.store,
        clock: server.clock,
        engine,
        context,
        artifacts: artifactSink(server.ops.artifacts),
        orders: propTradingOrders(prop),
      });
    const env = { ANTHROPIC_API_KEY: 'test-key', ANTHROPIC_BASE_URL: stub.url, ANTHROPIC_MAX_RETRIES: '0' };
    const anthropic = engineOf(
      loadConfig({ ...env, DECISION_MODEL_PROVIDER: 'anthropic', ANTHROPIC_PRICES: 'claude-3-5-haiku-latest=800000:4000000' }),
      archive,
    );
    const recorded = engineOf(loadConfig({ DECISION_MODEL_PROVIDER: 'recorded' }), archive);

    // Given the stub answers a hold with 12,347 input and 678 output tokens,
    stub.script([{ text: HOLD, inputTokens: 12_347, outputTokens: 678 }]);
    await runsWith(anthropic).run({ runId: 'run-a', propAccountId: 'acc-1', cloneId, asset: 'ETH', dueAt: decisionTime });
    // Then the run records ceil((12,347 · 800,000 + 678 · 4,000,000) / 10^6) = ceil(12,589.6) micro-USD (rounded up).
    const first = findDecisionRun(db, 'run-a');
    assert.is(stub.requests[0]?.body.model, 'claude-3-5-haiku-latest', 'the basic clone asks the basic model');
    assert.equal(
      [first?.status, first?.replyModel, first?.inputTokens, first?.outputTokens],
      ['completed', 'claude-3-5-haiku-latest', 12_347, 678],
    );
    assert.is(first?.costMicroUsd, String((12_347n * 800_000n + 678n * 4_000_000n + 999_999n) / 1_000_000n));
    assert.is(first?.costMicroUsd, '12590');

    // When the same unit context (ETH at T, the account unchanged by the hold) is re-run with `recorded` one minute later,
    const asOfT: DecisionContextSource = { compile: (unit) => source.compile({ ...unit, dueAt: decisionTime }) };
    await runsWith(recorded, asOfT).run({ runId: 'run-r', propAccountId: 'acc-1', cloneId, asset: 'ETH', dueAt: decisionTime + 60_000 });
    const replayed = findDecisionRun(db, 'run-r');
    assert.equal([replayed?.status, replayed?.engine, replayed?.replyModel], ['completed', 'recorded', 'claude-3-5-haiku-latest']);
    assert.is(replayed?.packetDigest, first?.packetDigest, 'the same packet');
    assert.equal(replayed?.action, first?.action, 'the same action');
    assert.equal(replayed?.reply, first?.reply, 'the same reply artifact');
    assert.equal([replayed?.costMicroUsd, replayed?.inputTokens], ['0', 0], 'nothing was called');
    assert.is(stub.requests.length, 1, 'recorded asks no model');

    // A packet no completed run had (BTC) is a miss, recorded as the run's failure.
    const failure = async (runId: string, asset: string, dueAt: number) => {
      try {
        await runsWith(recorded).run({ runId, propAccountId: 'acc-1', cloneId, asset, dueAt });
      } catch (error) {
        assert.instance(error, ClashError);
        return [(error as ClashError).code, findDecisionRun(db, runId)?.status, findDecisionRun(db, runId)?.failure?.code];
      }
      assert.unreachable(`${runId} should fail`);
    };
    assert.equal(await failure('run-miss', 'BTC', decisionTime), ['recording_missing', 'failed', 'recording_missing']);

    // A reply whose bytes no longer match its digest is refused, not replayed.
    const key = first?.reply?.key as string;
    await server.ops.artifacts.put(key, new TextEncoder().encode('{"action":"close"}'));
    try {
      await runsWith(recorded, asOfT).run({
        runId: 'run-t',
        propAccountId: 'acc-1',
        cloneId,
        asset: 'ETH',
        dueAt: decisionTime + 120_000,
      });
      assert.unreachable('a tampered reply should fail the run');
    } catch (error) {
      assert.is((error as ClashError).code, 'artifact_corrupt');
    }
    assert.is(findDecisionRun(db, 'run-t')?.failure?.code, 'artifact_corrupt');
  } finally {
    await server.close();
    await stub.close();
  }
});

test.run();
