import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock } from '../../core/clock.ts';
import { ConcurrencyError, IdempotencyConflict, ValidationError } from '../../core/errors.ts';
import { defineEvent, EventRegistry } from '../../core/event-registry.ts';
import { EventStore } from '../../core/event-store.ts';
import { tempDir } from '../support/store.ts';
import { walletEvents, zFundsDepositedV1 } from '../support/wallet/events.ts';

const dir = tempDir();
let n = 0;
function fresh(clock = new ManualClock(1_000)) {
  n += 1;
  return EventStore.open(dir.file(`es-${n}.db`), { registry: new EventRegistry(walletEvents), clock });
}
const opened = (walletId: string) => ({ type: 'WalletOpened', data: { walletId, owner: 'alice', openedAt: 1 } });
const deposit = (walletId: string, amount: bigint) => ({ type: 'FundsDeposited', data: { walletId, amount, memo: 'm', at: 2 } });

test('positions are global and gap-free, versions contiguous per stream', () => {
  const store = fresh();
  store.append('wallet-a', [opened('a'), deposit('a', 5n)]);
  store.append('wallet-b', [opened('b')]);
  store.append('wallet-a', [deposit('a', 7n)]);
  const all = [...store.readAll()];
  assert.equal(
    all.map((e) => e.position),
    [1, 2, 3, 4],
  );
  assert.equal(
    store.readStream('wallet-a').map((e) => e.streamVersion),
    [1, 2, 3],
  );
  assert.is(store.streamVersion('wallet-b'), 1);
  assert.is(store.streamVersion('nobody'), 0);
  assert.is(store.headPosition(), 4);
  // data comes back in its in-memory form: bigint amounts
  assert.is((all[3]?.data as { amount: bigint } | undefined)?.amount, 7n);
  store.close();
});

test('expected version: no_stream, stream_exists, any and exact are each enforced; a mismatch writes nothing', () => {
  const store = fresh();
  assert.throws(
    () => store.append('w', [opened('w')], { expectedVersion: 'stream_exists' }),
    (e: unknown) => e instanceof ConcurrencyError,
  );
  assert.throws(
    () => store.append('w', [opened('w')], { expectedVersion: 1 }),
    (e: unknown) => e instanceof ConcurrencyError,
  );
  assert.is(store.headPosition(), 0);
  assert.is(store.append('w', [opened('w')], { expectedVersion: 'no_stream' }).nextExpectedVersion, 1);
  assert.throws(
    () => store.append('w', [deposit('w', 1n)], { expectedVersion: 'no_stream' }),
    (e: unknown) => e instanceof ConcurrencyError,
  );
  assert.throws(
    () => store.append('w', [deposit('w', 1n)], { expectedVersion: 0 }),
    (e: unknown) => e instanceof ConcurrencyError,
  );
  assert.throws(
    () => store.append('w', [deposit('w', 1n)], { expectedVersion: 2 }),
    (e: unknown) => e instanceof ConcurrencyError,
  );
  assert.is(store.headPosition(), 1);
  assert.is(store.append('w', [deposit('w', 1n)], { expectedVersion: 'stream_exists' }).nextExpectedVersion, 2);
  assert.is(store.append('w', [deposit('w', 1n)], { expectedVersion: 2 }).nextExpectedVersion, 3);
  assert.is(store.append('w', [deposit('w', 1n)], { expectedVersion: 'any' }).nextExpectedVersion, 4);
  try {
    store.append('w', [deposit('w', 1n)], { expectedVersion: 1 });
    assert.unreachable();
  } catch (e) {
    assert.instance(e, ConcurrencyError);
    assert.equal((e as ConcurrencyError).info, { streamId: 'w', expected: 1, actual: 4 });
  }
  store.close();
});

test('bad event data is refused naming the field, and appends nothing (not even the good events beside it)', () => {
  const store = fresh();
  try {
    store.append('w', [opened('w'), { type: 'FundsDeposited', data: { walletId: 'w', amount: -1n, memo: 'x', at: 1 } }]);
    assert.unreachable();
  } catch (e) {
    assert.instance(e, ValidationError);
    assert.ok(
      (e as ValidationError).issues.some((i) => i.path === 'data.amount'),
      JSON.stringify(e),
    );
  }
  assert.throws(() => store.append('w', [{ type: 'NoSuchEvent', data: {} }]), /not registered/);
  assert.throws(() => store.append('', [opened('w')]), /streamId/);
  assert.is(store.headPosition(), 0);
  store.close();
});

