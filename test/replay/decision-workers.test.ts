/**
 * `clash worker decisions` as separate processes over one database file (issue 13 "Real parts in
 * tests"): three running audition accounts, the `anthropic` engine against a local Messages API
 * stub that answers slowly, a 3 s cadence. Two, then three worker processes: every due unit is
 * scheduled once, run once (one model call each) and completed, and no slot between the first
 * and the last is skipped. Then a worker is killed with SIGKILL while its model calls are in
 * flight: nothing of those runs is in the log, their leases expire, and the other worker runs
 * them under the same run ids, once each.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import Database from 'better-sqlite3';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DerivedSeries } from '../../adapters/market/derived/derived-series.ts';
import { HyperliquidInfo } from '../../adapters/market/hyperliquid/info-client.ts';
import { LiveRows } from '../../adapters/market/live-rows.ts';
import { type Candle, MarketMemory } from '../../adapters/market/market-memory.ts';
import { PRICE, SIZE } from '../../adapters/market/units.ts';
import { CompetitionWorker } from '../../commands/competition/worker.ts';
import { decisionEvents } from '../../commands/decisions/events.ts';
import { dataFieldSql } from '../../core/event-registry.ts';
import { competitionDeps } from '../../server/competition.ts';
import { type AnthropicStub, startAnthropicStub } from '../support/anthropic-stub.ts';
import { TestEconomy } from '../support/competition-economy.ts';
import { competitionClient } from '../support/competition-http.ts';
import { chainGraph } from '../support/graphs.ts';
import { startHyperliquidStub } from '../support/hyperliquid-stub.ts';
import { sharedData } from '../support/prop-trading.ts';
import { startTestServer } from '../support/server.ts';
import { newAccount } from '../support/siwe.ts';
import { tempDir } from '../support/store.ts';
import { SessionUser } from '../support/users.ts';

const MINUTE = 60_000;
const SERVICE = 'worker-secret-0123456789abcdef';
const HOLD = JSON.stringify({ action: 'hold', asset: 'BTC', confidence: 0.9, reason: 'stub: no edge' });
const data = sharedData();
const dir = tempDir('clash-decision-workers-');
const path = dir.file('ledger.db');

/** BTC 1m candles around now (a gentle wave near 100,000 USD), from three hours back to five minutes ahead. */
function candlesAroundNow(now: number): Candle[] {
  const first = Math.floor(now / MINUTE) * MINUTE - 180 * MINUTE;
  return Array.from({ length: 186 }, (_, i) => {
    const close = (100_000n + BigInt(Math.round(200 * Math.sin(i / 10)))) * PRICE.one;
    return {
      asset: 'BTC',
      intervalMs: MINUTE,
      openTime: first + i * MINUTE,
      open: close,
      high: close + PRICE.one,
      low: close - PRICE.one,
      close,
      volume: 5n * SIZE.one,
    };
  });
}

/** Three clones auditioning on BTC, their accounts opened now, on the ledger file `path`. */
async function prepareLedger(dataDir: string): Promise<string[]> {
  const economy = new TestEconomy();
  const now = Date.now();
  const server = await startTestServer(
    { CLASH_DB: path, CLASH_DEV_IDENTITY: 'true', CLASH_SERVICE_TOKENS: `worker:${SERVICE}`, CLASH_SERVE_WORKERS: 'none' },
    now,
    { competitionEconomy: economy },
  );
  const hl = await startHyperliquidStub(dataDir);
  try {
    const db = server.ledger.store.db;
    const memory = new MarketMemory(db);
    new LiveRows(db, memory).writeMetaAndContexts(await new HyperliquidInfo(hl.infoUrl).metaAndAssetCtxs(), now - MINUTE);
    const candles = candlesAroundNow(now);
    memory.write({ assets: [], candles, mids: [], funding: [] });
    new DerivedSeries(db).applyFinal(candles);
    await new CompetitionWorker(competitionDeps(server.ledger, economy)).tick(now);
    const api = competitionClient(server, SERVICE);
    const owner = await SessionUser.signIn(server, newAccount());
    const accounts: string[] = [];
    for (const name of ['One', 'Two', 'Three']) {
      const { id } = await api.ok<{ id: string }>(201, 'POST', '/api/v1/clones', { auth: owner.auth, body: { name, modelTier: 'basic' } });
      await api.ok(200, 'PUT', `/api/v1/clones/${id}/draft`, { auth: owner.auth, body: { graph: chainGraph(['BTC']), layout: {} } });
      await api.ok(201, 'POST', `/api/v1/clones/${id}/entitlement/dev-grant`, { auth: owner.auth });
      await api.publish(owner.auth, id);
      economy.grantAuditionCredit(id);
      accounts.push((await api.submitAudition(owner.auth, id)).propAccountId);
    }
    return accounts;
  } finally {
    await hl.close();
    await server.stop();
  }
}

