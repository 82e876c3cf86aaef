/**
 * Prop trading benchmark. Two figures, each beside a raw better-sqlite3 baseline measured in
 * the same run:
 *   1. actions filled per second through the full command path (validate, quote, load, decide,
 *      append, inline projections) at synchronous FULL and NORMAL, against inserting the same
 *      event rows with plain INSERTs, one transaction per command;
 *   2. rebuilding every prop read model from a large log (default 1M events), against a plain
 *      scan of the same rows with JSON.parse.
 * Run alone: node --import tsx replay/bench/prop-trading.ts [--actions N] [--events N]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
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
import { rebuildProjection } from '../../core/projection-rebuild.ts';
import { propTradingProjections } from '../../projections/prop-trading/index.ts';
import { openLedger } from '../../server/context.ts';

export interface PropTradingBenchOptions {
  /** Actions per synchronous mode (default 5,000). */
  readonly actions?: number;
  /** Accounts the actions are spread over (default 50). */
  readonly accounts?: number;
  /** Events in the log the read models are rebuilt from (default 1,000,000). */
  readonly rebuildEvents?: number;
  /** Where the scratch databases go (default: a fresh temp directory, removed afterwards). */
  readonly dir?: string;
}

export interface CommandPathFigure {
  readonly synchronous: Synchronous;
  readonly actions: number;
  readonly events: number;
  readonly actionsPerSecond: number;
  /** The same event rows inserted with plain better-sqlite3, one transaction per command. */
  readonly rawCommandsPerSecond: number;
  /** actionsPerSecond / rawCommandsPerSecond. */
  readonly ratio: number;
}

export interface RebuildFigure {
  readonly events: number;
  readonly seconds: number;
  readonly eventsPerSecond: number;
  readonly projections: readonly { name: string; seconds: number; rows: Readonly<Record<string, number>> }[];
  /** A plain scan of the same rows with JSON.parse of data and metadata. */
  readonly rawScanEventsPerSecond: number;
  /** eventsPerSecond / rawScanEventsPerSecond. */
  readonly ratio: number;
}

export interface PropTradingBenchResult {
  readonly commandPath: readonly CommandPathFigure[];
  readonly rebuild: RebuildFigure;
}

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

const perSecond = (n: number, ms: number) => Math.round((n / ms) * 1000);

function commandPath(dir: string, synchronous: Synchronous, actions: number, accounts: number): CommandPathFigure {
  const path = join(dir, `commands-${synchronous}.db`);
  const clock = new ManualClock(START);
  const ledger = openLedger({ dbPath: path, synchronous, clock, ids: new SequentialIds() });
  const market = benchMarket(clock);
  const prop = new PropTrading({ store: ledger.store, clock, ids: ledger.ids, market });
  for (let a = 0; a < accounts; a++)
    prop.open({ accountId: `b${a}`, cloneId: `c${a}`, strategyVersionId: 'v', purpose: 'backtest', rules: LOSS_GATES_OPEN }, 'bench');
  const openedHead = ledger.store.headPosition();
  const started = performance.now();
  for (let i = 0; i < actions; i++) {
    const account = `b${i % accounts}`;
    const opening = Math.floor(i / accounts) % 2 === 0;
    clock.advance(1000);
    market.step();
    const input = opening
      ? ({ decisionRunId: `r${i}`, asset: 'BTC', action: 'open', side: 'long', notionalUsd: '2000', leverage: 5 } as const)
      : ({ decisionRunId: `r${i}`, asset: 'BTC', action: 'close', side: 'long' } as const);
    prop.submitAction(account, input, 'bench');
  }
  const ms = performance.now() - started;
  const events = ledger.store.headPosition() - openedHead;
  const rows = ledger.store.db
    .prepare(
      'SELECT stream_id, stream_version, event_id, type, data, metadata, recorded_at FROM events WHERE position > ? ORDER BY position',
    )
    .raw()
    .all(openedHead) as unknown[][];
  ledger.close();
  const raw = rawInsertRate(join(dir, `raw-${synchronous}.db`), synchronous, rows, actions);
  const actionsPerSecond = perSecond(actions, ms);
  return { synchronous, actions, events, actionsPerSecond, rawCommandsPerSecond: raw, ratio: actionsPerSecond / raw };
}

