/**
 * The backtest worker in one process over a ledger file: Given three accepted jobs of two users
 * and a global limit of 2 with 1 per user, When the worker ticks, Then it starts two (one per
 * user) and the third waits for its owner's slot; every job finishes with its report stored;
 * Given a retention of 1 hour, When it ticks an hour later, Then the packets, prompts and replies are
 * deleted and `BacktestArtifactsExpired` records it while the summary stays; Given a strategy
 * snapshot that is gone, Then the job fails at once naming why (no retry); Given the unit
 * bookkeeping failing after the tick returned, Then nothing rejects unhandled and the next tick
 * throws the error (the worker loop reports it) with the run's slots given back.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { openArtifactStore } from '../../../adapters/artifacts/open.ts';
import { summaryKey } from '../../../commands/backtests/artifact-parts.ts';
import { zBacktestReport } from '../../../commands/backtests/report.ts';
import { Leases } from '../../../core/operations/leases.ts';
import { defaultRetryPolicy } from '../../../core/operations/retry.ts';
import { WorkUnits } from '../../../core/operations/work-units.ts';
import { findBacktest } from '../../../projections/backtests/backtests.ts';
import { backtestWorkerOf } from '../../../server/backtests.ts';
import { loadConfig } from '../../../server/config.ts';
import { openLedger } from '../../../server/context.ts';
import { backtestLedger } from '../../support/backtest-jobs.ts';
import { sharedData } from '../../support/prop-trading.ts';
import { tempDir } from '../../support/store.ts';

const shared = sharedData();
const dir = tempDir('clash-bt-worker-');
const env = { BACKTEST_CONCURRENCY: '2', BACKTEST_CONCURRENCY_PER_USER: '1', BACKTEST_ARTIFACT_RETENTION_HOURS: '1' };
let now = Date.now();
const clock = { now: () => now };

if (shared) {
  test('slots, reports, retention: two of three jobs start (one per user), all finish, expiring artifacts are deleted and recorded', async () => {
    const path = dir.file('jobs.db');
    const url = `file:${dir.file('artifacts')}`;
    const { backtestIds } = await backtestLedger(path, url, shared, ['u1', 'u2', 'u1'], env);
    const ledger = openLedger({ dbPath: path, synchronous: 'OFF', clock });
    const db = ledger.store.db;
    const artifacts = openArtifactStore(url);
    const units = new WorkUnits(db, defaultRetryPolicy);
    const worker = backtestWorkerOf(ledger, loadConfig({ NODE_ENV: 'test', ...env }), { artifacts, leases: new Leases(db), units }, 'w1');
    const first = await worker.tick(ledger.clock.now());
    assert.equal([first.started, first.inFlight], [2, 2]);
    assert.is(findBacktest(db, backtestIds[2] as string)?.status, 'queued', "u1's second job waits for u1's slot");
    await worker.drain();
    const second = await worker.tick(ledger.clock.now());
    assert.is(second.started, 1);
    await worker.drain();
    for (const id of backtestIds) {
      const row = findBacktest(db, id);
      assert.is(row?.status, 'finished', JSON.stringify(row?.failure));
      const report = zBacktestReport.parse(JSON.parse(new TextDecoder().decode(await artifacts.get(summaryKey(id)))));
      assert.equal(report.metrics, row?.metrics);
      assert.ok((await artifacts.list(`backtests/${id}/replies/`)).length > 0);
    }
    now += 3_600_000;
    const third = await worker.tick(now);
    assert.is(third.expired, 3);
    for (const id of backtestIds) {
      assert.equal(await artifacts.list(`backtests/${id}/packets/`), []);
      assert.equal(await artifacts.list(`backtests/${id}/replies/`), []);
      assert.ok(await artifacts.get(summaryKey(id)), 'the summary is durable');
      assert.ok((await artifacts.list(`backtests/${id}/decisions/`)).length > 0, 'the decision log is durable');
      assert.type(findBacktest(db, id)?.artifactsExpiredAt, 'number');
      const expiry = [...ledger.store.readStream(`backtest-${id}`)].find((e) => e.type === 'BacktestArtifactsExpired');
      assert.equal((expiry?.data as { kinds: string[] } | undefined)?.kinds, ['packets', 'prompts', 'replies']);
    }
    assert.is((await worker.tick(now)).expired, 0, 'an expiry is recorded once');
    assert.equal(units.list(), []);
    ledger.close();
  });

  test('a job whose strategy snapshot is gone fails at once, naming why', async () => {
    const path = dir.file('gone.db');
    const url = `file:${dir.file('gone-artifacts')}`;
    const { backtestIds } = await backtestLedger(path, url, shared, ['u1'], env);
    const ledger = openLedger({ dbPath: path, synchronous: 'OFF' });
    const db = ledger.store.db;
    const units = new WorkUnits(db, defaultRetryPolicy);
    const empty = openArtifactStore(`file:${dir.file('empty-artifacts')}`);
    const worker = backtestWorkerOf(
      ledger,
      loadConfig({ NODE_ENV: 'test', ...env }),
      { artifacts: empty, leases: new Leases(db), units },
      'w1',
    );
    await worker.tick(ledger.clock.now());
    await worker.drain();
    const row = findBacktest(db, backtestIds[0] as string);
    assert.equal([row?.status, row?.failure?.code], ['failed', 'snapshot_not_found']);
    assert.equal(units.list(), [], 'not retried: no parked unit');
    ledger.close();
  });

  test('an error of a run after its tick returned is thrown by the next tick, not left unhandled; the slots are given back', async () => {
    const path = dir.file('busy.db');
    const url = `file:${dir.file('busy-artifacts')}`;
    await backtestLedger(path, url, shared, ['u1'], env);
    const ledger = openLedger({ dbPath: path, synchronous: 'OFF' });
    const db = ledger.store.db;
    const busy = new Error('database is locked');
    class BusyUnits extends WorkUnits {
      override async run(): Promise<never> {
        throw busy;
      }
    }
    const leases = new Leases(db);
    const worker = backtestWorkerOf(
      ledger,
      loadConfig({ NODE_ENV: 'test', ...env }),
      { artifacts: openArtifactStore(url), leases, units: new BusyUnits(db, defaultRetryPolicy) },
      'w1',
    );
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      assert.is((await worker.tick(ledger.clock.now())).started, 1);
      await worker.drain();
      await new Promise((resolve) => setImmediate(resolve));
      assert.equal(unhandled, []);
      const thrown = await worker.tick(ledger.clock.now()).then(
        () => null,
        (error: unknown) => error,
      );
      assert.is(thrown, busy, "the next tick throws the run's error");
      assert.is((await worker.tick(ledger.clock.now())).inFlight, 0, 'thrown once; the job waits for its lease to run out');
      assert.is(leases.get('backtests:slot:0'), undefined, 'the global slot is given back');
    } finally {
      process.off('unhandledRejection', onUnhandled);
      ledger.close();
    }
  });
}

test.after(() => dir.remove());
test.run();