test('idempotency by event id: the same ids again return the first result and append nothing', () => {
  const store = fresh();
  const events = [
    { ...opened('w'), id: 'e-1' },
    { ...deposit('w', 3n), id: 'e-2' },
  ];
  const first = store.append('w', events, { expectedVersion: 'no_stream' });
  const again = store.append('w', events, { expectedVersion: 'no_stream' });
  assert.is(again.duplicate, true);
  assert.equal(again.positions, first.positions);
  assert.equal(again.eventIds, ['e-1', 'e-2']);
  assert.is(store.headPosition(), 2);
  // the same id for another stream is a conflict, not a silent success
  assert.throws(() => store.append('other', [{ ...opened('o'), id: 'e-1' }]), /already appended elsewhere/);
  store.close();
});

test('idempotency by command key: same payload returns the first result; a different payload is IdempotencyConflict', () => {
  const store = fresh();
  const first = store.append('w', [opened('w')], { idempotency: { key: 'k1', payloadHash: 'h1' } });
  const again = store.append('w', [opened('w')], { idempotency: { key: 'k1', payloadHash: 'h1' } });
  assert.is(again.duplicate, true);
  assert.equal(again.positions, first.positions);
  assert.is(store.headPosition(), 1);
  assert.throws(
    () => store.append('w', [deposit('w', 9n)], { idempotency: { key: 'k1', payloadHash: 'h2' } }),
    (e: unknown) => e instanceof IdempotencyConflict,
  );
  assert.is(store.headPosition(), 1);
  store.close();
});

test('an idempotency record keeps the payload hash and [next version, first position, count]; the stream only when no event says it', () => {
  const store = fresh();
  store.append('w', [opened('w')]);
  const hash = 'ab'.repeat(32);
  const first = store.append('w', [deposit('w', 1n), deposit('w', 2n)], { idempotency: { key: 'k2', payloadHash: hash } });
  const row = store.db
    .prepare<[], { payload_hash: Buffer; stream_id: string | null; next_version: number; first_position: number; count: number }>(
      "SELECT payload_hash, stream_id, next_version, first_position, count FROM idempotency_keys WHERE key = 'k2'",
    )
    .get();
  assert.equal(
    { ...row, payload_hash: row?.payload_hash.toString('hex') },
    { payload_hash: hash, stream_id: null, next_version: 3, first_position: 2, count: 2 },
  );
  const again = store.append('w', [deposit('w', 1n), deposit('w', 2n)], { idempotency: { key: 'k2', payloadHash: hash } });
  assert.equal({ ...again, duplicate: false }, first);
  assert.throws(
    () => store.append('w', [], { idempotency: { key: 'k2', payloadHash: 'cd'.repeat(32) } }),
    (e: unknown) => e instanceof IdempotencyConflict,
  );
  const none = store.append('v', [], { idempotency: { key: 'k3', payloadHash: 'h' } });
  assert.equal(store.append('v', [], { idempotency: { key: 'k3', payloadHash: 'h' } }).streamId, none.streamId);
  assert.is(store.headPosition(), 3);
  store.close();
});

test('storage: UUID event ids as 16 bytes, other ids as text; usual metadata as an array, other metadata as the object; both read back', () => {
  const store = fresh();
  const uuid = '019ad0f2-1234-7abc-8def-0123456789ab';
  const usual = { actor: 'user:1', commandName: 'Open', idempotencyKey: 'k' };
  const other = { actor: 'user:1', tenant: 't1' };
  const first = store.append('w', [{ ...opened('w'), id: uuid }], { metadata: usual });
  store.append('w', [{ ...deposit('w', 1n), id: 'client-id-1', metadata: { tenant: 't1' } }], { metadata: { actor: 'user:1' } });
  const rows = store.db
    .prepare<[], { id: string | Buffer; metadata: string }>('SELECT event_id AS id, metadata FROM events ORDER BY position')
    .all();
  assert.equal(
    rows.map((r) => [Buffer.isBuffer(r.id) ? r.id.toString('hex') : r.id, r.metadata]),
    [
      [uuid.replaceAll('-', ''), '["user:1",null,null,"Open","k"]'],
      ['client-id-1', JSON.stringify(other)],
    ],
  );
  const [e1, e2] = store.readStream('w');
  assert.equal([e1?.eventId, e1?.metadata], [uuid, usual]);
  assert.equal([e2?.eventId, e2?.metadata], ['client-id-1', other]);
  // A client retrying with the same ids finds them, whichever form they are stored in.
  const again = store.append('w', [{ ...opened('w'), id: uuid }], { metadata: usual });
  assert.equal([again.duplicate, again.positions], [true, first.positions]);
  assert.is(store.append('w', [{ ...deposit('w', 1n), id: 'client-id-1' }]).duplicate, true);
  store.close();
});

