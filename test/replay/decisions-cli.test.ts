/**
 * `clash decisions …` over a ledger file: pause and resume a clone and an engine (recorded on
 * `decision-controls-main`, refused when already in that state or when the clone does not
 * exist), list the pauses; `run-once`
 * for a clone with no running account is a 404 naming it; the decision dead letters are the
 * `decisions` worker's parked units only, and another worker's unit is refused by retry.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CloneCommands } from '../../commands/clones/handlers.ts';
import { CONTROLS_STREAM } from '../../commands/decisions/controls.ts';
import { tiers } from '../../commands/entitlements/tiers.ts';
import { openDatabase } from '../../core/database.ts';
import { defaultRetryPolicy } from '../../core/operations/retry.ts';
import { WorkUnits } from '../../core/operations/work-units.ts';
import { openLedger } from '../../server/context.ts';
import { clash } from '../support/cli.ts';
import { tempDir } from '../support/store.ts';

const dir = tempDir('clash-decisions-cli-');
const path = dir.file('ledger.db');
const setup = openLedger({ dbPath: path });
const cloneId = new CloneCommands({ ...setup, limitsOf: () => tiers.starter }).create('user-1', 'Paused', 'basic');
setup.close();
const env = { NODE_ENV: 'test', CLASH_ARTIFACTS_URL: 'memory:', LOG_LEVEL: 'silent' };

test('pause and resume a clone and an engine; the pauses in force; a second pause is refused', async () => {
  const paused = await clash(['decisions', 'pause', '--clone', cloneId, '--reason', 'odd fills', '--db', path], undefined, env);
  assert.is(paused.code, 0, paused.stderr);
  assert.match(paused.stdout, `paused clone ${cloneId}; 1 pause(s) in force`);
  const typo = await clash(['decisions', 'pause', '--clone', 'clone-7', '--reason', 'odd fills', '--db', path], undefined, env);
  assert.is(typo.code, 1);
  assert.match(typo.stderr, 'clone_not_found');
  assert.is((await clash(['decisions', 'pause', '--source', 'anthropic', '--reason', 'incident', '--db', path], undefined, env)).code, 0);
  const again = await clash(['decisions', 'pause', '--clone', cloneId, '--reason', 'twice', '--db', path], undefined, env);
  assert.is(again.code, 1);
  assert.match(again.stderr, 'already_paused');
  const both = await clash(['decisions', 'pause', '--clone', 'x', '--source', 'rules', '--reason', 'r', '--db', path], undefined, env);
  assert.is(both.code, 2);
  assert.match(both.stderr, '--clone: give --clone or --source, not both');
  const bad = await clash(['decisions', 'pause', '--source', 'gpt', '--reason', 'r', '--db', path], undefined, env);
  assert.is(bad.code, 2);
  assert.match(bad.stderr, '--source');
  const listed = await clash(['decisions', 'pauses', '--json', '--db', path], undefined, env);
  assert.equal(
    (JSON.parse(listed.stdout) as { scope: string; target: string; by: string }[]).map((p) => [p.scope, p.target, p.by]),
    [
      ['clone', cloneId, 'operator:cli'],
      ['source', 'anthropic', 'operator:cli'],
    ],
  );
  assert.is((await clash(['decisions', 'resume', '--clone', cloneId, '--reason', 'checked', '--db', path], undefined, env)).code, 0);
  const ledger = openLedger({ dbPath: path });
  try {
    assert.equal(
      ledger.store.readStream(CONTROLS_STREAM).map((e) => e.type),
      ['DecisionsPaused', 'DecisionsPaused', 'DecisionsResumed'],
    );
  } finally {
    ledger.close();
  }
});

test('run-once for a clone without a running account is a 404 naming it', async () => {
  const run = await clash(['decisions', 'run-once', '--clone', 'nobody', '--force', '--db', path], undefined, env);
  assert.is(run.code, 1);
  assert.match(run.stderr, 'nobody');
});

test("decision dead letters: the decisions worker's parked units only; another worker's unit is refused", async () => {
  const db = openDatabase(path);
  const units = new WorkUnits(db, { ...defaultRetryPolicy, maxAttempts: 1 });
  const fail = () => {
    throw new Error('engine down');
  };
  await units.run('decisions', { id: 'acc BTC 60000', orderingKey: null, position: null, description: 'decision run' }, 1, fail);
  await units.run('competition', { id: 'handoff:1', orderingKey: null, position: null, description: 'hand-off' }, 1, fail);
  const [mine, theirs] = units.list();
  db.close();
  const list = await clash(['decisions', 'dead-letters', 'list', '--json', '--db', path], undefined, env);
  assert.equal(
    (JSON.parse(list.stdout) as { worker: string; unit: string }[]).map((u) => [u.worker, u.unit]),
    [['decisions', 'acc BTC 60000']],
  );
  const refused = await clash(['decisions', 'dead-letters', 'retry', String(theirs?.seq), '--db', path], undefined, env);
  assert.is(refused.code, 2);
  assert.match(refused.stderr, 'not a unit of the decisions worker');
  const retried = await clash(['decisions', 'dead-letters', 'retry', String(mine?.seq), '--json', '--db', path], undefined, env);
  assert.is(retried.code, 0, retried.stderr);
  assert.is((JSON.parse(retried.stdout) as { state: string }).state, 'retrying');
  assert.is((await clash(['decisions', 'dead-letters', 'discard', String(mine?.seq), '--db', path], undefined, env)).code, 0);
});

test.after(() => dir.remove());
test.run();