/** SQL: a top-level key of a stored decision event's data. */
const field = (key: string) => dataFieldSql('events', decisionEvents, key);

interface RunEvent {
  type: string;
  runId: string;
  streamId: string;
  dueAt: number | null;
  code: string | null;
}
function runEvents(): RunEvent[] {
  const db = new Database(path, { readonly: true });
  try {
    return db
      .prepare(
        `SELECT type, stream_id AS streamId, ${field('runId')} AS runId, ${field('dueAt')} AS dueAt, ${field('code')} AS code
         FROM events WHERE stream_id LIKE 'decisions-%' ORDER BY position`,
      )
      .all() as RunEvent[];
  } finally {
    db.close();
  }
}

const workerEnv = (anthropic: AnthropicStub, cadenceSeconds: number, leaseSeconds: number) => ({
  ...process.env,
  NODE_ENV: 'test',
  LOG_LEVEL: 'silent',
  CLASH_ARTIFACTS_URL: 'memory:',
  DECISION_MODEL_PROVIDER: 'anthropic',
  ANTHROPIC_API_KEY: 'test-key',
  ANTHROPIC_BASE_URL: anthropic.url,
  ANTHROPIC_MAX_RETRIES: '0',
  DECISION_CADENCE_SEC: String(cadenceSeconds),
  DECISION_TICK_MS: '100',
  DECISION_LEASE_SECONDS: String(leaseSeconds),
});
const startWorker = (env: NodeJS.ProcessEnv) =>
  spawn(process.execPath, ['replay/bin.mjs', 'worker', 'decisions', '--db', path], { env, stdio: 'ignore' });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
