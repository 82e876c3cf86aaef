/**
 * The decision worker on a real event store (`commands/decisions/worker.ts`): due units per
 * cadence slot run once each, two workers on one file never run a unit twice, a dead worker's
 * lease is taken over once expired and its unit run, a failing unit retries with backoff and
 * becomes a dead letter, paused clones and engines are skipped and recorded, an entitlement
 * downgrade takes effect at the next unit; property: over any tick times, no due time of an
 * asset runs twice and none after the first is missed while ticks come at least once per slot.
 */
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { putContent } from '../../../adapters/artifacts/content.ts';
import { MemoryArtifactStore } from '../../../adapters/artifacts/memory.ts';
import type { DecisionEngine } from '../../../adapters/models/engine.ts';
import { decisionControlEvents } from '../../../commands/decisions/control-events.ts';
import { DecisionControls } from '../../../commands/decisions/controls.ts';
import { noneEngine } from '../../../commands/decisions/engines/none.ts';
import { decisionEvents } from '../../../commands/decisions/events.ts';
import { DecisionRuns, decisionStream } from '../../../commands/decisions/handlers.ts';
import type { RunningAccount } from '../../../commands/decisions/ports.ts';
import { runIdOf } from '../../../commands/decisions/schedule.ts';
import { DECISIONS_WORKER, DecisionWorker } from '../../../commands/decisions/worker.ts';
import { ManualClock } from '../../../core/clock.ts';
import { ClashError } from '../../../core/errors.ts';
import { EventRegistry } from '../../../core/event-registry.ts';
import { EventStore } from '../../../core/event-store.ts';
import { Leases } from '../../../core/operations/leases.ts';
import { WorkUnits } from '../../../core/operations/work-units.ts';
import { btcRunContext } from '../../support/decision-context.ts';
import { fcRuns, fcSeed, tempDir } from '../../support/store.ts';

const dir = tempDir();
const T0 = Date.UTC(2026, 0, 5);
const policy = { maxAttempts: 3, baseMs: 1000, maxMs: 10_000, factor: 2, jitter: 0 };

const account = (over: Partial<RunningAccount> = {}): RunningAccount => ({
  propAccountId: 'acc',
  cloneId: 'clone-1',
  purpose: 'audition',
  startedAt: T0,
  modelTier: 'basic',
  activeAssets: 2,
  entitlement: { modelStrength: 'basic', activeAssets: 3 },
  branches: [{ branchId: 'prompt-1', cadenceSec: 60, candidates: ['BTC', 'ETH'] }],
  ...over,
});

/** A worker over the file `name` (a second call opens a second connection: another process's view). */
function workerOn(name: string, holder: string, options: { engine?: DecisionEngine; accounts?: () => RunningAccount[] } = {}) {
  const clock = new ManualClock(T0);
  const registry = new EventRegistry([...decisionEvents, ...decisionControlEvents]);
  const store = EventStore.open(dir.file(`${name}.db`), { registry, clock, synchronous: 'NORMAL' });
  const artifacts = new MemoryArtifactStore();
  const runs = new DecisionRuns({
    store,
    clock,
    engine: options.engine ?? noneEngine,
    context: { compile: async () => btcRunContext() },
    artifacts: { put: (kind, bytes) => putContent(artifacts, kind, bytes) },
    orders: { submit: (_, runId) => ({ orderId: `order-${runId}`, status: 'executed', code: null }) },
  });
  const controls = new DecisionControls({ store, clock, cloneExists: () => true });
  const units = new WorkUnits(store.db, policy, () => 0);
  const leases = new Leases(store.db);
  const state = { accounts: options.accounts ?? (() => [account()]) };
  const worker = new DecisionWorker({
    runs,
    accounts: { running: () => state.accounts() },
    controls,
    units,
    leases,
    engine: (options.engine ?? noneEngine).name,
    holder,
    leaseMs: 30_000,
    concurrency: 2,
    cadenceOverrideSec: null,
  });
  const events = (type?: string) => store.readStream(decisionStream('acc')).filter((e) => type === undefined || e.type === type);
  return { clock, store, worker, controls, units, leases, events, state };
}

