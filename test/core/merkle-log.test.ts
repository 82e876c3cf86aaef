/**
 * The Merkle tree as the event store keeps it: leaves written in the append transaction, roots
 * and proofs at every size from stored leaves and cached subtrees, the right edge kept right
 * across rolled-back appends and a second writer, and the one-time hashing of an older ledger.
 * Every root is checked against MTH over leaves re-hashed here from the stored rows, and every
 * proof with the independent verifier of test/support/rfc9162.ts.
 */
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock } from '../../core/clock.ts';
import { openDatabase } from '../../core/database.ts';
import { EVENT_ROW_COLUMNS, eventLeafHash, type RawEventRow, storedRow } from '../../core/event-leaf.ts';
import { EventRegistry } from '../../core/event-registry.ts';
import { EventStore } from '../../core/event-store.ts';
import { type Hash, rootOf } from '../../core/merkle.ts';
import { independentConsistency, independentInclusion } from '../support/rfc9162.ts';
import { fcRuns, fcSeed, tempDir, toSchemaOne } from '../support/store.ts';
import { walletEvents } from '../support/wallet/events.ts';

const dir = tempDir('clash-merkle-');
let n = 0;
const open = (file: string) =>
  EventStore.open(file, { registry: new EventRegistry(walletEvents), clock: new ManualClock(1_000), synchronous: 'OFF' });
const deposit = (walletId: string, i: number) => ({ type: 'FundsDeposited', data: { walletId, amount: BigInt(i), memo: `m${i}`, at: i } });

/** The leaves re-hashed from the stored rows, independent of the stored leaves. */
function rehashed(store: EventStore): Hash[] {
  const rows = store.db.prepare(`SELECT ${EVENT_ROW_COLUMNS} FROM events ORDER BY position`).raw().all() as RawEventRow[];
  return rows.map((r) => eventLeafHash(storedRow(r)));
}

function checkTree(store: EventStore, picks: readonly number[]): void {
  const leaves = rehashed(store);
  const size = leaves.length;
  assert.is(store.merkle.size(), size);
  assert.ok(store.merkle.rootAt(0).equals(rootOf([])));
  for (const pick of size === 0 ? [] : picks) {
    const treeSize = 1 + (pick % size);
    const root = rootOf(leaves.slice(0, treeSize));
    assert.ok(store.merkle.rootAt(treeSize).equals(root), `root at ${treeSize}`);
    const position = 1 + (Math.floor(pick / size) % treeSize);
    const proof = store.merkle.inclusionProof(position, treeSize);
    assert.ok(
      independentInclusion(leaves[position - 1] as Hash, position - 1, treeSize, proof, root),
      `inclusion of ${position} in ${treeSize}`,
    );
    const first = pick % (treeSize + 1);
    const firstRoot = rootOf(leaves.slice(0, first));
    assert.ok(
      independentConsistency(first, treeSize, firstRoot, root, store.merkle.consistencyProof(first, treeSize)),
      `${first} → ${treeSize}`,
    );
  }
}

test('property: over random appends (some rolled back by a failing hook, some by a second writer), every root and proof is right', () => {
  fc.assert(
    fc.property(
      fc.array(fc.record({ events: fc.integer({ min: 1, max: 40 }), writer: fc.constantFrom(0, 1), fail: fc.boolean() }), {
        minLength: 1,
        maxLength: 25,
      }),
      fc.array(fc.nat(), { minLength: 3, maxLength: 6 }),
      (appends, picks) => {
        n += 1;
        const file = dir.file(`prop-${n}.db`);
        const writers = [open(file), open(file)];
        let failNext = false;
        for (const w of writers) {
          w.onAppend(() => {
            if (failNext) throw new Error('hook refuses');
          });
        }
        let i = 0;
        for (const a of appends) {
          const w = writers[a.writer] as EventStore;
          failNext = a.fail && a.events % 3 === 0;
          const batch = Array.from({ length: a.events }, () => deposit(`w${i % 5}`, i++));
          if (failNext) assert.throws(() => w.append(`wallet-w${a.writer}`, batch));
          else w.append(`wallet-w${a.writer}`, batch);
        }
        failNext = false;
        checkTree(writers[0] as EventStore, picks);
        checkTree(writers[1] as EventStore, picks);
        for (const w of writers) w.close();
      },
    ),
    { seed: fcSeed, numRuns: Math.max(5, Math.round(fcRuns / 3)) },
  );
});

test('a tree past the cached level (64 leaves and up) serves the same roots from cached subtrees', () => {
  const store = open(dir.file('big.db'));
  for (let i = 0; i < 30; i++)
    store.append(
      `wallet-${i % 3}`,
      Array.from({ length: 17 }, (_, k) => deposit('x', i * 17 + k)),
    );
  const cached = store.db.prepare('SELECT count(*) FROM ledger_nodes').pluck().get() as number;
  assert.ok(cached >= 510 / 64, `complete subtrees of 64+ leaves are cached (${cached})`);
  checkTree(store, [0, 63, 64, 65, 127, 128, 255, 256, 509, 1234, 77_777]);
  store.close();
});

test('a ledger written before the Merkle tree is hashed once when opened, and appends carry on from it', () => {
  const file = dir.file('old.db');
  const store = open(file);
  store.append(
    'wallet-a',
    Array.from({ length: 150 }, (_, i) => deposit('a', i)),
  );
  const expected = rehashed(store);
  store.close();
  // What an engine of schema 1 left: the events, no Merkle tables.
  const db = openDatabase(file);
  toSchemaOne(db);
  db.close();
  const reopened = open(file);
  assert.is(reopened.merkle.size(), 150);
  assert.ok(reopened.merkle.rootAt(150).equals(rootOf(expected)));
  reopened.append('wallet-a', [deposit('a', 150)]);
  checkTree(reopened, [7, 149, 150, 1000]);
  reopened.close();
});

test('the tree refuses sizes beyond the hashed log', () => {
  const store = open(dir.file('small.db'));
  store.append('wallet-a', [deposit('a', 1)]);
  assert.throws(() => store.merkle.rootAt(2), RangeError);
  assert.throws(() => store.merkle.inclusionProof(1, 2), RangeError);
  assert.throws(() => store.merkle.consistencyProof(1, 2), RangeError);
  store.close();
});

test.after(() => dir.remove());
test.run();
