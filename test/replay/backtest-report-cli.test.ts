/**
 * The report from the CLI. `clash backtest run --clone ID … --report FILE.html` writes the HTML
 * report of the run it replayed, and `clash backtest report BACKTEST_ID --out FILE.html` writes the
 * same bytes later from the run's summary artifact; every other case of `backtest report` is a
 * named error and writes no file.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { openArtifactStore } from '../../adapters/artifacts/open.ts';
import { BacktestCommands } from '../../commands/backtests/handlers.ts';
import { defaultBacktestPolicy } from '../../commands/backtests/limits.ts';
import type { BacktestReport } from '../../commands/backtests/report.ts';
import { ManualClock, SequentialIds } from '../../core/clock.ts';
import { loadDecisionMarket } from '../../replay/bench/decision-data.ts';
import { cloneCommandsOf } from '../../server/clones.ts';
import { loadConfig } from '../../server/config.ts';
import { openLedger } from '../../server/context.ts';
import { HOUR, runShape, T0 } from '../commands/backtests/fixtures.ts';
import { trendGraph } from '../support/backtest.ts';
import { realRunReport } from '../support/backtest-report-data.ts';
import { clash } from '../support/cli.ts';
import { sharedData } from '../support/prop-trading.ts';
import { tempDir } from '../support/store.ts';

const data = sharedData();
const dir = tempDir();
test.after(() => dir.remove());
const db = dir.file('ledger.db');
const env = { CLASH_ARTIFACTS_URL: `file:${dir.file('artifacts')}`, NODE_ENV: 'test' };
const store = openArtifactStore(env.CLASH_ARTIFACTS_URL);

let round = 0;

/** A ledger with one finished run (its summary, `summary(id)`, in the artifact store) and one still queued. */
async function given(summary: (id: string) => unknown): Promise<{ finished: string; queued: string }> {
  const clock = new ManualClock(T0 + HOUR);
  const ledger = openLedger({ dbPath: db, clock, ids: new SequentialIds(`r${++round}-`), synchronous: 'NORMAL' });
  try {
    const commands = new BacktestCommands({
      store: ledger.store,
      clock,
      ids: ledger.ids,
      policy: defaultBacktestPolicy,
      tierOf: () => 'pro',
    });
    const run = runShape({ assets: ['BTC', 'ETH', 'SOL'] });
    const finished = commands.request('c1', 'u1', run).backtestId;
    const queued = commands.request('c1', 'u1', run).backtestId;
    const key = `backtests/${finished}/summary.json`;
    const report = summary(finished);
    await store.put(key, Buffer.from(JSON.stringify(report)));
    commands.lease(finished, 'w1', 60_000);
    commands.finish(finished, 'w1', (report as BacktestReport).metrics, [{ key, kind: 'summary', expiresAt: null }]);
    return { finished, queued };
  } finally {
    ledger.close();
  }
}

test('given a finished run, when its report is asked for, then the HTML file is written from its summary', async () => {
  if (!data) return;
  const real = realRunReport(data, { days: 1 });
  const { finished } = await given((id) => ({ ...real, backtestId: id }));
  const out = dir.file('report.html');
  const r = await clash(['backtest', 'report', finished, '--db', db, '--out', out, '--json'], undefined, env);
  assert.is(r.code, 0, r.stderr);
  const html = readFileSync(out, 'utf8');
  assert.equal(JSON.parse(r.stdout), { backtestId: finished, file: out, bytes: statSync(out).size });
  assert.ok(html.includes(`<code id="backtest-id">${finished}</code>`));
  assert.is([...html.matchAll(/<tr><td>/g)].length, real.trades.length);
});

test('given a queued run, an unknown id, a summary of another run or a bad field, then a named error and no file', async () => {
  if (!data) return;
  const real = realRunReport(data, { days: 1 });
  const bad = await given((id) => ({ ...real, backtestId: id, trades: [{ ...real.trades[0], side: 'sideways' }] }));
  const other = await given(() => real);
  const out = dir.file('refused.html');
  const cases: [string[], number, string][] = [
    [[bad.queued], 1, `backtest_not_finished: backtest ${bad.queued} is queued`],
    [['nope'], 1, 'not_found: backtest nope not found'],
    [
      [other.finished],
      1,
      `report_data_mismatch: the summary backtests/${other.finished}/summary.json is the report of "${real.backtestId}"`,
    ],
    [[bad.finished], 2, 'validation_failed: backtest report: trades.0.side'],
  ];
  for (const [args, code, message] of cases) {
    const r = await clash(['backtest', 'report', ...args, '--db', db, '--out', out], undefined, env);
    assert.is(r.code, code, r.stderr);
    assert.match(r.stderr, message);
    assert.not.ok(existsSync(out));
  }
  const noOut = await clash(['backtest', 'report', bad.finished, '--db', db], undefined, env);
  assert.is(noOut.code, 2);
  assert.match(noOut.stderr, '--out');
});

test('given a clone, when its run is replayed with --report, then the file is its report, and backtest report writes the same bytes from the ledger', async () => {
  if (!data) return;
  const runDb = dir.file('run.db');
  const ledger = openLedger({ dbPath: runDb, synchronous: 'OFF' });
  const { decisionTime } = loadDecisionMarket(ledger.store.db, data, 16 * 60);
  const clones = cloneCommandsOf(ledger, loadConfig({ NODE_ENV: 'test' }));
  const cloneId = clones.create('u1', 'Trend', 'basic');
  clones.saveDraft(cloneId, 'u1', trendGraph, {});
  ledger.close();
  const [from, to] = [decisionTime - 12 * HOUR, decisionTime - 6 * HOUR].map((t) => new Date(t).toISOString()) as [string, string];
  const fresh = dir.file('run-report.html');
  const run = await clash(
    ['backtest', 'run', '--clone', cloneId, '--from', from, '--to', to, '--db', runDb, '--report', fresh, '--json'],
    undefined,
    env,
  );
  assert.is(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout) as BacktestReport;
  const html = readFileSync(fresh, 'utf8');
  assert.ok(html.includes(`<code id="backtest-id">${report.backtestId}</code>`));
  assert.is([...html.matchAll(/<tr><td>/g)].length, report.trades.length);
  const later = dir.file('later-report.html');
  const again = await clash(['backtest', 'report', report.backtestId, '--db', runDb, '--out', later], undefined, env);
  assert.is(again.code, 0, again.stderr);
  assert.match(again.stdout, `wrote the report of backtest ${report.backtestId} to ${later}`);
  assert.is(readFileSync(later, 'utf8'), html);
  const human = await clash(
    ['backtest', 'run', '--clone', cloneId, '--from', from, '--to', to, '--db', runDb, '--report', fresh],
    undefined,
    env,
  );
  assert.is(human.code, 0, human.stderr);
  assert.match(human.stdout, `report: ${fresh} (`);
});

test.run();
