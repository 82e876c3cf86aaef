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

test('time-ordered event ids: increasing within each writer, unique across two processes appending at once', async () => {
  const path = dir.file('ids.db');
  openWalletStore(path).store.close();
  const startAt = Date.now() + 1500;
  const outputs = await Promise.all(['ids-a', 'ids-b'].map((stream) => output(child(['ids', path, stream, '400', String(startAt)]))));
  assert.equal(outputs, ['done', 'done']);
  const { store } = openWalletStore(path);
  const byStream = new Map<string, string[]>();
  for (const e of store.readAll()) byStream.set(e.streamId, [...(byStream.get(e.streamId) ?? []), e.eventId]);
  store.close();
  const all = [...byStream.values()].flat();
  assert.is(all.length, 802);
  assert.is(new Set(all).size, 802, 'unique across processes');
  for (const [stream, ids] of byStream) {
    for (let i = 1; i < ids.length; i++) assert.ok((ids[i - 1] as string) < (ids[i] as string), `${stream}: ${ids[i - 1]} < ${ids[i]}`);
    assert.ok(
      ids.every((id) => /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(id)),
      'UUIDv7',
    );
  }
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
