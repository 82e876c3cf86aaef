/**
 * `clash backtest run`: Given the recorded market in a ledger file, When a strategy file is
 * replayed with --json, Then the report data is printed (valid, one sample per step, the same
 * bytes on a second run: determinism end to end); When a clone's run is asked, Then it is a job
 * of the clone recorded from request to finish (or to its failure, when its engine cannot run);
 * a run over the clone's limits exits 1 naming the limit; bad flags exit 2 naming the flag.
 */
import { writeFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { zBacktestReport } from '../../commands/backtests/report.ts';
import { backtestsOfClone } from '../../projections/backtests/backtests.ts';
import { loadDecisionMarket } from '../../replay/bench/decision-data.ts';
import { cloneCommandsOf } from '../../server/clones.ts';
import { loadConfig } from '../../server/config.ts';
import { openLedger } from '../../server/context.ts';
import { startAnthropicStub } from '../support/anthropic-stub.ts';
import { trendGraph } from '../support/backtest.ts';
import { clash } from '../support/cli.ts';
import { sharedData } from '../support/prop-trading.ts';
import { tempDir } from '../support/store.ts';

const shared = sharedData();
const dir = tempDir('clash-bt-cli-');
const HOUR = 3_600_000;

if (shared) {
  const db = dir.file('ledger.db');
  const ledger = openLedger({ dbPath: db, synchronous: 'OFF' });
  const { decisionTime } = loadDecisionMarket(ledger.store.db, shared, 16 * 60);
  const clones = cloneCommandsOf(ledger, loadConfig({ NODE_ENV: 'test' }));
  const cloneId = clones.create('u1', 'Trend', 'basic');
  clones.saveDraft(cloneId, 'u1', trendGraph, {});
  ledger.close();
  const from = new Date(decisionTime - 12 * HOUR).toISOString();
  const to = new Date(decisionTime - 6 * HOUR).toISOString();
  const strategy = dir.file('strategy.json');
  writeFileSync(strategy, JSON.stringify({ graph: trendGraph }));
  const env = { NODE_ENV: 'test', CLASH_ARTIFACTS_URL: `file:${dir.file('artifacts')}` };

  test('--strategy FILE --json: the report data, one sample per step, the same bytes twice', async () => {
    const args = ['backtest', 'run', '--strategy', strategy, '--from', from, '--to', to, '--assets', 'BTC,ETH', '--db', db, '--json'];
    const first = await clash(args, undefined, env);
    assert.is(first.code, 0, first.stderr);
    const report = zBacktestReport.parse(JSON.parse(first.stdout));
    assert.is(report.equity.length, 6 * 12 + 1);
    assert.equal([report.step, report.engine, report.assets], ['5m', 'rules', ['BTC', 'ETH']]);
    const second = await clash(args, undefined, env);
    const strip = (s: string) => s.replace(/"backtestId": "[^"]+"/, '');
    assert.is(strip(second.stdout), strip(first.stdout));
  });

  test('--clone: a job of the clone, requested, leased, progressed and finished; the metrics printed', async () => {
    const run = await clash(['backtest', 'run', '--clone', cloneId, '--from', from, '--to', to, '--db', db], undefined, env);
    assert.is(run.code, 0, run.stderr);
    assert.match(run.stdout, /total return/);
    assert.match(run.stdout, /sharpe \/ sortino \/ calmar/);
    const check = openLedger({ dbPath: db, readonly: true });
    const [job] = backtestsOfClone(check.store.db, cloneId, 10);
    assert.equal([job?.status, job?.attempts, job?.run.assets], ['finished', 1, ['BTC', 'ETH']]);
    assert.ok(job?.metrics);
    check.close();
  });

  test('--engine anthropic asks the configured Messages API (ANTHROPIC_API_KEY, ANTHROPIC_BASE_URL) at each decision', async () => {
    const stub = await startAnthropicStub();
    try {
      stub.script([{ text: JSON.stringify({ action: 'hold', asset: 'BTC', confidence: 0.7, reason: 'stub hold' }) }]);
      const args = ['backtest', 'run', '--strategy', strategy, '--from', from, '--to', to, '--assets', 'BTC', '--engine', 'anthropic'];
      const run = await clash([...args, '--decide-every', '2h', '--db', db, '--json'], undefined, {
        ...env,
        ANTHROPIC_API_KEY: 'test-key',
        ANTHROPIC_BASE_URL: stub.url,
        ANTHROPIC_MAX_RETRIES: '0',
      });
      assert.is(run.code, 0, run.stderr);
      assert.is(zBacktestReport.parse(JSON.parse(run.stdout)).engine, 'anthropic');
      assert.is(stub.requests.length, 3, '6 hours / 2 hours, one asset');
      const keyless = await clash([...args, '--db', db], undefined, env);
      assert.is(keyless.code, 1);
      assert.match(keyless.stderr, /engine_not_configured/);
    } finally {
      await stub.close();
    }
  });

  test('--clone whose engine cannot run: exit 1 naming why, and the leased job is failed with that code (not left running)', async () => {
    const run = await clash(
      ['backtest', 'run', '--clone', cloneId, '--from', from, '--to', to, '--engine', 'anthropic', '--db', db],
      undefined,
      env,
    );
    assert.is(run.code, 1);
    assert.match(run.stderr, /engine_not_configured/);
    const check = openLedger({ dbPath: db, readonly: true });
    const [job] = backtestsOfClone(check.store.db, cloneId, 10);
    assert.equal([job?.status, job?.run.engine, job?.failure?.code], ['failed', 'anthropic', 'engine_not_configured']);
    check.close();
  });

  test('a clone run over its limits exits 1 naming the limit; bad flags exit 2 naming the flag', async () => {
    const long = await clash(
      ['backtest', 'run', '--clone', cloneId, '--from', new Date(decisionTime - 14 * HOUR).toISOString(), '--to', to, '--db', db],
      undefined,
      env,
    );
    assert.is(long.code, 1);
    assert.match(long.stderr, /replay_steps/);
    const both = await clash(
      ['backtest', 'run', '--clone', cloneId, '--strategy', strategy, '--from', from, '--to', to, '--db', db],
      undefined,
      env,
    );
    assert.is(both.code, 2);
    assert.match(both.stderr, /--clone/);
    const step = await clash(
      ['backtest', 'run', '--strategy', strategy, '--from', from, '--to', to, '--step', '7s', '--db', db],
      undefined,
      env,
    );
    assert.is(step.code, 2);
    assert.match(step.stderr, /--step/);
    const prose = dir.file('prose.txt');
    writeFileSync(prose, 'a strategy, in words');
    for (const [file, message] of [
      ['/dev/zero', /--strategy: \/dev\/zero is larger than 4194304 bytes/],
      [prose, /--strategy: .*prose\.txt is not JSON/],
    ] as const) {
      const refused = await clash(['backtest', 'run', '--strategy', file, '--from', from, '--to', to, '--db', db], undefined, env);
      assert.is(refused.code, 2, refused.stderr);
      assert.match(refused.stderr, message);
    }
  });
}

test.after(() => dir.remove());
test.run();