async function stop(p: ChildProcess): Promise<number | null> {
  if (p.exitCode !== null || p.signalCode !== null) return p.exitCode;
  p.kill('SIGTERM');
  const [code] = (await once(p, 'exit')) as [number | null];
  return code;
}
/** Waits until each of `workers` has written its heartbeat (a loaded machine takes seconds to start a process). */
async function beating(workers: readonly ChildProcess[]): Promise<void> {
  const pids = () => {
    const db = new Database(path, { readonly: true });
    try {
      return (db.prepare("SELECT pid FROM worker_heartbeats WHERE worker = 'decisions'").all() as { pid: number }[]).map((r) => r.pid);
    } catch {
      return [];
    } finally {
      db.close();
    }
  };
  await until('the workers beating', () => workers.every((w) => pids().includes(w.pid as number)), 120_000);
}
async function until(what: string, ok: () => boolean, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

test('two, then three worker processes on one file: every due unit is run once, none between the first and the last is skipped', async () => {
  if (!data) return;
  const accounts = await prepareLedger(data);
  const anthropic = await startAnthropicStub();
  try {
    anthropic.script([{ text: HOLD, delayMs: 150 }]);
    const env = workerEnv(anthropic, 3, 5);
    const workers = [startWorker(env), startWorker(env)];
    await beating(workers);
    await sleep(7_000);
    workers.push(startWorker(env));
    await beating(workers);
    await sleep(7_000);
    assert.equal(await Promise.all(workers.map(stop)), [0, 0, 0]);
    const events = runEvents();
    const scheduled = events.filter((e) => e.type === 'DecisionRunScheduled');
    const completed = events.filter((e) => e.type === 'DecisionRunCompleted');
    assert.ok(scheduled.length >= 3 * 3, `${scheduled.length} units scheduled`);
    assert.is(new Set(scheduled.map((e) => e.runId)).size, scheduled.length, 'no unit scheduled twice');
    assert.equal(
      events.filter((e) => e.type === 'DecisionRunFailed'),
      [],
    );
    assert.equal(
      scheduled.filter((s) => !completed.some((c) => c.runId === s.runId)),
      [],
      'every unit completed (a stop finishes the tick in flight)',
    );
    assert.is(completed.length, new Set(completed.map((e) => e.runId)).size, 'none completed twice');
    assert.is(anthropic.requests.length, scheduled.length, 'one model call per unit');
    for (const account of accounts) {
      const dues = scheduled
        .filter((e) => e.streamId === `decisions-${account}`)
        .map((e) => e.dueAt as number)
        .sort((a, b) => a - b);
      assert.ok(dues.length >= 3, `${account}: ${dues.length} units`);
      assert.equal(
        dues.slice(1).map((d, i) => d - (dues[i] as number)),
        dues.slice(1).map(() => 3_000),
        `${account}: one unit every 3 s slot, none skipped`,
      );
    }
  } finally {
    await anthropic.close();
  }
});

test('a worker killed (SIGKILL) in the middle of its model calls: its leases expire and the other worker runs those units, once each', async () => {
  if (!data) return;
  const anthropic = await startAnthropicStub();
  const workers: ChildProcess[] = [];
  try {
    // a 30 s slot outlives the 3 s lease by far: the unit is still the latest when its lease expires
    anthropic.script([{ text: HOLD, delayMs: 1_000 }]);
    const env = workerEnv(anthropic, 30, 3);
    const before = runEvents().length;
    workers.push(startWorker(env), startWorker(env));
    await beating(workers);
    const leases = () => {
      const db = new Database(path, { readonly: true });
      try {
        return db.prepare("SELECT unit, holder FROM leases WHERE unit LIKE 'decision:%'").all() as { unit: string; holder: string }[];
      } finally {
        db.close();
      }
    };
    await until('a model call in flight under a lease', () => anthropic.requests.length > 0 && leases().length > 0);
    const pid = Number(leases()[0]?.holder.split(':').at(-1));
    const victim = workers.find((w) => w.pid === pid);
    assert.ok(victim, `the lease holder ${pid} is one of the test's workers`);
    const lost = leases()
      .filter((l) => l.holder.endsWith(`:${pid}`))
      .map((l) => l.unit.slice('decision:'.length));
    victim.kill('SIGKILL');
    await once(victim, 'exit');
    await until("the dead worker's units run by the other", () => {
      const events = runEvents().slice(before);
      return lost.every((runId) => events.some((e) => e.type === 'DecisionRunCompleted' && e.runId === runId));
    });
    const events = runEvents().slice(before);
    for (const runId of lost) {
      assert.is(events.filter((e) => e.type === 'DecisionRunScheduled' && e.runId === runId).length, 1, `${runId} scheduled once`);
    }
    const completed = events.filter((e) => e.type === 'DecisionRunCompleted').map((e) => e.runId);
    assert.is(new Set(completed).size, completed.length, 'no run completed twice');
    // the dead worker may have died before or after its call went out: every completed run made one, its lost calls are extra
    assert.ok(anthropic.requests.length >= completed.length, 'every completed run called the model');
    const survivor = workers.find((w) => w !== victim) as ChildProcess;
    assert.is(await stop(survivor), 0);
  } finally {
    for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill('SIGKILL');
    await anthropic.close();
  }
});

test.after(() => dir.remove());
test.run();
