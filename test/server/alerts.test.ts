/**
 * Alerts delivered to a local HTTP receiver: a stale worker fires once while it holds (dedup),
 * a receiver that fails is retried, an undeliverable notice is sent again at the next
 * evaluation, and the alert is resolved once the condition clears.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { webhookSink } from '../../adapters/alerts/webhook.ts';
import { ManualClock } from '../../core/clock.ts';
import type { WorkerDefinition } from '../../core/operations/worker-loop.ts';
import { workerCatalog } from '../../server/workers.ts';
import { workerFixture } from '../support/workers.ts';

const T0 = Date.UTC(2026, 0, 5);

/** A receiver that answers 500 to the first `failFirst` posts, then 204; it keeps every body. */
async function receiver(failFirst: number) {
  const bodies: Record<string, unknown>[] = [];
  let posts = 0;
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk) => {
      raw += chunk;
    });
    req.on('end', () => {
      posts += 1;
      if (posts <= failFirst) {
        res.writeHead(500).end();
        return;
      }
      bodies.push(JSON.parse(raw) as Record<string, unknown>);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return { url, bodies, posts: () => posts, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** The alerts worker over a fresh ledger (backups off), delivering to a receiver that fails `failFirst` posts; retries do not sleep. */
async function alertsWorker(failFirst: number) {
  const { ops, context, close } = workerFixture('alerts', {}, new ManualClock(T0));
  const hook = await receiver(failFirst);
  const alerts = workerCatalog.alerts?.(context({ alertSink: webhookSink(hook.url, { sleep: async () => {} }) })) as WorkerDefinition;
  const done = async () => {
    await hook.close();
    close();
  };
  return { ops, hook, alerts, done };
}

test('a stale worker fires once while stale, through retries; it resolves when the worker beats again', async () => {
  const { ops, hook, alerts, done } = await alertsWorker(2);
  const beat = (at: number) =>
    ops.heartbeats.beat({
      worker: 'ingestion',
      host: 'box',
      pid: 7,
      startedAt: T0,
      lastBeatAt: at,
      lastSuccessAt: at,
      lastError: null,
      lastErrorAt: null,
      unitsInFlight: 0,
      intervalMs: 10_000,
      signals: {},
    });
  beat(T0);
  // Given nothing wrong: nothing is sent
  await alerts.tick(T0);
  assert.is(hook.posts(), 0);
  // When the ingestion worker misses more than three beats: one notice, delivered on the third attempt
  await alerts.tick(T0 + 30_001);
  assert.is(hook.posts(), 3, 'two 500s, then delivered');
  assert.is(hook.bodies.length, 1);
  assert.equal(hook.bodies[0], {
    status: 'firing',
    key: 'worker_stale:ingestion@box:7',
    rule: 'worker_stale',
    severity: 'critical',
    summary: 'worker ingestion on box (pid 7) has not beaten for 30 s',
    details: { worker: 'ingestion', host: 'box', pid: 7, lastBeatAt: new Date(T0).toISOString() },
    startsAt: new Date(T0 + 30_001).toISOString(),
    endsAt: null,
    source: 'clash-ledger',
  });
  // While it stays stale, evaluations send nothing more (deduplicated)
  await alerts.tick(T0 + 60_000);
  await alerts.tick(T0 + 90_000);
  assert.is(hook.bodies.length, 1);
  // Then it beats again: one resolution
  beat(T0 + 95_000);
  await alerts.tick(T0 + 100_000);
  assert.equal(
    hook.bodies.map((b) => [b.status, b.key, b.endsAt]),
    [
      ['firing', 'worker_stale:ingestion@box:7', null],
      ['resolved', 'worker_stale:ingestion@box:7', new Date(T0 + 100_000).toISOString()],
    ],
  );
  await alerts.tick(T0 + 110_000);
  assert.is(hook.bodies.length, 2, 'nothing more once resolved');
  await done();
});

test('a notice the receiver never takes stays pending, fails the tick, and is sent at the next evaluation', async () => {
  const { ops, hook, alerts, done } = await alertsWorker(4); // the whole first evaluation's four attempts fail
  for (let i = 0; i < ops.units.policy.maxAttempts; i++) {
    await ops.units.run(
      'decisions',
      { id: 'run:1', orderingKey: null, position: null, description: 'decision run 1' },
      T0 + i * 400_000,
      () => {
        throw new Error('model refused');
      },
    );
  }
  try {
    await alerts.tick(T0);
    assert.unreachable('the tick fails while a notice is undelivered');
  } catch (error) {
    assert.match((error as Error).message, /1 alert notice\(s\) could not be delivered/);
  }
  assert.is(hook.bodies.length, 0);
  await alerts.tick(T0 + 30_000);
  assert.equal(
    hook.bodies.map((b) => [b.status, b.rule]),
    [['firing', 'dead_letters']],
  );
  await done();
});

test.run();
