/**
 * The event store's figures, each beside plain better-sqlite3 doing the same rows with the
 * same pragmas in the same run. The domain is the engine's reference wallet (test/support).
 */
import Database from 'better-sqlite3';
import { openDatabase, type Synchronous } from '../../core/database.ts';
import { CommandHandler } from '../../core/decider.ts';
import { storedEventId } from '../../core/event-leaf.ts';
import { EventRegistry } from '../../core/event-registry.ts';
import { EventStore } from '../../core/event-store.ts';
import { rebuildProjection } from '../../core/projection-rebuild.ts';
import { ProjectionRunner } from '../../core/projection-runner.ts';
import { walletDecider } from '../../test/support/wallet/decider.ts';
import { walletEvents } from '../../test/support/wallet/events.ts';
import { walletBalances } from '../../test/support/wallet/projections.ts';
import { compare, type Figure, figure, heapUsedMb, rate, type Scratch } from './measure.ts';

const INSERT =
  'INSERT INTO events (position, stream_id, stream_version, event_id, type, schema_version, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)';

function deposit(i: number) {
  return {
    type: 'FundsDeposited',
    data: { walletId: `w${i % 100}`, amount: BigInt(1_000_000 + i), memo: 'bench deposit', at: 1_700_000_000_000 + i },
  };
}
/**
 * A raw row's event id, data and metadata in the engine's stored forms (16 bytes; the data
 * without key names, `["w7","1000007","bench deposit",1700000000007]`; the metadata array:
 * doc/event-store.md), so the rows are the same size.
 */
const rawId = () => storedEventId(crypto.randomUUID());
const rawData = (i: number) =>
  JSON.stringify([`w${i % 100}`, String(1_000_000 + i), 'bench deposit', 1_700_000_000_000 + i] satisfies StoredDeposit);
/** A stored `FundsDeposited` (walletId, amount, memo, at) and `WalletOpened` (walletId, owner, openedAt): what the raw side reads by position. */
type StoredDeposit = [string, string, string, number];
type StoredOpening = [string, string, number];

