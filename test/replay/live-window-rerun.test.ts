/**
 * Re-running a live audition window with the `recorded` engine (issue 14; doc/backtesting.md,
 * "Re-running a live window"). Given an audition that traded by itself for two hours with the
 * `rules` engine on the recorded market (real SQLite file, real server, the decision and
 * marking workers on a manual clock), When the owner re-runs its window
 * (`clash backtest run --clone … --live-window … --engine recorded`), Then every live run's
 * decision and order is reproduced, the re-run's metrics equal the live account's over the same
 * samples byte for byte, the live account is untouched and the job is the clone's; a perturbed
 * reply fails the job `artifact_corrupt`, an expired one `recording_missing`; another clone's
 * account, a backtest account and an account without runs are refused naming the field.
 */
import { statSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { zBacktestReport } from '../../commands/backtests/report.ts';
import { propAccountStream } from '../../commands/prop-trading/decider.ts';
import { canonicalJson } from '../../core/canonical-json.ts';
import { ClashError } from '../../core/errors.ts';
import { findBacktest } from '../../projections/backtests/backtests.ts';
import { completedRunsOfAccount } from '../../projections/decisions/queries.ts';
import { runBacktestReport } from '../../replay/cli/backtest.ts';
import { clash } from '../support/cli.ts';
import { givenALiveAudition, type LiveAudition } from '../support/live-audition.ts';
import { sharedData } from '../support/prop-trading.ts';
import { tempDir } from '../support/store.ts';

const shared = sharedData();
const dir = tempDir('clash-live-rerun-');

/** The owner's re-run of the audition's window, as `clash backtest run --live-window` runs it. */
const rerun = (live: LiveAudition, options: { propAccountId?: string; cloneId?: string } = {}) =>
  runBacktestReport(
    {
      source: { clone: options.cloneId ?? live.cloneId },
      liveWindow: options.propAccountId ?? live.propAccountId,
      engine: 'recorded',
      stepMs: 300_000,
    },
    { ledger: live.server.ledger, config: live.config, artifacts: live.server.ops.artifacts },
  );

const failure = async (run: Promise<unknown>): Promise<Record<string, unknown> | null> => {
  try {
    await run;
  } catch (error) {
    return error instanceof ClashError ? { code: error.code, ...(error.info as Record<string, unknown>) } : { code: String(error) };
  }
  return null;
};

if (shared) {
  test('a rules audition re-run from its recorded window reproduces every decision and the metrics; tampering and expiry fail; foreign accounts are refused', async () => {
    const artifactsUrl = `file:${dir.file('artifacts')}`;
    const live = await givenALiveAudition(shared, { DECISION_MODEL_PROVIDER: 'rules', CLASH_ARTIFACTS_URL: artifactsUrl });
    try {
      const db = live.server.ledger.store.db;
      const runs = completedRunsOfAccount(db, live.cloneId, live.propAccountId, { fromMs: 0, toMs: Number.MAX_SAFE_INTEGER, limit: 1000 });
      const orders = runs.filter((r) => r.order?.status === 'executed').length;
      assert.ok(orders > 0, `the rules engine traded live (${runs.length} runs, ${orders} fills)`);
      const liveEvents = canonicalJson(live.server.ledger.store.readStream(propAccountStream(live.propAccountId)).map((e) => e.data));

      // When the window is re-run with the CLI (--json, --report)
      const html = dir.file('rerun.html');
      const cli = await clash(
        [
          'backtest',
          'run',
          '--clone',
          live.cloneId,
          '--live-window',
          live.propAccountId,
          '--engine',
          'recorded',
          '--json',
          '--report',
          html,
          '--db',
          live.server.ledger.store.db.name,
        ],
        undefined,
        { ...live.env, NODE_ENV: 'test' },
      );
      assert.is(cli.code, 0, cli.stderr);
      const report = zBacktestReport.parse(JSON.parse(cli.stdout));
      assert.ok(statSync(html).size > 10_000, 'the HTML report is written');

      // Then every decision and order is reproduced, and the metrics equal the live account's
      const reproduced = report.liveWindow;
      if (!reproduced) throw new Error('no live window section');
      assert.equal(reproduced.divergences, [], 'no run diverges');
      assert.equal([reproduced.runs, reproduced.decisionsReproduced, reproduced.ordersReproduced], [runs.length, runs.length, runs.length]);
      assert.is(canonicalJson(report.metrics), canonicalJson(reproduced.liveMetrics), 'metrics byte for byte');
      assert.ok(reproduced.metricsReproduced);
      assert.ok(report.metrics.trades > 0 || report.metrics.feesMicroUsd !== '0', 'the re-run traded');
      assert.is(report.window.from, new Date(live.from).toISOString());
      assert.equal(report.assets.slice().sort(), ['BTC', 'ETH']);
      const job = findBacktest(db, report.backtestId);
      assert.equal([job?.status, job?.cloneId, job?.run.liveWindow?.propAccountId], ['finished', live.cloneId, live.propAccountId]);
      assert.is(
        canonicalJson(live.server.ledger.store.readStream(propAccountStream(live.propAccountId)).map((e) => e.data)),
        liveEvents,
        'the live account is untouched',
      );

      // Given one stored reply perturbed, Then the re-run fails artifact_corrupt
      const traded = runs.find((r) => r.order?.status === 'executed');
      const replyKey = traded?.reply?.key as string;
      const original = (await live.server.ops.artifacts.get(replyKey)) as Uint8Array;
      await live.server.ops.artifacts.put(replyKey, new TextEncoder().encode(`${new TextDecoder().decode(original)} `));
      assert.equal((await failure(rerun(live)))?.code, 'artifact_corrupt');
      // Given it expired (retention deleted it), Then recording_missing
      await live.server.ops.artifacts.delete(replyKey);
      assert.equal((await failure(rerun(live)))?.code, 'recording_missing');
      await live.server.ops.artifacts.put(replyKey, original);

      // Another clone's account, a backtest account and an account without runs are refused naming the field
      const other = await givenOtherClone(live);
      const refusedCli = await clash(
        [
          'backtest',
          'run',
          '--clone',
          other,
          '--live-window',
          live.propAccountId,
          '--engine',
          'recorded',
          '--db',
          live.server.ledger.store.db.name,
        ],
        undefined,
        { ...live.env, NODE_ENV: 'test' },
      );
      assert.is(refusedCli.code, 1, refusedCli.stderr);
      assert.match(refusedCli.stderr, /live-window: not a prop account of clone/);
      const foreign = await failure(rerun(live, { cloneId: other }));
      assert.equal([foreign?.code, foreign?.field, foreign?.reason], ['live_window_refused', 'live-window', 'not_clone_account']);
      const own = await failure(rerun(live, { propAccountId: `backtest-${report.backtestId}` }));
      assert.equal([own?.code, own?.reason], ['live_window_refused', 'not_clone_account']);
      // The owner's CLI re-run with `extra` flags
      const dbPath = db.name;
      const flagged = (extra: string[]) =>
        clash(['backtest', 'run', '--clone', live.cloneId, '--live-window', live.propAccountId, '--db', dbPath, ...extra], undefined, {
          ...live.env,
          NODE_ENV: 'test',
        });
      // A backwards window names --to (it used to read as no_runs naming --live-window)
      const iso = (ms: number) => new Date(ms).toISOString();
      const backwards = await flagged(['--engine', 'recorded', '--from', iso(live.to), '--to', iso(live.from)]);
      assert.is(backwards.code, 2, backwards.stderr);
      assert.match(backwards.stderr, /to: the window must end after it starts/);
      // Flags the live window takes from the account are refused naming the flag (--assets was ignored)
      const withAssets = await flagged(['--engine', 'recorded', '--assets', 'BTC']);
      assert.is(withAssets.code, 2, withAssets.stderr);
      assert.match(withAssets.stderr, 'error: --assets: not with --live-window (taken from the live account)');
      const withEvery = await flagged(['--engine', 'recorded', '--decide-every', '15m']);
      assert.match(withEvery.stderr, 'error: --decide-every: not with --live-window (taken from the live account)');
      const withEngine = await flagged(['--engine', 'rules']);
      assert.is(withEngine.code, 2, withEngine.stderr);
      assert.match(withEngine.stderr, 'error: --engine: a live window is re-run with the recorded engine');
    } finally {
      await live.server.stop();
    }
  });
}

/** A second clone of the same owner (an account of the first is foreign to it). */
async function givenOtherClone(live: LiveAudition): Promise<string> {
  await live.owner.renew();
  const res = await live.owner.call('POST', '/api/v1/clones', { name: 'Other', modelTier: 'basic' });
  assert.is(res.status, 201, JSON.stringify(res.body));
  return (res.body as { id: string }).id;
}

test.after(() => dir.remove());
test.run();
