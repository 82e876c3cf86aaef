/**
 * The HTTP figures: autocannon in this process against the real server (`clash serve`) in a
 * child process on 127.0.0.1, each beside a bare baseline server in its own child process
 * (`http-baseline.ts`), in the same run:
 *   - a durable prop-trading action (10 concurrent writers, synchronous=FULL) with group commit
 *     on, and off (CLASH_GROUP_COMMIT_MAX_BATCH=1), beside bare Hono doing one INSERT per request
 *     in its own transaction;
 *   - an account read and an Arena read beside bare Hono answering the same bytes.
 * Server and client sit on different cores of the two; the figures are requests per second with
 * the p99 latency in the note.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { MarketMemory } from '../../adapters/market/market-memory.ts';
import { PRICE } from '../../adapters/market/units.ts';
import { openDatabase } from '../../core/database.ts';
import { seedBenchClone } from './bench-clone.ts';
import { type Figure, figure, type Scratch } from './measure.ts';

const SERVICE_SECRET = 'bench-service-secret-0123456789';
const SERVICE = `Bearer ${SERVICE_SECRET}`;
const WRITERS = 10;
const ACCOUNTS = 50;

/** Spawns `args` and resolves with the child and the URL it prints (`listening <url>` or pino's `url`). */
async function startChild(args: string[], env: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (chunk) => {
      out += String(chunk);
      const found = /listening (http:\/\/\S+)/.exec(out) ?? /"url":"(http:\/\/[^"]+)"/.exec(out);
      if (found?.[1]) resolve(found[1]);
    });
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited ${code} before listening`)));
  });
  child.stdout?.removeAllListeners('data');
  child.stdout?.resume();
  return { child, url };
}

/** Stops a child with SIGTERM and waits for it to exit (the server shuts down gracefully). */
export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  await once(child, 'exit');
}

/**
 * `CLASH_BENCH_CPU_PROFILE_DIR` set: the server children run under `node --cpu-prof`, writing a
 * `.cpuprofile` there when they stop (open it in Chrome DevTools or speedscope).
 */
const profiling = (): string[] => {
  const dir = process.env.CLASH_BENCH_CPU_PROFILE_DIR;
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [];
};

/** The real server on a fresh ledger with BTC priced now; `maxBatch` 1 turns group commit off. */
export async function startLedgerServer(scratch: Scratch, maxBatch: number) {
  const db = scratch.file(`http-${maxBatch}`);
  const market = openDatabase(db, { synchronous: 'FULL' });
  new MarketMemory(market).write({
    assets: [{ name: 'BTC', szDecimals: 5, maxLeverage: 50, kind: 'perp', enabled: true }],
    candles: [],
    // Fresh for longer than a run: the price staleness bound is measured from this mid's time.
    mids: [{ asset: 'BTC', time: Date.now(), price: 100_000n * PRICE.one }],
    funding: [],
  });
  market.close();
  const { cloneId, strategyVersionId } = seedBenchClone(db);
  const { child, url } = await startChild([...profiling(), 'replay/bin.mjs', 'serve'], {
    NODE_ENV: 'test',
    CLASH_DB: db,
    PORT: '0',
    LOG_LEVEL: 'info',
    CLASH_SYNCHRONOUS: 'FULL',
    CLASH_COMPETITION_TICK_MS: '0',
    CLASH_SERVICE_TOKENS: `bench:${SERVICE_SECRET}`,
    CLASH_GROUP_COMMIT_MAX_BATCH: String(maxBatch),
  });
  for (let a = 0; a < ACCOUNTS; a++) {
    const res = await fetch(`${url}/api/v1/prop-accounts`, {
      method: 'POST',
      headers: { authorization: SERVICE, 'content-type': 'application/json' },
      body: JSON.stringify({ accountId: `bench-${a}`, cloneId, strategyVersionId, purpose: 'backtest' }),
    });
    if (res.status !== 201) throw new Error(`opening a bench account: ${res.status} ${await res.text()}`);
  }
  return { child, url };
}

interface Load {
  readonly rps: number;
  readonly p99: number;
  readonly bad: number;
  /** CPU time the server process spent per answered request, in µs (user + system); null where /proc is not readable. */
  readonly cpuUs: number | null;
}

/** Clock ticks per second of /proc's CPU times (USER_HZ: 100 on Linux). */
const USER_HZ = 100;

/**
 * CPU seconds (user + system, every thread) a child has used so far, from /proc/PID/stat; null
 * off Linux. CPU per request moves far less with the machine's load than requests/s (a read's held
 * to ±10 µs between load averages 7 and 17; a durable action's, with its fsyncs and the workers
 * beside it, moves more): the figure to compare between runs on a loaded machine.
 */
function cpuSeconds(child: ChildProcess): number | null {
  try {
    const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start at ")"; utime and stime are the 14th and 15th fields.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / USER_HZ;
  } catch {
    return null;
  }
}

/** autocannon against `server` for `seconds` with `connections`; `request(i)` makes the i-th request. */
export async function load(
  server: { url: string; child: ChildProcess },
  seconds: number,
  connections: number,
  request: (i: number) => { method: 'GET' | 'POST'; path: string; body?: string },
): Promise<Load> {
  const { url } = server;
  const cpuBefore = cpuSeconds(server.child);
  let i = 0;
  const first = request(0);
  const result = await autocannon({
    url,
    connections,
    duration: seconds,
    requests: [
      {
        method: first.method,
        path: first.path,
        headers: { authorization: SERVICE, 'content-type': 'application/json' },
        setupRequest: (req) => {
          const next = request(i++);
          return { ...req, method: next.method, path: next.path, ...(next.body === undefined ? {} : { body: next.body }) };
        },
      },
    ],
  });
  const cpuAfter = cpuSeconds(server.child);
  const answered = result.requests.total;
  return {
    rps: result.requests.average,
    p99: result.latency.p99,
    bad: result.non2xx + result.errors + result.timeouts,
    cpuUs: cpuBefore === null || cpuAfter === null || answered === 0 ? null : ((cpuAfter - cpuBefore) * 1e6) / answered,
  };
}

/** An action per request, alternating opening and closing a small long on one of the accounts. */
export const action = (i: number) => {
  const account = i % ACCOUNTS;
  const opening = Math.floor(i / ACCOUNTS) % 2 === 0;
  const body = opening
    ? { decisionRunId: `run-${i}`, asset: 'BTC', action: 'open', side: 'long', notionalUsd: '1000', leverage: 2 }
    : { decisionRunId: `run-${i}`, asset: 'BTC', action: 'close', side: 'long' };
  return { method: 'POST' as const, path: `/api/v1/prop-accounts/bench-${account}/actions`, body: JSON.stringify(body) };
};

const cpu = (l: Load) => (l.cpuUs === null ? 'n/a' : `${Math.round(l.cpuUs)} µs`);
const note = (ours: Load, base: Load) =>
  `p99 ${ours.p99} ms (baseline ${base.p99} ms); server CPU per request ${cpu(ours)} (baseline ${cpu(base)}); non-2xx or errors: ${ours.bad} (baseline ${base.bad})`;

/** Every HTTP figure; `seconds` is each load's duration. */
export async function runHttpBench(options: { scratch: Scratch; seconds: number; onFigure: (f: Figure) => void }): Promise<Figure[]> {
  const { scratch, seconds, onFigure } = options;
  const figures: Figure[] = [];
  const emit = (f: Figure) => {
    onFigure(f);
    figures.push(f);
  };
  const children: ChildProcess[] = [];
  try {
    const insert = await startChild(['--import', 'tsx', 'replay/bench/http-baseline.ts', 'insert', scratch.file('http-raw')], {});
    children.push(insert.child);
    const raw = await load(insert, seconds, WRITERS, action);

    const results: Record<string, Load> = {};
    for (const maxBatch of [64, 1]) {
      const server = await startLedgerServer(scratch, maxBatch);
      children.push(server.child);
      results[maxBatch] = await load(server, seconds, WRITERS, (i) => action(i + maxBatch * 1_000_000));
      if (maxBatch === 64) {
        for (const [what, path] of [
          ['an account read', '/api/v1/prop-accounts/bench-7'],
          ['the Arena read', '/api/v1/arena'],
        ] as const) {
          const body = await (await fetch(server.url + path, { headers: { authorization: SERVICE } })).text();
          const bodyFile = `${scratch.file('body')}.json`;
          writeFileSync(bodyFile, body);
          const bare = await startChild(['--import', 'tsx', 'replay/bench/http-baseline.ts', 'bare', bodyFile], {});
          children.push(bare.child);
          const base = await load(bare, seconds, WRITERS, () => ({ method: 'GET', path }));
          const ours = await load(server, seconds, WRITERS, () => ({ method: 'GET', path }));
          emit({
            ...figure(`HTTP: ${what}, ${WRITERS} connections`, 'requests/s', ours.rps, base.rps, 0.25, note(ours, base)),
            baselineName: 'bare Hono',
          });
          await stop(bare.child);
        }
      }
      await stop(server.child);
    }
    const on = results[64] as Load;
    const off = results[1] as Load;
    emit({
      ...figure(
        `HTTP: durable prop action, ${WRITERS} concurrent writers, FULL, group commit on`,
        'requests/s',
        on.rps,
        raw.rps,
        0.3,
        `${note(on, raw)}; ${(on.rps / off.rps).toFixed(2)}× group commit off`,
      ),
      baselineName: 'raw insert',
    });
    emit({
      ...figure(
        `HTTP: durable prop action, ${WRITERS} concurrent writers, FULL, group commit off`,
        'requests/s',
        off.rps,
        raw.rps,
        undefined,
        note(off, raw),
      ),
      baselineName: 'raw insert',
    });
  } finally {
    for (const child of children) await stop(child);
  }
  return figures;
}
