/**
 * Decision runs end to end on a real event store and the memory artifact store: a rules run
 * that orders (packet, prompt and reply stored by digest, every step an event of
 * `decisions-<account>`), a refused reply and a refused action recorded with their reasons, a
 * hold, an engine failure recorded and rethrown, and a unit that cannot run twice.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { type ArtifactRef, getContent, putContent } from '../../../adapters/artifacts/content.ts';
import { MemoryArtifactStore } from '../../../adapters/artifacts/memory.ts';
import type { DecisionEngine } from '../../../adapters/models/engine.ts';
import { rulesEngine } from '../../../commands/decisions/engines/rules.ts';
import { decisionEvents } from '../../../commands/decisions/events.ts';
import { DecisionRuns, decisionStream } from '../../../commands/decisions/handlers.ts';
import type { DueUnit, OrderPort, RunContext } from '../../../commands/decisions/ports.ts';
import { ManualClock } from '../../../core/clock.ts';
import { ClashError } from '../../../core/errors.ts';
import { EventRegistry } from '../../../core/event-registry.ts';
import { EventStore } from '../../../core/event-store.ts';
import { tempDir } from '../../support/store.ts';

const dir = tempDir();
const context: RunContext = {
  packet: { asset: 'BTC', closes: ['100000'] },
  promptTemplateVersion: 'v1',
  system: 'system text',
  prompt: 'prompt text',
  modelStrength: 'basic',
  candidates: ['BTC'],
  assetEnabled: true,
  confidenceThreshold: 0.6,
  tierMaxLeverage: 5,
  assetMaxLeverage: 40,
  headroomMicroUsd: 100_000_000_000n,
  equityMicroUsd: 10_000_000_000n,
  lastPrice: '100000',
  indicators: { ema20: 99_000, rsi14: 60, macd: 120, macdSignal: 80, macdHistogram: 40 },
  position: null,
};

function setup(name: string, engine: DecisionEngine = rulesEngine, over: Partial<RunContext> = {}) {
  const clock = new ManualClock(Date.UTC(2026, 0, 5));
  const store = EventStore.open(dir.file(`${name}.db`), { registry: new EventRegistry(decisionEvents), clock, synchronous: 'NORMAL' });
  const artifacts = new MemoryArtifactStore();
  const orders: Parameters<OrderPort['submit']>[] = [];
  const runs = new DecisionRuns({
    store,
    clock,
    engine,
    context: { compile: async () => ({ ...context, ...over }) },
    artifacts: { put: (kind, bytes) => putContent(artifacts, kind, bytes) },
    orders: {
      submit: (...args) => {
        orders.push(args);
        return { orderId: `order-${args[1]}`, status: 'executed', code: null };
      },
    },
  });
  const types = () => store.readStream(decisionStream('acc')).map((e) => e.type);
  /** The data of the stream's i-th event (fails the test when there is none). */
  const dataAt = <T>(i: number): T => {
    const event = store.readStream(decisionStream('acc'))[i];
    if (!event) throw new Error(`no event ${i}`);
    return event.data as T;
  };
  return { store, artifacts, runs, orders, types, dataAt };
}

const unit = (runId = 'run-1', dueAt = Date.UTC(2026, 0, 5)): DueUnit => ({
  runId,
  propAccountId: 'acc',
  cloneId: 'clone-1',
  asset: 'BTC',
  dueAt,
});

test('a rules run opens long: every step is an event, the order carries the run id, artifacts match their digests', async () => {
  const { runs, orders, types, dataAt, artifacts, store } = setup('order');
  const outcome = await runs.run(unit());
  assert.equal(outcome, { status: 'ordered', order: { orderId: 'order-run-1', status: 'executed', code: null } });
  assert.equal(types(), [
    'DecisionRunScheduled',
    'DecisionRunStarted',
    'DecisionReplyRecorded',
    'DecisionActionAccepted',
    'DecisionRunCompleted',
  ]);
  assert.is(orders.length, 1);
  assert.equal(orders[0]?.slice(0, 2), ['acc', 'run-1']);
  assert.is(orders[0]?.[2].action, 'open');
  const started = dataAt<{ packet: ArtifactRef; packetDigest: string; prompt: ArtifactRef }>(1);
  assert.is(started.packetDigest, started.packet.sha256);
  const packet = await getContent(artifacts, started.packet);
  assert.is(new TextDecoder().decode(packet), '{"asset":"BTC","closes":["100000"]}');
  assert.ok(await getContent(artifacts, started.prompt));
  const reply = dataAt<{ reply: ArtifactRef; parse: { status: string } }>(2);
  assert.is(reply.parse.status, 'valid');
  assert.is(JSON.parse(new TextDecoder().decode(await getContent(artifacts, reply.reply))).action, 'open');
  store.close();
});