test('upcasting: a v1 row is read in the v2 shape and the stored row is never rewritten', () => {
  const path = dir.file('upcast.db');
  const v1 = defineEvent('FundsDeposited', zFundsDepositedV1);
  const old = EventStore.open(path, { registry: new EventRegistry([v1]) });
  old.append('w', [{ type: 'FundsDeposited', data: { walletId: 'w', amount: 10n, at: 1 } }]);
  old.close();
  const store = EventStore.open(path, { registry: new EventRegistry(walletEvents) });
  const [e] = store.readStream('w');
  assert.equal(e?.data, { walletId: 'w', amount: 10n, at: 1, memo: '(v1)' });
  assert.is(e?.schemaVersion, 1);
  const row = store.db.prepare('SELECT schema_version, data FROM events').get() as { schema_version: number; data: string };
  // stored compact under v1's key layout, which v2's definition keeps (`earlierSchemas`)
  assert.equal(row, { schema_version: 1, data: '["w","10",1]' });
  // reading also validates: a stored row that no longer fits is an error, not garbage
  store.db.exec('DROP TRIGGER events_append_only_update');
  store.db.exec(`UPDATE events SET data = '["w","ten",1]'`);
  assert.throws(() => store.readStream('w'), /data.amount/);
  // a row written before the compact form reads as it did
  store.db.exec(`UPDATE events SET data = '{"walletId":"w","amount":"10","at":1}'`);
  assert.equal(store.readStream('w')[0]?.data, { walletId: 'w', amount: 10n, at: 1, memo: '(v1)' });
  store.close();
});

test('the log is append-only inside SQLite itself', () => {
  const store = fresh();
  store.append('w', [opened('w')]);
  assert.throws(() => store.db.exec('DELETE FROM events'), /append-only/);
  assert.throws(() => store.db.exec(`UPDATE events SET type = 'x'`), /append-only/);
  store.close();
});

test('readAll in batches, filtered by type, bounded by positions', () => {
  const store = fresh();
  store.append('w', [opened('w')]);
  for (let i = 0; i < 25; i++) store.append('w', [deposit('w', BigInt(i))]);
  const batches = [...store.readAllBatches({ batchSize: 10 })];
  assert.equal(
    batches.map((b) => b.length),
    [10, 10, 6],
  );
  assert.equal(
    [...store.readAll({ types: ['WalletOpened'] })].map((e) => e.position),
    [1],
  );
  assert.equal(
    [...store.readAll({ after: 20, to: 22 })].map((e) => e.position),
    [21, 22],
  );
  assert.equal(
    store.readStream('w', { fromVersion: 25 }).map((e) => e.streamVersion),
    [25, 26],
  );
  assert.equal(
    store.readStream('w', { toPosition: 3 }).map((e) => e.position),
    [1, 2, 3],
  );
  store.close();
});

test('recorded_at never decreases even when the clock steps back, and positionAt finds the last event at a time', () => {
  const clock = new ManualClock(5_000);
  const store = fresh(clock);
  store.append('w', [opened('w')]); // 5000
  clock.set(7_000);
  store.append('w', [deposit('w', 1n)]); // 7000
  clock.set(6_000); // clock went backwards
  store.append('w', [deposit('w', 2n)]); // stays 7000
  clock.set(9_000);
  store.append('w', [deposit('w', 3n)]); // 9000
  assert.equal(
    [...store.readAll()].map((e) => e.recordedAt),
    [5000, 7000, 7000, 9000],
  );
  assert.is(store.positionAt(4_999), 0);
  assert.is(store.positionAt(5_000), 1);
  assert.is(store.positionAt(7_000), 3);
  assert.is(store.positionAt(8_999), 3);
  assert.is(store.positionAt(10_000), 4);
  store.close();
});

test.after(() => dir.remove());
test.run();