test('due units: one run per asset per cadence slot, none twice for ticks within a slot; run ids derive from (account, asset, slot)', async () => {
  const w = workerOn('slots', 'a');
  assert.equal(await w.worker.tick(T0 + 5_000), { due: 2, done: 2, skipped: 0, leased: 0, parked: 0 });
  assert.equal(await w.worker.tick(T0 + 30_000), { due: 0, done: 0, skipped: 0, leased: 0, parked: 0 }, 'same slot: nothing due');
  await w.worker.tick(T0 + 61_000);
  const scheduled = w.events('DecisionRunScheduled').map((e) => e.data as { runId: string; asset: string; dueAt: number });
  assert.equal(
    scheduled.map((d) => [d.asset, d.dueAt - T0]),
    [
      ['BTC', 0],
      ['ETH', 0],
      ['BTC', 60_000],
      ['ETH', 60_000],
    ],
  );
  for (const d of scheduled) assert.is(d.runId, runIdOf('acc', d.asset, d.dueAt));
  assert.is(w.events('DecisionRunCompleted').length, 4);
});

test('two workers on one database file: every due unit runs exactly once, whichever worker ticks first', async () => {
  const a = workerOn('two', 'host:1');
  const b = workerOn('two', 'host:2');
  for (let slot = 0; slot < 5; slot += 1) {
    const now = T0 + slot * 60_000 + 1_000;
    const [ra, rb] = await Promise.all([a.worker.tick(now), b.worker.tick(now)]);
    assert.is(ra.done + rb.done, 2, `slot ${slot}: two units, run once between them`);
  }
  const scheduled = a.events('DecisionRunScheduled').map((e) => (e.data as { runId: string }).runId);
  assert.is(scheduled.length, 10);
  assert.is(new Set(scheduled).size, 10, 'no unit scheduled twice');
  assert.is(a.events('DecisionRunCompleted').length, 10);
});

test("a dead worker's unit: nothing of it is in the log, its lease keeps others off until it expires, then another worker runs it under the same run id", async () => {
  const a = workerOn('takeover', 'host:1', {
    accounts: () => [account({ branches: [{ branchId: 'p', cadenceSec: 60, candidates: ['BTC'] }] })],
  });
  const b = workerOn('takeover', 'host:2', { accounts: a.state.accounts });
  const runId = runIdOf('acc', 'BTC', T0);
  // worker A took the unit's lease, called its engine and died: a run in flight appends nothing
  assert.ok(a.leases.acquire(`decision:${runId}`, 'host:1', T0, 30_000));
  assert.equal(await b.worker.tick(T0 + 10_000), { due: 1, done: 0, skipped: 0, leased: 1, parked: 0 }, 'held: B leaves it');
  assert.equal(b.events(), []);
  const report = await b.worker.tick(T0 + 31_000);
  assert.equal([report.due, report.done], [1, 1], 'expired: B takes the lease over and runs the unit');
  assert.is(b.leases.get(`decision:${runId}`), undefined, 'released after the run');
  assert.equal(
    b.events().map((e) => [e.type, (e.data as { runId: string }).runId]),
    ['DecisionRunScheduled', 'DecisionRunStarted', 'DecisionReplyRecorded', 'DecisionActionAccepted', 'DecisionRunCompleted'].map((t) => [
      t,
      runId,
    ]),
  );
});

test('a failing unit retries with backoff while it is the latest, then becomes a dead letter; retrying the dead letter runs it', async () => {
  let failing = true;
  const flaky: DecisionEngine = {
    name: 'none',
    decide: async (r) => {
      if (failing) throw new ClashError('engine_unavailable', 'unavailable', 'down');
      return noneEngine.decide(r);
    },
  };
  const one = () => [account({ branches: [{ branchId: 'p', cadenceSec: 3600, candidates: ['BTC'] }] })];
  const w = workerOn('dead', 'a', { engine: flaky, accounts: one });
  assert.is((await w.worker.tick(T0)).parked, 1);
  assert.is((await w.worker.tick(T0 + 500)).done, 0, 'before its backoff: not run');
  await w.worker.tick(T0 + 1_000);
  await w.worker.tick(T0 + 3_000);
  const [dead] = w.units.parked(DECISIONS_WORKER);
  assert.is(dead?.state, 'dead');
  assert.is(dead?.attempts, 3);
  assert.match(dead?.lastError ?? '', /down/);
  assert.is(w.events('DecisionRunFailed').length, 3);
  await w.worker.tick(T0 + 60_000);
  assert.is(w.events('DecisionRunFailed').length, 3, 'a dead letter is not run by ticks');
  failing = false;
  w.units.retry(dead?.seq ?? 0, T0 + 61_000);
  assert.is((await w.worker.tick(T0 + 61_000)).done, 1);
  assert.equal(w.units.parked(DECISIONS_WORKER), []);
  assert.is(w.events('DecisionRunCompleted').length, 1);
});

