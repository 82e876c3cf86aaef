/**
 * Prop trading figures, each beside plain better-sqlite3 writing the same rows with the same
 * pragmas in the same run (`row-capture.ts`):
 *   1. actions filled per second through the full command path (validate, quote, load, decide,
 *      append, inline projections) at synchronous FULL and NORMAL;
 *   2. rebuilding every prop read model, in one pass, from a large log (default 1M events).
 */
import Database from 'better-sqlite3';
import type { AssetInfo } from '../../adapters/market/price-source.ts';
import { PRICE } from '../../adapters/market/units.ts';
import type { PropAccountCommand } from '../../commands/prop-trading/commands.ts';
import { propAccountDecider, propAccountStream } from '../../commands/prop-trading/decider.ts';
import { propTradingEvents } from '../../commands/prop-trading/events.ts';
import { type MarketFacts, PropTrading } from '../../commands/prop-trading/handlers.ts';
import { DEFAULT_RULES } from '../../commands/prop-trading/rules.ts';
import type { PropAccountState } from '../../commands/prop-trading/state.ts';
import { ManualClock, SequentialIds } from '../../core/clock.ts';
import type { Synchronous } from '../../core/database.ts';
import { EventRegistry } from '../../core/event-registry.ts';
import { EventStore } from '../../core/event-store.ts';
import { createTable, liveNames } from '../../core/projection.ts';
import { rebuildProjections } from '../../core/projection-rebuild.ts';
import { propTradingProjections } from '../../projections/prop-trading/index.ts';
import { openLedger } from '../../server/context.ts';
import { compare, type Figure, figure, rate, type Scratch } from './measure.ts';
import { captureRowWrites, RawRowWriter, type RowWrite, writeRowsRate } from './row-capture.ts';

export const propTables = propTradingProjections.flatMap((p) => p.tables);

const BTC: AssetInfo = { name: 'BTC', szDecimals: 5, maxLeverage: 50, kind: 'perp', enabled: true };
const START = Date.UTC(2026, 0, 5);
/** Backtest-style rules: the loss gates are opened wide so the walk's drift does not turn the run into rejections. */
const LOSS_GATES_OPEN = { dailyLossPpm: 1_000_000, maxDrawdownPpm: 1_000_000 };
const BENCH_RULES = { ...DEFAULT_RULES, ...LOSS_GATES_OPEN };

/** A deterministic random walk around 100,000 (a linear congruential generator, no Math.random). */
function priceWalk(seed = 42): () => bigint {
  let s = seed;
  let price = 100_000n * PRICE.one;
  return () => {
    s = (s * 1_103_515_245 + 12_345) % 2_147_483_648;
    price = (price * BigInt(999_000 + (s % 2_001))) / 1_000_000n;
    return price;
  };
}

/** A market that always has a fresh BTC price, moving one step per action. */
function benchMarket(clock: ManualClock): MarketFacts & { step(): void } {
  const next = priceWalk();
  let price = next();
  return {
    step: () => {
      price = next();
    },
    asset: (name) => (name === 'BTC' ? BTC : undefined),
    priceAt: (asset, at) => (asset === 'BTC' ? { asset, price, time: clock.now(), ageMs: at - clock.now() } : undefined),
    fundingAt: () => undefined,
  };
}

/**
 * Writes a log of about `events` prop account events: the decider's own events for accounts
 * opening, trading and being marked, encoded by the registry and inserted in large batches.
 */
