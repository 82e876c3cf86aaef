/**
 * `clash worker NAME` as separate processes over one file (the ledger's `checkpoints` worker among them): each writes its heartbeat, two
 * copies of an exclusive worker are one at work and one standing by, SIGTERM stops each cleanly
 * (exit 0, heartbeat removed), and a worker that cannot run with the configuration is refused.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import Database from 'better-sqlite3';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { openLedger } from '../../server/context.ts';
import { clash } from '../support/cli.ts';
import { tempDir } from '../support/store.ts';

const dir = tempDir('clash-workers-');
const path = dir.file('ledger.db');
openLedger({ dbPath: path }).close();
const env = {
  ...process.env,
  NODE_ENV: 'test',
  LOG_LEVEL: 'silent',
  CLASH_ARTIFACTS_URL: 'memory:',
  CLASH_PROJECTION_POLL_MS: '50',
  CLASH_COMPETITION_TICK_MS: '100',
  CLASH_CHECKPOINT_POLL_MS: '100',
};
const worker = (name: string) => spawn(process.execPath, ['replay/bin.mjs', 'worker', name, '--db', path], { env, stdio: 'ignore' });

interface BeatRow {
  worker: string;
  pid: number;
  signals: string;
  last_success_at: number | null;
}
const beats = (): BeatRow[] => {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare('SELECT worker, pid, signals, last_success_at FROM worker_heartbeats ORDER BY worker, pid').all() as BeatRow[];
  } catch {
    return [];
  } finally {
    db.close();
  }
};

async function until(what: string, ok: () => boolean, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(beats())}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function stop(p: ChildProcess): Promise<number | null> {
  p.kill('SIGTERM');
  const [code] = (await once(p, 'exit')) as [number | null];
  return code;
}

test('worker processes beat; an exclusive worker runs in one of two processes; SIGTERM stops each cleanly', async () => {
  const projections = worker('projections');
  const competitionA = worker('competition');
  const competitionB = worker('competition');
  const checkpoints = worker('checkpoints');
  const pids = [projections.pid, competitionA.pid, competitionB.pid, checkpoints.pid];
  await until('four beating processes, each past a tick', () => {
    const rows = beats().filter((b) => pids.includes(b.pid));
    return rows.length === 4 && rows.every((b) => b.last_success_at !== null || JSON.parse(b.signals).standby === 1);
  });
  const competing = beats().filter((b) => b.worker === 'competition');
  assert.is(competing.length, 2);
  assert.equal(competing.map((b) => JSON.parse(b.signals).standby ?? 0).sort(), [0, 1], 'one works, one stands by');
  assert.equal(await Promise.all([stop(projections), stop(competitionA), stop(competitionB), stop(checkpoints)]), [0, 0, 0, 0]);
  assert.equal(beats(), [], 'clean stops leave no heartbeat behind');
});

test('a worker that cannot run with this configuration is refused, naming why', async () => {
  const quiet = { NODE_ENV: 'test', LOG_LEVEL: 'silent', CLASH_ARTIFACTS_URL: 'memory:' };
  const run = await clash(['worker', 'reconciliation', '--db', path], undefined, quiet);
  assert.is(run.code, 1);
  assert.match(run.stderr, /worker reconciliation cannot run: no chain is configured/);
  const off = await clash(['worker', 'checkpoints', '--db', path], undefined, { ...quiet, CLASH_CHECKPOINT_INTERVAL_SECONDS: '0' });
  assert.equal([off.code, /worker checkpoints cannot run: CLASH_CHECKPOINT_INTERVAL_SECONDS is 0/.test(off.stderr)], [1, true]);
  const unknown = await clash(['worker', 'nope', '--db', path], undefined, { NODE_ENV: 'test' });
  assert.is(unknown.code, 2);
});

test.after(() => dir.remove());
test.run();