test('pause and resume: a paused clone or engine is skipped and recorded at the next unit, resumed it runs again', async () => {
  const w = workerOn('pause', 'a', { accounts: () => [account({ branches: [{ branchId: 'p', cadenceSec: 60, candidates: ['BTC'] }] })] });
  w.controls.pause({ scope: 'clone', target: 'clone-1' }, 'investigating', 'admin:0xabc');
  assert.is((await w.worker.tick(T0)).skipped, 1);
  assert.is((await w.worker.tick(T0 + 1_000)).skipped, 0, 'one record per due unit, not per tick');
  w.controls.resume({ scope: 'clone', target: 'clone-1' }, 'fixed', 'admin:0xabc');
  w.controls.pause({ scope: 'source', target: 'none' }, 'provider incident', 'admin:0xabc');
  assert.is((await w.worker.tick(T0 + 60_000)).skipped, 1);
  w.controls.resume({ scope: 'source', target: 'none' }, 'over', 'admin:0xabc');
  assert.is((await w.worker.tick(T0 + 120_000)).done, 1);
  assert.equal(
    w.events('DecisionRunSkipped').map((e) => (e.data as { reason: string; detail: string }).reason),
    ['clone_paused', 'source_paused'],
  );
  assert.throws(
    () => w.controls.resume({ scope: 'clone', target: 'clone-1' }, 'again', 'admin'),
    (e: ClashError) => e.code === 'not_paused',
  );
});

test('entitlements at run time: a downgrade takes effect at the next unit, recorded with its reason', async () => {
  let current = account({ modelTier: 'standard', entitlement: { modelStrength: 'standard', activeAssets: 3 } });
  const w = workerOn('downgrade', 'a', { accounts: () => [current] });
  assert.is((await w.worker.tick(T0)).done, 2);
  current = { ...current, entitlement: { modelStrength: 'basic', activeAssets: 3 } };
  assert.is((await w.worker.tick(T0 + 60_000)).skipped, 2);
  current = { ...current, modelTier: 'basic', entitlement: { modelStrength: 'basic', activeAssets: 1 } };
  await w.worker.tick(T0 + 120_000);
  current = { ...current, entitlement: null };
  await w.worker.tick(T0 + 180_000);
  const reasons = w.events('DecisionRunSkipped').map((e) => (e.data as { reason: string }).reason);
  assert.equal(reasons, [
    'model_strength_not_entitled',
    'model_strength_not_entitled',
    'asset_capacity_exceeded',
    'asset_capacity_exceeded',
    'no_entitlement',
    'no_entitlement',
  ]);
});

test('run-once: the due units of one clone; with force, a unit now for a candidate whatever the cadence; an unknown clone is a 404', async () => {
  const w = workerOn('once', 'a');
  assert.equal(
    (await w.worker.runOnce('clone-1', T0 + 1_000, { asset: 'ETH' })).map((r) => [r.asset, r.status]),
    [['ETH', 'done']],
  );
  assert.equal(await w.worker.runOnce('clone-1', T0 + 2_000, { asset: 'ETH' }), [], 'ETH already ran for this slot');
  const forced = await w.worker.runOnce('clone-1', T0 + 3_000, { asset: 'ETH', force: true });
  assert.equal(
    forced.map((r) => [r.runId, r.status]),
    [[runIdOf('acc', 'ETH', T0 + 3_000), 'done']],
  );
  assert.equal(
    w.events('DecisionRunScheduled').map((e) => (e.data as { dueAt: number }).dueAt - T0),
    [0, 3_000],
  );
  try {
    await w.worker.runOnce('nobody', T0);
    assert.unreachable('a clone without a running account');
  } catch (error) {
    assert.is((error as ClashError).code, 'not_found');
  }
});

test('property: over random tick times, each (asset, slot) is scheduled at most once, and every slot with a tick inside it runs', async () => {
  let n = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(fc.integer({ min: 0, max: 600_000 }), { minLength: 1, maxLength: 12 }), async (offsets) => {
      n += 1;
      const w = workerOn(`prop-${n}`, 'a');
      const times = [...offsets].sort((x, y) => x - y);
      for (const t of times) await w.worker.tick(T0 + t);
      const scheduled = w.events('DecisionRunScheduled').map((e) => e.data as { asset: string; dueAt: number });
      const keys = scheduled.map((d) => `${d.asset}@${d.dueAt}`);
      assert.is(new Set(keys).size, keys.length);
      const slots = new Set(times.map((t) => Math.floor(t / 60_000)));
      assert.is(scheduled.length, 2 * slots.size);
      w.store.close();
    }),
    { seed: fcSeed, numRuns: Math.min(fcRuns, 20) },
  );
});

test.after(() => dir.remove());
test.run();
