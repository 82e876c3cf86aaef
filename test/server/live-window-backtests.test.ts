/**
 * Live window re-runs over HTTP and the backtest worker (doc/backtesting.md, "Re-running a live
 * window"). Given an audition that traded by itself on the recorded market — with the `rules`
 * engine, and with `anthropic` against the local Messages API stub (the recorded replies are
 * then the stub's) — When its owner asks `POST /api/v1/clones/:id/backtests` with `liveWindow`
 * and engine `recorded` and the backtest worker runs the job, Then the job finishes with every
 * decision and order reproduced and the metrics equal to the live account's over the same
 * samples, without a single model call; the preflight judges it; a stranger, another clone's
 * account, an account that is not an audition or race account, a window without runs and
 * another engine are refused naming the field, and nothing is appended for them.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MarketMemory } from '../../adapters/market/market-memory.ts';
import { summaryKey } from '../../commands/backtests/artifact-parts.ts';
import { type BacktestReport, zBacktestReport } from '../../commands/backtests/report.ts';
import { PropTrading } from '../../commands/prop-trading/handlers.ts';
import { canonicalJson } from '../../core/canonical-json.ts';
import { Leases } from '../../core/operations/leases.ts';
import { defaultRetryPolicy } from '../../core/operations/retry.ts';
import { WorkUnits } from '../../core/operations/work-units.ts';
import { completedRunsOfAccount } from '../../projections/decisions/queries.ts';
import { backtestWorkerOf } from '../../server/backtests.ts';
import { type StubStep, startAnthropicStub } from '../support/anthropic-stub.ts';
import { givenALiveAudition, type LiveAudition } from '../support/live-audition.ts';
import { sharedData } from '../support/prop-trading.ts';
import { codeOf } from '../support/server.ts';
import { newAccount } from '../support/siwe.ts';
import { SessionUser } from '../support/users.ts';

const shared = sharedData();

/** Asks for a re-run of `body` over HTTP as the owner and runs the worker until the job ends; the job as `GET /backtests/:id` shows it. */
async function jobOverHttp(live: LiveAudition, body: Record<string, unknown>) {
  await live.owner.renew();
  const path = `/api/v1/clones/${live.cloneId}/backtests`;
  const preflight = await live.owner.call('POST', `${path}/preflight`, body);
  assert.is(preflight.status, 200, JSON.stringify(preflight.body));
  assert.ok((preflight.body as { allowed: boolean }).allowed, 'the preflight allows it');
  const asked = await live.owner.call('POST', path, body);
  assert.is(asked.status, 202, JSON.stringify(asked.body));
  const { backtestId } = asked.body as { backtestId: string };
  const db = live.server.ledger.store.db;
  const worker = backtestWorkerOf(live.server.ledger, live.config, {
    artifacts: live.server.ops.artifacts,
    leases: new Leases(db),
    units: new WorkUnits(db, defaultRetryPolicy),
  });
  await worker.tick(live.server.clock.now());
  await worker.drain();
  const row = await live.owner.call('GET', `/api/v1/backtests/${backtestId}`);
  assert.is(row.status, 200, JSON.stringify(row.body));
  return row.body as {
    backtestId: string;
    status: string;
    attempts: number;
    failure: { code: string } | null;
    run: { liveWindow?: { propAccountId: string }; engine: string };
    liveWindowVerdict: {
      runs: number;
      decisionsReproduced: number;
      ordersReproduced: number;
      divergences: number;
      metricsReproduced: boolean;
    } | null;
  };
}

/** A re-run over HTTP that finished: the job and its report (the `summary` artifact). */
async function rerunOverHttp(live: LiveAudition, body: Record<string, unknown>) {
  const job = await jobOverHttp(live, body);
  assert.is(job.status, 'finished', JSON.stringify(job.failure));
  const backtestId = job.backtestId;
  const bytes = (await live.server.ops.artifacts.get(summaryKey(backtestId))) as Uint8Array;
  return { job, report: zBacktestReport.parse(JSON.parse(new TextDecoder().decode(bytes))) };
}