/** Inserts the rows into a bare events table, the rows of one command per transaction. */
function rawInsertRate(path: string, synchronous: Synchronous, rows: readonly unknown[][], commands: number): number {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${synchronous}`);
  db.exec(`CREATE TABLE events (position INTEGER PRIMARY KEY, stream_id TEXT NOT NULL, stream_version INTEGER NOT NULL,
    event_id TEXT NOT NULL UNIQUE, type TEXT NOT NULL, data TEXT NOT NULL, metadata TEXT NOT NULL, recorded_at INTEGER NOT NULL,
    UNIQUE (stream_id, stream_version)) STRICT`);
  const insert = db.prepare(
    'INSERT INTO events (stream_id, stream_version, event_id, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const perCommand = Math.max(1, Math.round(rows.length / commands));
  const tx = db.transaction((batch: readonly unknown[][]) => {
    for (const r of batch) insert.run(...r);
  });
  const started = performance.now();
  for (let i = 0; i < rows.length; i += perCommand) tx(rows.slice(i, i + perCommand));
  const ms = performance.now() - started;
  db.close();
  return perSecond(Math.ceil(rows.length / perCommand), ms);
}

/**
 * Writes a log of about `events` prop account events: the decider's own events for accounts
 * opening, trading and being marked, encoded by the registry and inserted in large batches.
 */
function writeLog(path: string, events: number): number {
  const registry = new EventRegistry(propTradingEvents);
  const store = EventStore.open(path, { registry, synchronous: 'OFF' });
  const insert = store.db.prepare(
    'INSERT INTO events (position, stream_id, stream_version, event_id, type, schema_version, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?)',
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
        const { json } = registry.encode(e.type, e.data);
        batch.push([position, streamId, version, `e${position}`, e.type, json, '{}', at]);
        state = propAccountDecider.evolve(state, {
          ...e,
          position,
          streamId,
          streamVersion: version,
          eventId: '',
          schemaVersion: 1,
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

function rawScanRate(path: string): number {
  const db = new Database(path, { readonly: true });
  const started = performance.now();
  let n = 0;
  for (const [data, metadata] of db.prepare('SELECT data, metadata FROM events ORDER BY position').raw().iterate() as IterableIterator<
    [string, string]
  >) {
    JSON.parse(data);
    JSON.parse(metadata);
    n += 1;
  }
  const ms = performance.now() - started;
  db.close();
  return perSecond(n, ms);
}

function rebuild(dir: string, events: number): RebuildFigure {
  const path = join(dir, 'log.db');
  const written = writeLog(path, events);
  const rawScanEventsPerSecond = rawScanRate(path);
  const store = EventStore.open(path, { registry: new EventRegistry(propTradingEvents), synchronous: 'NORMAL' });
  const started = performance.now();
  const projections = propTradingProjections.map((p) => {
    const t = performance.now();
    const r = rebuildProjection(store, p);
    return { name: p.name, seconds: (performance.now() - t) / 1000, rows: r.rows };
  });
  const ms = performance.now() - started;
  store.close();
  const eventsPerSecond = perSecond(written, ms);
  return {
    events: written,
    seconds: ms / 1000,
    eventsPerSecond,
    projections,
    rawScanEventsPerSecond,
    ratio: eventsPerSecond / rawScanEventsPerSecond,
  };
}

export function runPropTradingBench(options: PropTradingBenchOptions = {}): PropTradingBenchResult {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'clash-bench-prop-'));
  try {
    const actions = options.actions ?? 5_000;
    const accounts = options.accounts ?? 50;
    return {
      commandPath: (['FULL', 'NORMAL'] as const).map((s) => commandPath(dir, s, actions, accounts)),
      rebuild: rebuild(dir, options.rebuildEvents ?? 1_000_000),
    };
  } finally {
    if (!options.dir) rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({ options: { actions: { type: 'string' }, events: { type: 'string' } } });
  const result = runPropTradingBench({
    ...(values.actions ? { actions: Number(values.actions) } : {}),
    ...(values.events ? { rebuildEvents: Number(values.events) } : {}),
  });
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}
