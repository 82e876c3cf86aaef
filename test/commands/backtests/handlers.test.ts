/**
 * Backtest commands on a real store: the daily quota counts accepted runs per user + clone + UTC
 * day (refused runs are recorded but not counted; a new UTC day starts a new count), the clone's
 * entitlement tier picks the limits, and leases hold across handlers on the same file.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { backtestEvents } from '../../../commands/backtests/events.ts';
import { BacktestCommands, backtestStream, usageStream } from '../../../commands/backtests/handlers.ts';
import { defaultBacktestPolicy } from '../../../commands/backtests/limits.ts';
import type { TierName } from '../../../commands/entitlements/tiers.ts';
import { ManualClock, SequentialIds } from '../../../core/clock.ts';
import { EventRegistry } from '../../../core/event-registry.ts';
import { EventStore } from '../../../core/event-store.ts';
import { tempDir } from '../../support/store.ts';
import { HOUR, runShape, T0 } from './fixtures.ts';

const dir = tempDir();
test.after(() => dir.remove());

function open(name: string, tiers: Record<string, TierName> = {}) {
  const clock = new ManualClock(T0 + HOUR);
  const store = EventStore.open(dir.file(name), { registry: new EventRegistry(backtestEvents), clock, synchronous: 'NORMAL' });
  const commands = new BacktestCommands({
    store,
    clock,
    ids: new SequentialIds(),
    policy: defaultBacktestPolicy,
    tierOf: (c) => tiers[c] ?? null,
  });
  return { store, clock, commands };
}

test('a clone without an entitlement gets Starter: three runs a day, the fourth refused naming daily_runs; tomorrow counts anew', () => {
  const { store, clock, commands } = open('quota.db');
  const runs = [1, 2, 3, 4].map(() => commands.request('c1', 'u1', runShape()));
  assert.equal(
    runs.map((r) => r.state.status),
    ['queued', 'queued', 'queued', 'refused'],
  );
  const fourth = store.readStream(backtestStream(runs[3]?.backtestId ?? '')).at(-1);
  assert.equal(fourth?.type, 'BacktestRefused');
  assert.is((fourth?.data as { limit: string } | undefined)?.limit, 'daily_runs');
  assert.is(store.readStream(usageStream('u1', 'c1', '2026-01-05')).length, 3);
  // another clone and another user have their own quota
  assert.is(commands.request('c2', 'u1', runShape()).state.status, 'queued');
  assert.is(commands.request('c1', 'u2', runShape()).state.status, 'queued');
  clock.set(T0 + 24 * HOUR);
  assert.is(commands.request('c1', 'u1', runShape()).state.status, 'queued');
  store.close();
});

test('a refused run is not counted, and the preflight reads the count without appending', () => {
  const { store, commands } = open('refused.db');
  assert.is(commands.request('c1', 'u1', runShape({ assets: ['A', 'B', 'C', 'D'] })).state.status, 'refused');
  const head = store.headPosition();
  const pre = commands.preflight('c1', 'u1', runShape());
  assert.is(store.headPosition(), head);
  assert.equal(pre.estimate.verdicts[0], { limit: 'daily_runs', allowed: 3, requested: 1, ok: true });
  store.close();
});

test('requestQueued: the queued job, or backtest_refused naming the limit, the refusal recorded all the same', () => {
  // Given a Starter clone
  const { store, commands } = open('queued.db');
  // When a run within its limits is requested: it is queued
  const queued = commands.requestQueued('c1', 'u1', runShape());
  assert.equal(queued, { backtestId: queued.backtestId, status: 'queued' });
  assert.is(commands.state(queued.backtestId).status, 'queued');
  // When a run with four assets is requested: refused, naming the limit, its allowance and the request
  const head = store.headPosition();
  let refused: (Error & { code?: string; kind?: string; info?: Record<string, unknown> }) | undefined;
  try {
    commands.requestQueued('c1', 'u1', runShape({ assets: ['A', 'B', 'C', 'D'] }));
  } catch (error) {
    refused = error as typeof refused;
  }
  assert.equal(
    [refused?.code, refused?.kind, refused?.message],
    ['backtest_refused', 'unprocessable', 'the run breaks the active_assets limit'],
  );
  const backtestId = refused?.info?.backtestId as string;
  assert.equal(refused?.info, { backtestId, limit: 'active_assets', allowed: 3, requested: 4 });
  // Then the refusal is in the log
  assert.is(commands.state(backtestId).status, 'refused');
  assert.ok(store.headPosition() > head);
  store.close();
});

test('the clone tier picks the limits: Pro allows 10 assets', () => {
  const { store, commands } = open('tier.db', { c1: 'pro' });
  const assets = Array.from({ length: 10 }, (_, i) => `A${i}`);
  assert.is(commands.preflight('c1', 'u1', runShape({ assets })).tier, 'pro');
  assert.is(commands.request('c1', 'u1', runShape({ assets })).state.status, 'queued');
  store.close();
});

test('two handlers on one file: one lease at a time, taken over after expiry', () => {
  const a = open('lease.db');
  const b = {
    ...a,
    commands: new BacktestCommands({
      store: EventStore.open(dir.file('lease.db'), { registry: new EventRegistry(backtestEvents), clock: a.clock, synchronous: 'NORMAL' }),
      clock: a.clock,
      ids: new SequentialIds(),
      policy: defaultBacktestPolicy,
      tierOf: () => null,
    }),
  };
  const { backtestId } = a.commands.request('c1', 'u1', runShape());
  assert.is(a.commands.lease(backtestId, 'w1', 1000).lease?.workerId, 'w1');
  assert.throws(
    () => b.commands.lease(backtestId, 'w2', 1000),
    (e: Error & { code?: string }) => e.code === 'backtest_leased',
  );
  a.clock.advance(1000);
  assert.is(b.commands.lease(backtestId, 'w2', 1000).lease?.attempt, 2);
  assert.throws(
    () => a.commands.progress(backtestId, 'w1', 1, T0, 1000),
    (e: Error & { code?: string }) => e.code === 'lease_lost',
  );
  a.store.close();
});

test.run();
