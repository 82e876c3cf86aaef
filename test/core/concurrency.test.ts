import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { openWalletStore, tempDir } from '../support/store.ts';

const dir = tempDir();
const child = (args: string[]) =>
  spawn(process.execPath, ['--import', 'tsx', 'test/support/child-append.ts', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });

async function output(p: ReturnType<typeof child>): Promise<string> {
  let out = '';
  p.stdout?.on('data', (d) => {
    out += String(d);
  });
  await once(p, 'exit');
  return out.trim();
}

test('racing appenders in separate processes: exactly one wins each stream', async () => {
  const path = dir.file('race.db');
  openWalletStore(path).store.close(); // create the schema once
  for (const stream of ['race-1', 'race-2']) {
    const startAt = Date.now() + 1500; // after every child has loaded
    const results = await Promise.all([0, 1, 2, 3].map(() => output(child(['race', path, stream, String(startAt)]))));
    assert.equal(results.filter((r) => r === 'won').length, 1, results.join(','));
    assert.equal(results.filter((r) => r === 'lost').length, 3, results.join(','));
  }
  const { store } = openWalletStore(path);
  assert.is(store.streamVersion('race-1'), 1);
  assert.is(store.headPosition(), 2);
  store.close();
});

test('an async projection killed between append and checkpoint catches up exactly once', async () => {
  const path = dir.file('crash.db');
  const p = child(['crash', path, '200']);
  let seen = '';
  p.stdout?.on('data', (d) => {
    seen += String(d);
  });
  while (!seen.includes('appended')) await new Promise((r) => setTimeout(r, 20));
  while (!seen.includes('at 40\n')) await new Promise((r) => setTimeout(r, 5)); // let it apply some batches
  p.kill('SIGKILL');
  await once(p, 'exit');

  const { store, runner } = openWalletStore(path);
  const before = runner.status().find((s) => s.name === 'wallet_activity');
  assert.ok(before && before.checkpoint < store.headPosition(), `killed midway: checkpoint ${before?.checkpoint}`);
  runner.catchUp('wallet_activity');
  const row = store.db.prepare('SELECT deposits, last_position FROM wallet_activity').get();
  assert.equal(row, { deposits: 200, last_position: 201 }); // each deposit counted once
  assert.is(runner.status().find((s) => s.name === 'wallet_activity')?.lag, 0);
  store.close();
});

test.after(() => dir.remove());
test.run();