/** A raw connection on a file that has the engine's schema (same table, indexes and triggers). */
function rawDb(path: string, synchronous: Synchronous): Database.Database {
  openDatabase(path, { synchronous }).close();
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${synchronous}`);
  return db;
}

function openStore(path: string, synchronous: Synchronous, withProjection: boolean): EventStore {
  const store = EventStore.open(path, { registry: new EventRegistry(walletEvents), synchronous });
  new ProjectionRunner(store, withProjection ? [walletBalances] : []).start();
  return store;
}

function appendFigure(scratch: Scratch, perTxn: number, total: number, synchronous: Synchronous, rounds: number): Figure {
  const txns = total / perTxn;
  const r = compare(
    rounds,
    () => {
      const db = rawDb(scratch.file('raw-append'), synchronous);
      const insert = db.prepare(INSERT);
      const maxVersion = db.prepare('SELECT max(stream_version) FROM events WHERE stream_id = ?').pluck();
      let position = 0;
      const v = rate(total, () => {
        for (let t = 0; t < txns; t++) {
          db.transaction(() => {
            const stream = `wallet-${t % 50}`;
            const version = (maxVersion.get(stream) as number | null) ?? 0;
            for (let k = 0; k < perTxn; k++) {
              position += 1;
              insert.run(position, stream, version + k + 1, rawId(), 'FundsDeposited', 2, rawData(position), '[]', Date.now());
            }
          }).immediate();
        }
      });
      db.close();
      return v;
    },
    () => {
      const store = openStore(scratch.file('append'), synchronous, false);
      let i = 0;
      const v = rate(total, () => {
        for (let t = 0; t < txns; t++) {
          const batch = Array.from({ length: perTxn }, () => deposit(i++));
          store.append(`wallet-${t % 50}`, batch);
        }
      });
      store.close();
      return v;
    },
  );
  return figure(
    `append ${perTxn} event${perTxn > 1 ? 's' : ''} per transaction (synchronous=${synchronous})`,
    'events/s',
    r.ours,
    r.baseline,
    0.75,
  );
}

/** load → decide → append → inline projection, against raw SQL doing the same reads and writes. */
function commandFigure(scratch: Scratch, total: number, synchronous: Synchronous, rounds: number, cacheSize: number): Figure {
  const wallets = 100;
  const r = compare(
    rounds,
    () => {
      const db = rawDb(scratch.file('raw-cmd'), synchronous);
      db.exec(
        `CREATE TABLE wallet_balances (wallet_id TEXT NOT NULL, owner TEXT NOT NULL, balance TEXT NOT NULL, movements INTEGER NOT NULL, PRIMARY KEY (wallet_id))`,
      );
      const insert = db.prepare(INSERT);
      const load = db.prepare('SELECT data FROM events WHERE stream_id = ? ORDER BY stream_version').pluck();
      const open = db.prepare(`INSERT INTO wallet_balances VALUES (?, 'o', '0', 0)`);
      const get = db.prepare('SELECT balance FROM wallet_balances WHERE wallet_id = ?').pluck();
      const set = db.prepare('UPDATE wallet_balances SET balance = ?, movements = movements + 1 WHERE wallet_id = ?');
      for (let w = 0; w < wallets; w++) open.run(`${w}`);
      let position = 0;
      const v = rate(total, () => {
        for (let i = 0; i < total; i++) {
          const w = `${i % wallets}`;
          const stream = `wallet-${w}`;
          const history = load.all(stream) as string[];
          for (const d of history) JSON.parse(d);
          db.transaction(() => {
            position += 1;
            insert.run(
              position,
              stream,
              history.length + 1,
              rawId(),
              'FundsDeposited',
              2,
              rawData(i),
              '[null,null,null,"Deposit"]',
              Date.now(),
            );
            set.run((BigInt(get.get(w) as string) + 1n).toString(), w);
          }).immediate();
        }
      });
      db.close();
      return v;
    },
    () => {
      const store = openStore(scratch.file('cmd'), synchronous, true);
      const { snapshot: _snapshots, ...withoutSnapshots } = walletDecider;
      const handler = new CommandHandler(store, withoutSnapshots, { cacheSize });
      for (let w = 0; w < wallets; w++) {
        store.append(`wallet-${w}`, [{ type: 'WalletOpened', data: { walletId: `${w}`, owner: 'o', openedAt: 0 } }]);
      }
      const v = rate(total, () => {
        for (let i = 0; i < total; i++) {
          const w = `${i % wallets}`;
          handler.handle({ streamId: `wallet-${w}`, command: { type: 'Deposit', walletId: w, amount: 1n, memo: 'bench deposit', at: i } });
        }
      });
      store.close();
      return v;
    },
  );
  const cache = cacheSize === 0 ? 'state cache off: each command reads its whole stream, like the baseline' : 'state cache on';
  return figure(
    `decider command round trip: load, decide, append, inline projection (synchronous=${synchronous}, ${cache})`,
    'commands/s',
    r.ours,
    r.baseline,
  );
}

/** Writes `count` valid deposit events straight into a fresh ledger file (fast setup, not measured). */
export function seedLog(path: string, count: number): void {
  const db = rawDb(path, 'OFF');
  const insert = db.prepare(INSERT);
  const versions = new Map<string, number>();
  const openedAt = Date.now();
  for (let start = 0; start < count; start += 10_000) {
    db.transaction(() => {
      for (let i = start; i < Math.min(count, start + 10_000); i++) {
        const stream = `wallet-w${i % 100}`;
        const v = (versions.get(stream) ?? 0) + 1;
        versions.set(stream, v);
        const [type, data] =
          v === 1
            ? ['WalletOpened', JSON.stringify([`w${i % 100}`, `o${i % 7}`, openedAt] satisfies StoredOpening)]
            : ['FundsDeposited', rawData(i)];
        insert.run(
          i + 1,
          stream,
          v,
          `00000000-0000-4000-8000-${(i + 1).toString(16).padStart(12, '0')}`,
          type,
          type === 'WalletOpened' ? 1 : 2,
          data,
          '{}',
          openedAt + i,
        );
      }
    })();
  }
  db.close();
}

function scanFigure(path: string, count: number, rounds: number): Figure {
  const r = compare(
    rounds,
    () => {
      const db = new Database(path, { readonly: true });
      const v = rate(count, () => {
        for (const row of db.prepare('SELECT * FROM events ORDER BY position').iterate() as IterableIterator<{
          data: string;
          metadata: string;
        }>) {
          JSON.parse(row.data);
          JSON.parse(row.metadata);
        }
      });
      db.close();
      return v;
    },
    () => {
      const store = EventStore.open(path, { registry: new EventRegistry(walletEvents) });
      const v = rate(count, () => {
        for (const _ of store.readAll({ batchSize: 5000 })) {
          /* decode + validate + upcast every event */
        }
      });
      store.close();
      return v;
    },
  );
  return figure(
    `$all scan of ${count.toLocaleString('en-US')} events (decoded and validated vs JSON.parse)`,
    'events/s',
    r.ours,
    r.baseline,
  );
}

function rebuildFigure(path: string, count: number, rounds: number): Figure {
  // Baseline: scan the log, parse each event, upsert the balance row, in 5,000-event transactions.
  const raw = new Database(path);
  raw.exec(
    `DROP TABLE IF EXISTS raw_balances; CREATE TABLE raw_balances (wallet_id TEXT NOT NULL, owner TEXT NOT NULL, balance TEXT NOT NULL, movements INTEGER NOT NULL, PRIMARY KEY (wallet_id))`,
  );
  const open = raw.prepare(`INSERT INTO raw_balances VALUES (?, ?, '0', 0)`);
  const get = raw.prepare('SELECT balance FROM raw_balances WHERE wallet_id = ?').pluck();
  const set = raw.prepare('UPDATE raw_balances SET balance = ?, movements = movements + 1 WHERE wallet_id = ?');
  const page = raw.prepare('SELECT position, type, data FROM events WHERE position > ? ORDER BY position LIMIT 5000');
  const rawRebuild = () =>
    rate(count, () => {
      let after = 0;
      for (;;) {
        const rows = page.all(after) as { position: number; type: string; data: string }[];
        if (rows.length === 0) break;
        raw.transaction(() => {
          for (const row of rows) {
            if (row.type === 'WalletOpened') {
              const [walletId, owner] = JSON.parse(row.data) as StoredOpening;
              open.run(walletId, owner);
            } else {
              const [walletId, amount] = JSON.parse(row.data) as StoredDeposit;
              set.run((BigInt(get.get(walletId) as string) + BigInt(amount)).toString(), walletId);
            }
          }
        })();
        after = (rows[rows.length - 1] as { position: number }).position;
      }
    });

  const store = EventStore.open(path, { registry: new EventRegistry(walletEvents) });
  new ProjectionRunner(store, [walletBalances]).start();
  const r = compare(
    rounds,
    () => {
      raw.exec('DELETE FROM raw_balances');
      return rawRebuild();
    },
    () => rate(count, () => rebuildProjection(store, walletBalances)),
  );
  raw.exec('DROP TABLE raw_balances');
  raw.close();
  // Memory, in a second rebuild: the live heap after a full GC at every batch. A rebuild that
  // held the log in memory would grow with it; one that streams stays flat.
  const gc = globalThis.gc;
  let retained = Number.NaN;
  if (gc) {
    gc();
    const before = heapUsedMb();
    let peak = before;
    rebuildProjection(store, walletBalances, {
      onProgress: () => {
        gc();
        peak = Math.max(peak, heapUsedMb());
      },
    });
    retained = peak - before;
  }
  store.close();
  return figure(
    `projection rebuild of ${count.toLocaleString('en-US')} events (shadow tables + swap)`,
    'events/s',
    r.ours,
    r.baseline,
    0.5,
    Number.isNaN(retained)
      ? 'run with --expose-gc to measure memory'
      : `live heap grew at most ${retained.toFixed(1)} MB during the rebuild (GC after every 5,000-event batch)`,
  );
}

export interface EventStoreBenchOptions {
  readonly scratch: Scratch;
  /** Events in the log that the scan and the rebuild read. */
  readonly logEvents: number;
  /** Multiplies the append and command workloads (1 = full size). */
  readonly scale: number;
  readonly rounds: number;
  readonly onFigure: (f: Figure) => void;
}

export function runEventStoreBench(o: EventStoreBenchOptions): Figure[] {
  const n = (x: number) => Math.max(100, Math.round(x * o.scale));
  const figures: Figure[] = [];
  const add = (f: Figure) => {
    figures.push(f);
    o.onFigure(f);
  };
  add(appendFigure(o.scratch, 1, n(3_000), 'FULL', o.rounds));
  add(appendFigure(o.scratch, 1, n(20_000), 'NORMAL', o.rounds));
  add(appendFigure(o.scratch, 100, n(100_000), 'FULL', o.rounds));
  add(commandFigure(o.scratch, n(3_000), 'FULL', o.rounds, 10_000));
  add(commandFigure(o.scratch, n(10_000), 'NORMAL', o.rounds, 0));
  add(commandFigure(o.scratch, n(10_000), 'NORMAL', o.rounds, 10_000));
  const log = o.scratch.file('log');
  seedLog(log, o.logEvents);
  add(scanFigure(log, o.logEvents, o.rounds));
  add(rebuildFigure(log, o.logEvents, o.rounds));
  return figures;
}