/** Every live run reproduced, and the metrics equal the live account's byte for byte. */
function assertReproduced(live: LiveAudition, report: BacktestReport) {
  const runs = completedRunsOfAccount(live.server.ledger.store.db, live.cloneId, live.propAccountId, {
    fromMs: 0,
    toMs: Number.MAX_SAFE_INTEGER,
    limit: 1000,
  });
  const lw = report.liveWindow;
  if (!lw) throw new Error('the report has no live window section');
  assert.equal(lw.divergences, []);
  assert.equal([lw.runs, lw.decisionsReproduced, lw.ordersReproduced], [runs.length, runs.length, runs.length]);
  assert.is(canonicalJson(report.metrics), canonicalJson(lw.liveMetrics));
  assert.ok(lw.metricsReproduced);
  return runs;
}

if (shared) {
  test('a rules audition re-run over HTTP and the worker reproduces it; bad windows are refused naming the field', async () => {
    const live = await givenALiveAudition(shared, { DECISION_MODEL_PROVIDER: 'rules' });
    try {
      const body = { liveWindow: { propAccountId: live.propAccountId }, engine: 'recorded' };
      const { job, report } = await rerunOverHttp(live, body);
      assert.equal([job.run.engine, job.run.liveWindow], ['recorded', { propAccountId: live.propAccountId }]);
      const runs = assertReproduced(live, report);
      assert.equal(
        job.liveWindowVerdict,
        { runs: runs.length, decisionsReproduced: runs.length, ordersReproduced: runs.length, divergences: 0, metricsReproduced: true },
        'GET /backtests/:id shows the verdict (BacktestFinished.liveWindow)',
      );
      assert.ok(
        runs.some((r) => r.order?.status === 'executed'),
        'the live runs traded',
      );
      // A perturbed reply fails the worker's job at once (no retry can mend it): artifact_corrupt
      const reply = runs[0]?.reply?.key as string;
      const original = (await live.server.ops.artifacts.get(reply)) as Uint8Array;
      await live.server.ops.artifacts.put(reply, new TextEncoder().encode('{"action":"hold"}'));
      const corrupt = await jobOverHttp(live, body);
      assert.equal([corrupt.status, corrupt.failure?.code, corrupt.attempts], ['failed', 'artifact_corrupt', 1]);
      assert.is(corrupt.liveWindowVerdict, null, 'no verdict for a run that did not finish');
      await live.server.ops.artifacts.put(reply, original);

      // Refusals: nothing appended, each names the field
      const path = `/api/v1/clones/${live.cloneId}/backtests`;
      const refused = async (status: number, payload: Record<string, unknown>, auth = live.owner.auth) => {
        const res = await live.server.call('POST', path, { auth, body: payload });
        assert.is(res.status, status, JSON.stringify(res.body));
        return res.body as { error: { code: string; details: Record<string, unknown> } };
      };
      const stranger = await SessionUser.signIn(live.server, newAccount());
      const other = (await live.owner.call('POST', '/api/v1/clones', { name: 'Other', modelTier: 'basic' })).body as { id: string };
      const db = live.server.ledger.store.db;
      const prop = new PropTrading({
        store: live.server.ledger.store,
        clock: live.server.clock,
        ids: live.server.ledger.ids,
        market: new MarketMemory(db),
      });
      const strategyVersionId = db
        .prepare('SELECT strategy_version_id FROM prop_accounts WHERE account_id = ?')
        .pluck()
        .get(live.propAccountId) as string;
      prop.open({ accountId: 'sandbox-1', cloneId: live.cloneId, strategyVersionId, purpose: 'sandbox' }, 'service:test');
      const before = live.server.ledger.store.headPosition();
      assert.is(codeOf(await refused(403, body, stranger.auth)), 'forbidden');
      const foreign = await live.server.call('POST', `/api/v1/clones/${other.id}/backtests`, { auth: live.owner.auth, body });
      assert.is(foreign.status, 422, JSON.stringify(foreign.body));
      assert.equal((foreign.body as { error: { code: string; details: unknown } }).error, {
        code: 'live_window_refused',
        message: `liveWindow.propAccountId: not a prop account of clone ${other.id}`,
        details: { field: 'liveWindow.propAccountId', reason: 'not_clone_account' },
      });
      const sandbox = await refused(422, { ...body, liveWindow: { propAccountId: 'sandbox-1' } });
      assert.equal([sandbox.error.code, sandbox.error.details.reason], ['live_window_refused', 'not_live_account']);
      const empty = await refused(422, { ...body, from: new Date(live.to + 3_600_000).toISOString() });
      assert.equal([empty.error.code, empty.error.details.reason], ['live_window_refused', 'no_runs']);
      const backwards = await refused(400, { ...body, from: new Date(live.to).toISOString(), to: new Date(live.from).toISOString() });
      assert.equal(backwards.error.details.issues, [{ path: 'json.to', message: 'the window must end after it starts' }]);
      const engine = await refused(400, { ...body, engine: 'rules' });
      assert.equal(engine.error.details.issues, [{ path: 'json.engine', message: 'a live window is re-run with the recorded engine' }]);
      const mixed = await refused(400, { ...body, assets: ['BTC'] });
      assert.equal(mixed.error.details.issues, [{ path: 'json.assets', message: 'not with liveWindow (taken from the live account)' }]);
      // the decision interval is the step: one given was ignored
      const interval = await refused(400, { ...body, decisionIntervalMs: 900_000 });
      assert.equal(interval.error.details.issues, [
        { path: 'json.decisionIntervalMs', message: 'not with liveWindow (taken from the live account)' },
      ]);
      assert.is(live.server.ledger.store.headPosition(), before, 'no refusal appended anything');
    } finally {
      await live.server.stop();
    }
  });

  test('an anthropic audition (the Messages API stub) re-run over HTTP reproduces its replies, refusals and orders without calling the model', async () => {
    const stub = await startAnthropicStub();
    const json = (v: unknown) => JSON.stringify(v);
    const hold = (asset: string) => json({ action: 'hold', asset, confidence: 0.8, reason: `stub hold ${asset}` });
    const open = json({
      action: 'open',
      asset: 'BTC',
      side: 'long',
      notionalUsd: '2000',
      leverage: 2,
      confidence: 0.9,
      exitPlan: { takeProfitPrice: '900000', stopLossPrice: '1000', invalidation: 'stub' },
      reason: 'stub open',
    });
    const close = json({ action: 'close', asset: 'BTC', side: 'long', confidence: 0.9, reason: 'stub close' });
    // Per tick BTC then ETH (one unit at a time): an open, a fenced hold, a prose reply (refused), a low confidence, a close.
    const steps: StubStep[] = [
      { text: open },
      { text: `\`\`\`json\n${hold('ETH')}\n\`\`\`` },
      { text: hold('BTC') },
      { text: `I would hold: ${hold('ETH')}` },
      {
        text: json({
          action: 'increase',
          asset: 'BTC',
          side: 'long',
          notionalUsd: '500',
          leverage: 2,
          confidence: 0.1,
          exitPlan: { takeProfitPrice: '900000', stopLossPrice: '1000', invalidation: 'x' },
          reason: 'timid',
        }),
      },
      { text: hold('ETH') },
      { text: close },
      { text: hold('ETH') },
      { text: json({ action: 'hold', asset: 'SOL', confidence: 0.5, reason: 'wrong asset' }) },
    ];
    stub.script(steps);
    const live = await givenALiveAudition(
      shared,
      {
        DECISION_MODEL_PROVIDER: 'anthropic',
        ANTHROPIC_API_KEY: 'test-key',
        ANTHROPIC_BASE_URL: stub.url,
        ANTHROPIC_MAX_RETRIES: '0',
        DECISION_CONCURRENCY: '1',
      },
      1,
    );
    try {
      const calls = stub.requests.length;
      assert.ok(calls >= steps.length, `${calls} Messages API calls live`);
      const { report } = await rerunOverHttp(live, { liveWindow: { propAccountId: live.propAccountId }, engine: 'recorded' });
      const runs = assertReproduced(live, report);
      assert.is(stub.requests.length, calls, 'the re-run called no model');
      const outcomes = new Set(runs.map((r) => `${r.parse?.status}/${r.verdict}/${r.order?.status ?? '-'}`));
      for (const o of ['valid/accepted/executed', 'extracted/accepted/-', 'refused/refused/-', 'valid/refused/-']) {
        assert.ok(outcomes.has(o), `live runs include ${o}: ${[...outcomes].join(', ')}`);
      }
      assert.ok(report.trades.length >= 1, 'the re-run closed the stub’s trade');
    } finally {
      await live.server.stop();
      await stub.close();
    }
  });
}

test.run();
