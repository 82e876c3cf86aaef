/** The one retry policy and dead letters: attempts, backoff with jitter, parking, ordering keys, retry and discard. */
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { openDatabase } from '../../../core/database.ts';
import { backoffMs, type RetryPolicy, withRetries } from '../../../core/operations/retry.ts';
import { type UnitRef, WorkUnits } from '../../../core/operations/work-units.ts';
import { fcRuns, fcSeed, tempDir } from '../../support/store.ts';

const policy: RetryPolicy = { maxAttempts: 3, baseMs: 1000, maxMs: 60_000, factor: 2, jitter: 0.5 };
const unit = (id: string, orderingKey: string | null = null): UnitRef => ({ id, orderingKey, position: null, description: `unit ${id}` });
const boom = () => {
  throw new Error('exchange down');
};

function setup() {
  const dir = tempDir('clash-units-');
  const db = openDatabase(dir.file('ops.db'));
  return {
    units: new WorkUnits(db, policy, () => 0),
    done: () => {
      db.close();
      dir.remove();
    },
  };
}

test('a unit that keeps failing is retried after its backoff, then ends as a dead letter; the others are not blocked', async () => {
  const { units, done } = setup();
  const ran: string[] = [];
  const ok = (id: string) => () => void ran.push(id);
  // Given a failing unit a and a healthy unit b, ticked every second
  assert.is(await units.run('ingestion', unit('a'), 0, boom), 'retrying');
  assert.is(await units.run('ingestion', unit('b'), 0, ok('b')), 'done');
  assert.is(await units.run('ingestion', unit('a'), 999, boom), 'not_due', 'backoff after 1 failure: 1000 ms (random 0: no jitter)');
  assert.is(await units.run('ingestion', unit('a'), 1000, boom), 'retrying');
  assert.is(await units.run('ingestion', unit('a'), 2999, boom), 'not_due', 'backoff after 2 failures: 2000 ms');
  assert.is(await units.run('ingestion', unit('a'), 3000, boom), 'dead', 'the third attempt is the last');
  assert.is(await units.run('ingestion', unit('a'), 99_000, ok('a')), 'dead', 'a dead letter is not run again by its worker');
  assert.is(await units.run('ingestion', unit('c'), 3000, ok('c')), 'done');
  assert.equal(ran, ['b', 'c']);
  // Then the dead letter says what happened
  const [dead] = units.list();
  assert.equal(
    {
      id: dead?.id,
      state: dead?.state,
      attempts: dead?.attempts,
      first: dead?.firstFailureAt,
      last: dead?.lastFailureAt,
      error: dead?.lastError,
    },
    { id: 'a', state: 'dead', attempts: 3, first: 0, last: 3000, error: 'Error: exchange down' },
  );
  assert.equal(units.counts(), { dead: 1, waiting: 0 });
  done();
});

test('a parked unit blocks only the later units of its ordering key, visibly; discarding it lets them go', async () => {
  const { units, done } = setup();
  const ran: string[] = [];
  const ok = (id: string) => () => void ran.push(id);
  await units.run('competition', unit('settle', 'race-1'), 0, boom);
  assert.is(await units.run('competition', unit('archive', 'race-1'), 0, ok('archive')), 'blocked');
  assert.is(await units.run('competition', unit('open', 'race-2'), 0, ok('open')), 'done', 'another race goes on');
  assert.is(await units.run('competition', unit('refund', null), 0, ok('refund')), 'done', 'units without a key go on');
  const [settle, archive] = units.parked('competition');
  assert.is(settle?.blocking, 1, 'the block is visible on the unit that causes it');
  assert.is(archive?.state, 'waiting');
  assert.equal(units.counts(), { dead: 0, waiting: 1 });
  // When the blocker is discarded, the waiting unit runs at its next visit
  units.discard(settle?.seq ?? 0);
  assert.is(await units.run('competition', unit('archive', 'race-1'), 0, ok('archive')), 'done');
  assert.equal(ran, ['open', 'refund', 'archive']);
  assert.equal(units.parked('competition'), []);
  done();
});

test('an operator retry gives a dead letter a fresh set of attempts; success forgets it', async () => {
  const { units, done } = setup();
  for (const at of [0, 1000, 3000]) await units.run('w', unit('a'), at, boom);
  const dead = units.list()[0];
  assert.is(dead?.state, 'dead');
  const retried = units.retry(dead?.seq ?? 0, 10_000);
  assert.equal(
    { state: retried.state, attempts: retried.attempts, next: retried.nextAttemptAt },
    { state: 'retrying', attempts: 0, next: 10_000 },
  );
  assert.is(retried.firstFailureAt, 0, 'the first failure stays on record');
  assert.is(await units.run('w', unit('a'), 10_000, () => {}), 'done');
  assert.equal(units.list(), []);
  assert.throws(() => units.show(dead?.seq ?? 0), /not found/);
  done();
});

test('backoff: within [(1 - jitter) d, d] where d doubles from base and is capped (property)', () => {
  fc.assert(
    fc.property(
      fc.record({
        maxAttempts: fc.integer({ min: 1, max: 20 }),
        baseMs: fc.integer({ min: 0, max: 100_000 }),
        maxMs: fc.integer({ min: 0, max: 10_000_000 }),
        factor: fc.double({ min: 1, max: 4, noNaN: true }),
        jitter: fc.double({ min: 0, max: 1, noNaN: true }),
      }),
      fc.integer({ min: 1, max: 60 }),
      fc.double({ min: 0, max: 0.999_999, noNaN: true }),
      (p, failures, r) => {
        const d = Math.min(p.maxMs, p.baseMs * p.factor ** (failures - 1));
        const ms = backoffMs(p, failures, () => r);
        return Number.isInteger(ms) && ms <= d && ms >= Math.floor((1 - p.jitter) * d) && ms >= 0;
      },
    ),
    { seed: fcSeed, numRuns: fcRuns },
  );
});

test('withRetries: retries with the backoff until success, or rethrows the last error after maxAttempts', async () => {
  const slept: number[] = [];
  const sleep = async (ms: number) => void slept.push(ms);
  let calls = 0;
  const value = await withRetries(
    async () => {
      calls += 1;
      if (calls < 3) throw new Error(`try ${calls}`);
      return 'ok';
    },
    policy,
    { sleep, random: () => 0 },
  );
  assert.is(value, 'ok');
  assert.equal(slept, [1000, 2000]);
  calls = 0;
  try {
    await withRetries(async () => Promise.reject(new Error(`try ${++calls}`)), policy, { sleep, random: () => 0 });
    assert.unreachable();
  } catch (error) {
    assert.is((error as Error).message, 'try 3');
  }
});

test.run();