export function writeLog(path: string, events: number): number {
  const registry = new EventRegistry(propTradingEvents);
  const store = EventStore.open(path, { registry, synchronous: 'OFF' });
  const insert = store.db.prepare(
    'INSERT INTO events (position, stream_id, stream_version, event_id, type, schema_version, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const next = priceWalk(7);
  let position = 0;
  let batch: unknown[][] = [];
  const flush = store.db.transaction((rows: unknown[][]) => {
    for (const r of rows) insert.run(...r);
  });
  const perAccount = 2_000;
  for (let a = 0; position < events; a++) {
    const streamId = propAccountStream(`log${a}`);
    let state: PropAccountState = propAccountDecider.initialState();
    let version = 0;
    let at = START;
    const apply = (command: PropAccountCommand) => {
      for (const e of propAccountDecider.decide(command, state)) {
        position += 1;
        version += 1;
        const encoded = registry.encode(e.type, e.data);
        batch.push([position, streamId, version, `e${position}`, e.type, encoded.version, encoded.json, '{}', at]);
        state = propAccountDecider.evolve(state, {
          ...e,
          position,
          streamId,
          streamVersion: version,
          eventId: '',
          schemaVersion: registry.definition(e.type).version,
          metadata: {},
          recordedAt: at,
        });
      }
      if (batch.length >= 10_000) {
        flush(batch);
        batch = [];
      }
    };
    apply({
      type: 'OpenPropAccount',
      accountId: `log${a}`,
      cloneId: `c${a}`,
      strategyVersionId: 'v',
      purpose: 'backtest',
      startingEquityMicroUsd: 10_000_000_000n,
      rules: BENCH_RULES,
      at,
    });
    for (let i = 0; i < perAccount && position < events; i++) {
      at += 60_000;
      const quotes = { BTC: { price: next(), time: at } };
      const holding = state.positions.BTC !== undefined;
      const base = {
        orderId: `o${position}`,
        decisionRunId: `r${position}`,
        asset: 'BTC',
        assetInfo: BTC,
        side: 'long' as const,
        reduceOnly: false,
        quotes,
        at,
      };
      if (state.status !== 'active') break;
      if (i % 3 === 2) apply({ type: 'MarkToMarket', quotes, at });
      else if (holding) apply({ ...base, type: 'SubmitAction', action: 'close', size: null, notionalMicroUsd: null, leverage: null });
      else apply({ ...base, type: 'SubmitAction', action: 'open', size: null, notionalMicroUsd: 2_000_000_000n, leverage: 5 });
    }
  }
  flush(batch);
  store.close();
  return position;
}

/** A ledger file with `accounts` prop accounts opened (synchronous as given, group commit not used); `run` then submits `actions` alternating opens and closes, calling `before` ahead of each. */
export function tradingWorkload(path: string, synchronous: Synchronous, actions: number, accounts: number) {
  const clock = new ManualClock(START);
  const ledger = openLedger({ dbPath: path, synchronous, clock, ids: new SequentialIds() });
  const market = benchMarket(clock);
  const prop = new PropTrading({ store: ledger.store, clock, ids: ledger.ids, market });
  for (let a = 0; a < accounts; a++)
    prop.open({ accountId: `b${a}`, cloneId: `c${a}`, strategyVersionId: 'v', purpose: 'backtest', rules: LOSS_GATES_OPEN }, 'bench');
  return {
    db: ledger.store.db,
    run: (before: () => void = () => {}) => {
      for (let i = 0; i < actions; i++) {
        const opening = Math.floor(i / accounts) % 2 === 0;
        clock.advance(1000);
        market.step();
        before();
        prop.submitAction(
          `b${i % accounts}`,
          opening
            ? { decisionRunId: `r${i}`, asset: 'BTC', action: 'open', side: 'long', notionalUsd: '2000', leverage: 5 }
            : { decisionRunId: `r${i}`, asset: 'BTC', action: 'close', side: 'long' },
          'bench',
        );
      }
    },
    close: () => ledger.close(),
  };
}

function commandFigure(scratch: Scratch, synchronous: Synchronous, actions: number, accounts: number, rounds: number): Figure {
  // The rows one run writes, per action (events and read models), captured in an untimed run.
  const capturing = tradingWorkload(scratch.file('prop-capture'), 'OFF', actions, accounts);
  const capture = captureRowWrites(capturing.db, propTables);
  capturing.run(capture.next);
  const groups = capture.stop();
  capturing.close();
  const rows = groups.reduce((n, g) => n + g.length, 0);
  const r = compare(
    rounds,
    () => (writeRowsRate(scratch.file('prop-raw'), synchronous, propTables, groups) * groups.length) / actions,
    () => {
      const w = tradingWorkload(scratch.file('prop'), synchronous, actions, accounts);
      const v = rate(actions, () => w.run());
      w.close();
      return v;
    },
  );
  return figure(
    `prop trading: actions filled through the full command path (synchronous=${synchronous})`,
    'actions/s',
    r.ours,
    r.baseline,
    undefined,
    `baseline: the same ${rows.toLocaleString('en-US')} rows (events and inline read models) written raw, one transaction per action`,
  );
}

/**
 * The rebuild baseline: the read-model rows a replay writes are captured per event into a side
 * file (untimed); the timed part reads them back in 5,000-event pages (as a rebuild reads the
 * log), parses them and writes them with plain statements, one transaction per page.
 */
function rebuildBaseline(scratch: Scratch, store: EventStore, events: number): number {
  const capturePath = scratch.file('prop-rebuild-capture');
  const db = new Database(capturePath);
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  for (const t of propTables) createTable(db, t, t.name);
  const capture = captureRowWrites(db, propTables, false);
  const handlers = propTradingProjections.map((p) => ({ apply: p.bind(db, liveNames(p)), types: new Set(p.eventTypes) }));
  for (const batch of store.readAllBatches({ batchSize: 5000 })) {
    db.transaction(() => {
      for (const e of batch) {
        capture.next();
        for (const h of handlers) if (h.types.has(e.type)) h.apply(e);
      }
    })();
  }
  db.exec('CREATE INDEX capture_by_command ON capture_writes (command)');
  const page = db.prepare('SELECT tbl, op, vals FROM capture_writes WHERE command > ? AND command <= ? ORDER BY seq');
  const writer = new RawRowWriter(scratch.file('prop-rebuild-raw'), 'NORMAL', propTables);
  const v = rate(events, () => {
    for (let from = 0; from < events; from += 5000) {
      const rows = (page.all(from, from + 5000) as { tbl: string; op: RowWrite['op']; vals: string }[]).map((r) => ({
        table: r.tbl,
        op: r.op,
        values: JSON.parse(r.vals) as unknown[],
      }));
      writer.writeGroup(rows);
    }
  });
  writer.close();
  db.close();
  return v;
}

function rebuildFigure(scratch: Scratch, events: number): Figure {
  const path = scratch.file('prop-log');
  const written = writeLog(path, events);
  const store = EventStore.open(path, { registry: new EventRegistry(propTradingEvents), synchronous: 'NORMAL' });
  const baseline = rebuildBaseline(scratch, store, written);
  const ours = rate(written, () => rebuildProjections(store, propTradingProjections));
  store.close();
  return figure(
    `prop trading: rebuild of all ${propTradingProjections.length} prop read models from ${written.toLocaleString('en-US')} events, one pass`,
    'events/s',
    ours,
    baseline,
    0.5,
    'baseline: the same read-model rows read back in 5,000-event pages and written raw',
  );
}

export interface PropTradingBenchOptions {
  readonly scratch: Scratch;
  /** Actions per synchronous mode. */
  readonly actions: number;
  /** Events in the log the read models are rebuilt from. */
  readonly logEvents: number;
  readonly rounds: number;
  readonly onFigure: (f: Figure) => void;
}

export function runPropTradingBench(o: PropTradingBenchOptions): Figure[] {
  const figures = [
    commandFigure(o.scratch, 'FULL', o.actions, 50, o.rounds),
    commandFigure(o.scratch, 'NORMAL', o.actions, 50, o.rounds),
    rebuildFigure(o.scratch, o.logEvents),
  ];
  for (const f of figures) o.onFigure(f);
  return figures;
}
