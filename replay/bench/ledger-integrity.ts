/**
 * The ledger integrity figures (doc/ledger-integrity.md), each beside a raw baseline in the
 * same run:
 *   1. leaf hashing: canonical bytes + SHA-256 + the frontier push, per event, beside a bare
 *      SHA-256 of the same columns (the cost the append path pays per event);
 *   2. `clash ledger verify` over a log (default 1M events): every event re-hashed from its row
 *      and compared with its stored leaf, the checkpoint root recomputed, signature and
 *      consistency checked, beside reading the same rows and SHA-256 over the same bytes.
 *   3. single-event appends with the hashing, beside the same store with the leaf computation
 *      stubbed out (leaves stored as NULL: the engine as it was before the Merkle tree), to
 *      isolate what the hashing costs an append at each synchronous level.
 * The append figures of event-store.ts (against raw inserts) include the hashing too.
 */
import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import { dataDirLedgerKey } from '../../adapters/ledger-key/ledger-key.ts';
import { ledgerEvents } from '../../commands/ledger/events.ts';
import { LedgerCheckpoints } from '../../commands/ledger/handlers.ts';
import { verifyLedger } from '../../commands/ledger/verify.ts';
import { systemClock } from '../../core/clock.ts';
import { EVENT_ROW_COLUMNS, eventLeafHash, type RawEventRow, storedRow } from '../../core/event-leaf.ts';
import { EventRegistry } from '../../core/event-registry.ts';
import { EventStore } from '../../core/event-store.ts';
import { MerkleFrontier } from '../../core/merkle.ts';
import { ProjectionRunner } from '../../core/projection-runner.ts';
import { BOUND_LIMIT } from '../../core/statements.ts';
import { walletEvents } from '../../test/support/wallet/events.ts';
import { seedLog } from './event-store.ts';
import { compare, type Figure, figure, rate, type Scratch } from './measure.ts';

/** SHA-256 over the nine stored columns of each row, one digest per event: the bare cost of hashing the same bytes. */
function rawHash(rows: Iterable<RawEventRow>): number {
  let n = 0;
  for (const r of rows) {
    const h = createHash('sha256');
    for (const column of r) h.update(String(column));
    h.digest();
    n += 1;
  }
  return n;
}

function hashingFigure(path: string, count: number, rounds: number): Figure {
  const db = new Database(path, { readonly: true });
  const rows = db
    .prepare(`SELECT ${EVENT_ROW_COLUMNS} FROM events ORDER BY position LIMIT ${BOUND_LIMIT}`)
    .raw()
    .all(count) as RawEventRow[];
  db.close();
  const stored = rows.map(storedRow);
  const r = compare(
    rounds,
    () => rate(rows.length, () => rawHash(rows)),
    () =>
      rate(stored.length, () => {
        const frontier = new MerkleFrontier();
        for (const row of stored) frontier.push(eventLeafHash(row));
        frontier.root();
      }),
  );
  return figure(
    `leaf hashing of ${rows.length.toLocaleString('en-US')} events in memory (canonical bytes, SHA-256, frontier push) vs SHA-256 of the same columns`,
    'events/s',
    r.ours,
    r.baseline,
    undefined,
    `hashing costs ${(1e6 / r.ours).toFixed(2)} µs per event on the append path (the leaf is stored in the event row: no extra insert)`,
  );
}

function verifyFigure(path: string, count: number, rounds: number): Figure {
  // Opening hashes the seeded log once (the migration of a pre-Merkle ledger); then one checkpoint of all of it.
  const opened = performance.now();
  const store = EventStore.open(path, { registry: new EventRegistry([...walletEvents, ...ledgerEvents]), synchronous: 'OFF' });
  const backfill = count / ((performance.now() - opened) / 1000);
  const key = dataDirLedgerKey(path);
  new LedgerCheckpoints({ store, clock: systemClock, signer: () => key }).record();
  const raw = new Database(path, { readonly: true });
  const select = raw.prepare(`SELECT ${EVENT_ROW_COLUMNS} FROM events ORDER BY position`).raw();
  let verdict = '';
  const r = compare(
    rounds,
    () => rate(count, () => rawHash(select.iterate() as IterableIterator<RawEventRow>)),
    () =>
      rate(count, () => {
        const result = verifyLedger(store, key.publicKey);
        verdict = result.ok ? `verified ${result.events.toLocaleString('en-US')} events and ${result.checkpoints} checkpoint` : 'FAILED';
        verdict += `; the one-time hashing of this log when first opened (pre-Merkle ledger) ran at ${Math.round(backfill).toLocaleString('en-US')} events/s`;
      }),
  );
  raw.close();
  store.close();
  return figure(
    `clash ledger verify over ${count.toLocaleString('en-US')} events vs reading the same rows and SHA-256 over the same bytes`,
    'events/s',
    r.ours,
    r.baseline,
    undefined,
    verdict,
  );
}

/** Single-event appends per second on a fresh store; `hashing: false` stubs the leaf computation out (a measuring device only). */
function appendRate(scratch: Scratch, hashing: boolean, count: number, synchronous: 'FULL' | 'NORMAL'): number {
  const store = EventStore.open(scratch.file(hashing ? 'hashed' : 'unhashed'), { registry: new EventRegistry(walletEvents), synchronous });
  new ProjectionRunner(store, []).start();
  if (!hashing) Object.assign(store.merkle, { leavesFor: (rows: readonly unknown[]) => rows.map(() => null) });
  const v = rate(count, () => {
    for (let i = 0; i < count; i++) {
      const data = { walletId: `w${i % 100}`, amount: BigInt(i), memo: 'bench deposit', at: i };
      store.append(`wallet-${i % 50}`, [{ type: 'FundsDeposited', data }]);
    }
  });
  store.close();
  return v;
}

function hashingOnOffFigure(scratch: Scratch, count: number, synchronous: 'FULL' | 'NORMAL', rounds: number): Figure {
  const r = compare(
    rounds,
    () => appendRate(scratch, false, count, synchronous),
    () => appendRate(scratch, true, count, synchronous),
  );
  const f = figure(
    `append 1 event per transaction with the Merkle leaf vs the same store with hashing stubbed out (synchronous=${synchronous})`,
    'events/s',
    r.ours,
    r.baseline,
    undefined,
    `the hashing costs ${(1e6 / r.ours - 1e6 / r.baseline).toFixed(1)} µs per append`,
  );
  return { ...f, baselineName: 'hashing off' };
}

export interface LedgerIntegrityBenchOptions {
  readonly scratch: Scratch;
  /** Events in the verified log (`--events`). */
  readonly logEvents: number;
  readonly rounds: number;
  /** Multiplies the append workloads (1 = full size). */
  readonly scale: number;
  readonly onFigure: (f: Figure) => void;
}

export function runLedgerIntegrityBench(o: LedgerIntegrityBenchOptions): Figure[] {
  const path = o.scratch.file('verify');
  seedLog(path, o.logEvents);
  const n = (x: number) => Math.max(100, Math.round(x * o.scale));
  const figures = [
    hashingOnOffFigure(o.scratch, n(3_000), 'FULL', Math.max(o.rounds, 3)),
    hashingOnOffFigure(o.scratch, n(10_000), 'NORMAL', Math.max(o.rounds, 3)),
    hashingFigure(path, Math.min(o.logEvents, 200_000), o.rounds),
    verifyFigure(path, o.logEvents, o.rounds),
  ];
  for (const f of figures) o.onFigure(f);
  return figures;
}
