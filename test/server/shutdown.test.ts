import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { openWalletStore, tempDir } from '../support/store.ts';

const dir = tempDir();

test('SIGTERM under load: requests in flight finish, every acknowledged deposit is in the log, none other', async () => {
  const path = dir.file('shutdown.db');
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/wallet-server.ts', path], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = once(child, 'exit');
  let out = '';
  child.stdout.on('data', (d) => {
    out += String(d);
  });
  while (!out.includes('\n')) await new Promise((r) => setTimeout(r, 20));
  const url = out.split('\n')[0] as string;
  // open the wallet first so every later request is a plain deposit
  await fetch(`${url}/api/v1/test/wallets/w/deposits`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ amount: '0', memo: '' }),
  });
  const send = () =>
    fetch(`${url}/api/v1/test/wallets/w/deposits`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', connection: 'close' },
      body: JSON.stringify({ amount: '1', memo: '' }),
    })
      .then((r) => r.status)
      .catch(() => 0);
  const inFlight: Promise<number>[] = [];
  for (let i = 0; i < 300; i++) {
    inFlight.push(send());
    if (i === 150) child.kill('SIGTERM');
    if (i % 10 === 0) await new Promise((r) => setImmediate(r));
  }
  const statuses = await Promise.all(inFlight);
  const [code] = (await exited) as [number];
  assert.is(code, 0);
  assert.match(out, /stopped/);
  const acknowledged = statuses.filter((s) => s === 201).length;
  assert.ok(acknowledged > 0, 'some requests were served');
  assert.ok(
    statuses.every((s) => s === 201 || s === 0),
    `only successes or refused connections: ${[...new Set(statuses)]}`,
  );
  const { store } = openWalletStore(path);
  const balance = store.db.prepare('SELECT balance FROM wallet_balances').pluck().get();
  assert.is(balance, String(acknowledged));
  store.close();
});

test.after(() => dir.remove());
test.run();