test('a prose reply is refused at parse, recorded with its reason, completed without an order', async () => {
  const prose: DecisionEngine = {
    name: 'recorded',
    decide: async () => ({
      text: 'I think BTC goes up.',
      model: 'm',
      usage: { inputTokens: 5, outputTokens: 6 },
      costMicroUsd: 7n,
      attempts: 1,
    }),
  };
  const { runs, orders, dataAt, types, store } = setup('prose', prose);
  assert.equal(await runs.run(unit()), { status: 'refused', stage: 'parse' });
  assert.equal(types(), [
    'DecisionRunScheduled',
    'DecisionRunStarted',
    'DecisionReplyRecorded',
    'DecisionActionRefused',
    'DecisionRunCompleted',
  ]);
  const recorded = dataAt<{ costMicroUsd: bigint; inputTokens: number }>(2);
  assert.equal([recorded.costMicroUsd, recorded.inputTokens], [7n, 5]);
  assert.equal(dataAt<{ refusals: unknown[] }>(3).refusals, [
    { code: 'reply_refused', detail: 'reply_not_json: the reply is not one JSON object' },
  ]);
  assert.is(orders.length, 0);
  store.close();
});

test('an action above the tier leverage cap and the headroom is refused with both reasons', async () => {
  const { runs, dataAt, orders, store } = setup('refused', rulesEngine, { tierMaxLeverage: 1, headroomMicroUsd: 1n });
  assert.equal(await runs.run(unit()), { status: 'refused', stage: 'validation' });
  const refusal = dataAt<{ stage: string; refusals: { code: string }[] }>(3);
  assert.equal(
    refusal.refusals.map((r) => r.code),
    ['leverage_above_tier_cap', 'size_above_headroom'],
  );
  assert.is(orders.length, 0);
  store.close();
});

test('a hold completes with no order', async () => {
  const { runs, types, orders, store } = setup('hold', rulesEngine, { indicators: null });
  assert.equal(await runs.run(unit()), { status: 'held' });
  assert.is(types().at(-1), 'DecisionRunCompleted');
  assert.is(orders.length, 0);
  store.close();
});

test('an engine failure is recorded as DecisionRunFailed with its code and rethrown; the unit then cannot run again', async () => {
  const down: DecisionEngine = {
    name: 'anthropic',
    decide: async () => {
      throw new ClashError('engine_unavailable', 'unavailable', 'down');
    },
  };
  const { runs, types, dataAt, store } = setup('failed', down);
  try {
    await runs.run(unit());
    assert.unreachable();
  } catch (error) {
    assert.is((error as ClashError).code, 'engine_unavailable');
  }
  assert.equal(types(), ['DecisionRunScheduled', 'DecisionRunStarted', 'DecisionRunFailed']);
  assert.is(dataAt<{ model: string }>(1).model, 'tier:basic');
  try {
    await runs.run(unit('run-2'));
    assert.unreachable();
  } catch (error) {
    assert.is((error as ClashError).code, 'run_not_due');
  }
  store.close();
});

test('a run is one append: its five events share one command and consecutive positions', async () => {
  const { runs, store } = setup('appends');
  await runs.run(unit());
  const events = store.readStream(decisionStream('acc'));
  assert.equal(
    events.map((e) => e.metadata.commandName),
    ['RecordRun', 'RecordRun', 'RecordRun', 'RecordRun', 'RecordRun'],
  );
  assert.equal(
    events.map((e) => e.position - (events[0]?.position ?? 0)),
    [0, 1, 2, 3, 4],
  );
  store.close();
});

test('a context that does not compile is recorded as scheduled + failed in one append, and rethrown', async () => {
  const { store, types, dataAt } = setup('no-context');
  const clock = new ManualClock(Date.UTC(2026, 0, 5));
  const runs = new DecisionRuns({
    store,
    clock,
    engine: rulesEngine,
    context: {
      compile: async () => {
        throw new ClashError('no_price', 'unprocessable', 'no BTC price');
      },
    },
    artifacts: { put: (kind, bytes) => putContent(new MemoryArtifactStore(), kind, bytes) },
    orders: { submit: () => assert.unreachable('no order') as never },
  });
  const code = await runs.run(unit()).catch((e: ClashError) => e.code);
  assert.is(code, 'no_price');
  assert.equal(types(), ['DecisionRunScheduled', 'DecisionRunFailed']);
  assert.is(dataAt<{ code: string }>(1).code, 'no_price');
  store.close();
});

test('an order that throws rolls back with the completion: the run ends failed, nothing half-recorded', async () => {
  const { store, types } = setup('order-throws');
  const clock = new ManualClock(Date.UTC(2026, 0, 5));
  const runs = new DecisionRuns({
    store,
    clock,
    engine: rulesEngine,
    context: { compile: async () => context },
    artifacts: { put: (kind, bytes) => putContent(new MemoryArtifactStore(), kind, bytes) },
    orders: {
      submit: () => {
        throw new ClashError('account_frozen', 'conflict', 'frozen');
      },
    },
  });
  const code = await runs.run(unit()).catch((e: ClashError) => e.code);
  assert.is(code, 'account_frozen');
  assert.equal(types(), ['DecisionRunScheduled', 'DecisionRunStarted', 'DecisionRunFailed']);
  store.close();
});

test.after(() => dir.remove());
test.run();
