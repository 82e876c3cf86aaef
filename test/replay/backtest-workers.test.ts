/**
 * `clash worker backtests` as separate processes over one ledger file and one file artifact
 * store: Given four accepted jobs and two worker processes, Then every job is leased once and
 * finished once (no job runs twice); Given a worker killed (SIGKILL) in the middle of a job,
 * Then another process takes the job over when its lease runs out (attempt 2) and finishes it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { RecordedEvent } from '../../core/event-store.ts';
import { openLedger } from '../../server/context.ts';
import { backtestLedger } from '../support/backtest-jobs.ts';
import { sharedData } from '../support/prop-trading.ts';
import { tempDir } from '../support/store.ts';

const shared = sharedData();
const dir = tempDir('clash-bt-procs-');
/** One-minute steps over six hours with a progress event every ten: long enough to stop a worker in the middle. */
const limits = { BACKTEST_STARTER_REPLAY_STEPS: '1000', BACKTEST_CONCURRENCY: '4', BACKTEST_CONCURRENCY_PER_USER: '4' };
const shape = { stepMs: 60_000 };

function workerEnv(artifacts: string) {
  return {
    ...process.env,
    ...limits,
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    CLASH_ARTIFACTS_URL: `file:${artifacts}`,
    BACKTEST_WORKER_INTERVAL_MS: '100',
    BACKTEST_LEASE_SECONDS: '5',
    BACKTEST_PROGRESS_EVERY_STEPS: '10',
  };
}
const stderrOf = new WeakMap<ChildProcess, string[]>();
/** Resolves with the exit code once the process exited and its stderr was read to its end. */
const closedOf = new WeakMap<ChildProcess, Promise<unknown[]>>();
function worker(db: string, artifacts: string): ChildProcess {
  const p = spawn(process.execPath, ['replay/bin.mjs', 'worker', 'backtests', '--db', db], {
    env: workerEnv(artifacts),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const lines: string[] = [];
  p.stderr?.on('data', (chunk) => lines.push(String(chunk)));
  stderrOf.set(p, lines);
  closedOf.set(p, once(p, 'close'));
  return p;
}

function jobEvents(db: string, id: string): RecordedEvent[] {
  const ledger = openLedger({ dbPath: db, readonly: true });
  try {
    return ledger.store.readStream(`backtest-${id}`);
  } finally {
    ledger.close();
  }
}

async function until(what: string, ok: () => boolean, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Signals `p` unless it already exited; its exit code, with its stderr printed when that is not 0 (also for an early exit). */
async function exit(p: ChildProcess, signal: NodeJS.Signals): Promise<number | null> {
  const early = p.exitCode !== null || p.signalCode !== null;
  if (!early) p.kill(signal);
  const [code] = (await closedOf.get(p)) as [number | null];
  if (code !== 0 && (early || signal !== 'SIGKILL'))
    console.error(`worker exited ${code}${early ? ' before the signal' : ''}:`, (stderrOf.get(p) ?? []).join(''));
  return code;
}

const of = (events: RecordedEvent[], type: string) => events.filter((e) => e.type === type);
const workerOf = (e: RecordedEvent) => (e.data as { workerId: string }).workerId;

if (shared) {
  test('two worker processes: every job leased once and finished once', async () => {
    const db = dir.file('two.db');
    const artifacts = dir.file('two-artifacts');
    const { backtestIds } = await backtestLedger(db, `file:${artifacts}`, shared, ['u1', 'u2', 'u3', 'u4'], limits, shape);
    const a = worker(db, artifacts);
    const b = worker(db, artifacts);
    try {
      await until('every job finished', () => backtestIds.every((id) => of(jobEvents(db, id), 'BacktestFinished').length === 1));
    } finally {
      assert.equal(await Promise.all([exit(a, 'SIGTERM'), exit(b, 'SIGTERM')]), [0, 0]);
    }
    for (const id of backtestIds) {
      const events = jobEvents(db, id);
      assert.is(of(events, 'BacktestLeased').length, 1, `job ${id} leased once`);
      const holder = workerOf(of(events, 'BacktestLeased')[0] as RecordedEvent);
      assert.ok(
        [...of(events, 'BacktestProgressed'), ...of(events, 'BacktestFinished')].every((e) => workerOf(e) === holder),
        'only the holder wrote',
      );
    }
  });

  test('a killed worker’s job is taken over by another process when its lease runs out, and finished once', async () => {
    const db = dir.file('takeover.db');
    const artifacts = dir.file('takeover-artifacts');
    const { backtestIds } = await backtestLedger(db, `file:${artifacts}`, shared, ['u1'], limits, shape);
    const id = backtestIds[0] as string;
    const first = worker(db, artifacts);
    let second: ChildProcess | undefined;
    try {
      await until('the first worker in the middle of the job', () => of(jobEvents(db, id), 'BacktestProgressed').length >= 3);
      assert.is(await exit(first, 'SIGKILL'), null, 'killed');
      const killedAt = jobEvents(db, id).length;
      second = worker(db, artifacts);
      await until('the job finished by the second worker', () => of(jobEvents(db, id), 'BacktestFinished').length === 1);
      const events = jobEvents(db, id);
      const leases = of(events, 'BacktestLeased');
      assert.equal(
        leases.map((e) => (e.data as { attempt: number }).attempt),
        [1, 2],
      );
      const [mine, theirs] = leases.map(workerOf);
      assert.ok(
        mine?.endsWith(`:${first.pid}`) && theirs?.endsWith(`:${second.pid}`),
        'the first lease by the killed worker, the second by the other',
      );
      const takeover = events.indexOf(leases[1] as RecordedEvent);
      assert.ok(takeover >= killedAt, 'the takeover came after the kill');
      assert.ok(
        events.slice(takeover + 1).every((e) => workerOf(e) === theirs),
        'after the takeover only the new holder writes',
      );
      assert.is(of(events, 'BacktestFinished').length, 1);
    } finally {
      await exit(first, 'SIGKILL');
      if (second) assert.is(await exit(second, 'SIGTERM'), 0);
    }
  });
}

test.after(() => dir.remove());
test.run();
