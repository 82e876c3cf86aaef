/**
 * Leases in the ledger database: two connections on one file (two workers) never both hold a
 * unit; an expired lease is taken over; a holder renews and releases its own lease only.
 * Property: over any interleaving of acquires and releases by three holders, at most one holds
 * an unexpired lease on a unit at any time.
 */
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { openDatabase } from '../../../core/database.ts';
import { Leases } from '../../../core/operations/leases.ts';
import { fcRuns, fcSeed, tempDir } from '../../support/store.ts';

const dir = tempDir();

test('two connections on one file: the second worker waits until the first lease expires, then takes it over', () => {
  const file = dir.file('two.db');
  const a = openDatabase(file, { synchronous: 'NORMAL' });
  const b = openDatabase(file, { synchronous: 'NORMAL' });
  const la = new Leases(a);
  const lb = new Leases(b);
  assert.ok(la.acquire('unit-1', 'worker-a', 1_000, 30_000));
  assert.not.ok(lb.acquire('unit-1', 'worker-b', 1_001, 30_000), 'held by a');
  assert.ok(la.acquire('unit-1', 'worker-a', 20_000, 30_000), 'a renews');
  assert.not.ok(lb.acquire('unit-1', 'worker-b', 31_000, 30_000), 'renewed until 50,000');
  assert.ok(lb.acquire('unit-1', 'worker-b', 50_000, 30_000), 'expired: b takes over');
  assert.equal(la.get('unit-1'), { unit: 'unit-1', holder: 'worker-b', expiresAt: 80_000, takeovers: 1 });
  assert.not.ok(la.release('unit-1', 'worker-a'), 'a no longer holds it');
  assert.ok(lb.release('unit-1', 'worker-b'));
  assert.is(la.get('unit-1'), undefined);
  a.close();
  b.close();
});

test('property: at most one holder has an unexpired lease on a unit at any time', () => {
  const op = fc.record({
    holder: fc.constantFrom('w1', 'w2', 'w3'),
    kind: fc.constantFrom('acquire', 'acquire', 'release'),
    dt: fc.integer({ min: 0, max: 20_000 }),
  });
  let n = 0;
  fc.assert(
    fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
      const db = openDatabase(dir.file(`p${n++}.db`), { synchronous: 'OFF' });
      const leases = new Leases(db);
      let now = 0;
      // the model: who holds the unit and until when
      let held: { holder: string; until: number } | null = null;
      for (const { holder, kind, dt } of ops) {
        now += dt;
        if (kind === 'release') {
          const released = leases.release('u', holder);
          assert.is(released, held?.holder === holder);
          if (released) held = null;
          continue;
        }
        const free = held === null || held.holder === holder || held.until <= now;
        assert.is(leases.acquire('u', holder, now, 10_000), free);
        if (free) held = { holder, until: now + 10_000 };
        const lease = leases.get('u');
        assert.is(lease?.holder, held?.holder);
      }
      db.close();
    }),
    { seed: fcSeed, numRuns: Math.min(fcRuns, 30) },
  );
});

test.after(() => dir.remove());
test.run();
