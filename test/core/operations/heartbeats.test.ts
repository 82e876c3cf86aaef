/** Heartbeats and staleness on an injected clock; failing and recovering; exclusive workers and their lease. */
import { hostname } from 'node:os';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock } from '../../../core/clock.ts';
import { openDatabase } from '../../../core/database.ts';
import { Heartbeats, workerState } from '../../../core/operations/heartbeats.ts';
import { Leases } from '../../../core/operations/leases.ts';
import { startWorker, type WorkerDefinition } from '../../../core/operations/worker-loop.ts';
import { tempDir } from '../../support/store.ts';

const T0 = Date.UTC(2026, 0, 5);
const silent = { error: () => {}, debug: () => {} };

function setup() {
  const dir = tempDir('clash-beats-');
  const db = openDatabase(dir.file('ops.db'));
  const clock = new ManualClock(T0);
  const heartbeats = new Heartbeats(db);
  const deps = { heartbeats, leases: new Leases(db), clock, log: silent };
  return {
    db,
    clock,
    heartbeats,
    deps,
    done: () => {
      db.close();
      dir.remove();
    },
  };
}

test('a worker beats every tick; it is stale after N missed beats and ok again when it beats', async () => {
  const { clock, heartbeats, deps, done } = setup();
  let inFlight = 0;
  const def: WorkerDefinition = { name: 'ingestion', intervalMs: 1000, tick: () => ({ unitsInFlight: inFlight, signals: { polled: 2 } }) };
  const worker = startWorker(def, deps, { autoStart: false });
  // Given a first tick at T0
  inFlight = 3;
  await worker.tickNow();
  let [beat] = heartbeats.list(clock.now(), 3);
  assert.equal(
    { worker: beat?.worker, host: beat?.host, pid: beat?.pid, state: beat?.state, inFlight: beat?.unitsInFlight, signals: beat?.signals },
    { worker: 'ingestion', host: hostname(), pid: process.pid, state: 'ok', inFlight: 3, signals: { polled: 2 } },
  );
  assert.is(beat?.startedAt, T0);
  assert.is(beat?.lastSuccessAt, T0);
  // When three intervals pass without a beat: still ok (exactly N beats missed) …
  clock.advance(3000);
  assert.is(heartbeats.list(clock.now(), 3)[0]?.state, 'ok');
  // … and one ms more: stale
  clock.advance(1);
  assert.is(heartbeats.list(clock.now(), 3)[0]?.state, 'stale');
  // Then a beat makes it ok again, with the new time
  await worker.tickNow();
  [beat] = heartbeats.list(clock.now(), 3);
  assert.is(beat?.state, 'ok');
  assert.is(beat?.lastBeatAt, T0 + 3001);
  // A clean stop removes the row: a stopped worker is not a stale one
  await worker.stop();
  assert.equal(heartbeats.list(clock.now(), 3), []);
  done();
});

test('a tick that throws marks the worker failing, with its error; a later success clears it', async () => {
  const { clock, heartbeats, deps, done } = setup();
  let fail = true;
  const worker = startWorker(
    {
      name: 'decisions',
      intervalMs: 1000,
      tick: () => {
        if (fail) throw new Error('model API answered 529');
        return undefined;
      },
    },
    deps,
    { autoStart: false },
  );
  await worker.tickNow();
  let [beat] = heartbeats.list(clock.now(), 3);
  assert.is(beat?.state, 'failing');
  assert.is(beat?.lastError, 'model API answered 529');
  assert.is(beat?.lastErrorAt, T0);
  assert.is(beat?.lastSuccessAt, null);
  clock.advance(1000);
  fail = false;
  await worker.tickNow();
  [beat] = heartbeats.list(clock.now(), 3);
  assert.is(beat?.state, 'ok');
  assert.is(beat?.lastError, 'model API answered 529', 'the last error stays on record');
  assert.is(beat?.lastSuccessAt, T0 + 1000);
  await worker.stop();
  done();
});

test('a starting worker removes the rows its dead processes left on this host, and keeps the live ones', async () => {
  const { clock, heartbeats, deps, done } = setup();
  const row = (pid: number) => ({
    worker: 'decisions',
    host: hostname(),
    pid,
    startedAt: T0,
    lastBeatAt: T0,
    lastSuccessAt: T0,
    lastError: null,
    lastErrorAt: null,
    unitsInFlight: 0,
    intervalMs: 1000,
    signals: {},
  });
  const dead = 2 ** 22 + 12_345; // above Linux's default pid_max: no such process
  heartbeats.beat(row(dead));
  heartbeats.beat(row(process.ppid)); // another decisions process, alive
  heartbeats.beat({ ...row(dead), host: 'elsewhere' }); // another host: not ours to judge
  const worker = startWorker({ name: 'decisions', intervalMs: 1000, tick: () => undefined }, deps, { autoStart: false });
  const rows = heartbeats.list(clock.now(), 3).map((b) => `${b.host === hostname() ? 'here' : b.host}:${b.pid}`);
  assert.equal(rows.sort(), [`elsewhere:${dead}`, `here:${process.pid}`, `here:${process.ppid}`].sort());
  await worker.stop();
  done();
});

test('workerState: stale wins over failing (a dead process says nothing of its last tick)', () => {
  const beat = {
    worker: 'w',
    host: 'h',
    pid: 1,
    startedAt: 0,
    lastBeatAt: 10_000,
    lastSuccessAt: 5_000,
    lastError: 'x',
    lastErrorAt: 10_000,
    unitsInFlight: 0,
    intervalMs: 1000,
    signals: {},
  };
  assert.is(workerState(beat, 12_000, 3), 'failing');
  assert.is(workerState(beat, 13_001, 3), 'stale');
  assert.is(workerState({ ...beat, lastSuccessAt: 10_000, lastErrorAt: 9_000 }, 12_000, 3), 'ok');
});

test('an exclusive worker runs in one process at a time; the standby takes over when the lease expires', async () => {
  const { clock, db, deps, done } = setup();
  const leases = new Leases(db);
  let ticks = 0;
  const def: WorkerDefinition = {
    name: 'competition',
    intervalMs: 1000,
    exclusive: true,
    tick: () => {
      ticks += 1;
      return undefined;
    },
  };
  const first = startWorker(def, deps, { autoStart: false });
  await first.tickNow();
  assert.is(ticks, 1);
  // Another holder (a second process) is refused while the lease (three intervals, at least a minute) is valid …
  assert.not.ok(leases.acquire('competition', 'other-host:42', clock.now() + 59_999, 60_000));
  // … and takes it once it has expired
  assert.ok(leases.acquire('competition', 'other-host:42', clock.now() + 60_001, 60_000));
  clock.advance(60_001);
  await first.tickNow();
  assert.is(ticks, 1, 'this process stands by while the other holds the lease');
  assert.is(deps.heartbeats.list(clock.now(), 3)[0]?.signals.standby, 1);
  await first.stop();
  done();
});

test.run();
