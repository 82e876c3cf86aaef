/**
 * Operator commands while the ledger is in use (doc/runbook.md): a rebuild waits for a writer in
 * another process and succeeds, leaving no shadow tables; read commands never create or change
 * a ledger; a corrupt event row makes verify, stream and rebuild exit 1 naming its position,
 * stream and type, and a failed rebuild cleans up after itself.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { copyFileSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { clash } from '../support/cli.ts';
import { openWalletStore, tempDir } from '../support/store.ts';
import { walletComposition } from '../support/wallet/composition.ts';

const dir = tempDir();
const run = (db: string, ...argv: string[]) => clash([...argv, '--db', db], walletComposition);
const shadows = (db: string) => {
  const { store } = openWalletStore(db);
  const names = store.db.prepare("SELECT name FROM sqlite_master WHERE name LIKE '%__shadow'").all();
  store.close();
  return names;
};
const digest = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

/**
 * A ledger with two wallets and a few deposits, its WAL folded into the main file. The first
 * event is a deposit, whose balance handler reads before it writes: a replay batch then opens
 * its transaction with a read, as product projections do.
 */
function seeded(name: string): string {
  const path = dir.file(name);
  const { store, runner } = openWalletStore(path);
  store.append('wallet-z', [{ type: 'FundsDeposited', data: { walletId: 'z', amount: 1n, memo: '', at: 0 } }]);
  for (const w of ['a', 'b']) {
    store.append(`wallet-${w}`, [{ type: 'WalletOpened', data: { walletId: w, owner: 'o', openedAt: 0 } }]);
    store.append(`wallet-${w}`, [{ type: 'FundsDeposited', data: { walletId: w, amount: 5n, memo: '', at: 1 } }]);
  }
  runner.catchUpAll();
  store.db.pragma('wal_checkpoint(TRUNCATE)');
  store.close();
  return path;
}

test('rebuild while another process writes steadily: it waits for the writer, succeeds, and leaves no shadow tables', async () => {
  const db = seeded('load.db');
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/child-append.ts', 'steady', db, '4000'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (d) => {
    out += String(d);
  });
  const exited = once(child, 'exit');
  let done = false;
  exited.then(() => {
    done = true;
  });
  while (!out.includes('writing') && !done) await new Promise((r) => setTimeout(r, 20));
  const results = [];
  while (!done) {
    results.push(await run(db, 'projections', 'rebuild', '--json'));
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.equal(
    results.filter((r) => r.code !== 0).map((r) => r.stderr),
    [],
  );
  // the heads the rebuilds reached moved on from first to last: the child wrote while they ran
  const positions = results.map((r) => JSON.parse(r.stdout)[0].position as number);
  assert.ok(positions.length >= 3, `${positions.length} rebuilds ran while the child wrote`);
  assert.ok((positions[0] as number) < (positions.at(-1) as number), `heads ${positions.join(', ')}`);
  const writes = Number(out.trim().split('\n').at(-1));
  assert.ok(writes > 0, `the child wrote ${writes} appends`);
  assert.equal(shadows(db), []);
  const verify = await run(db, 'projections', 'verify');
  assert.is(verify.code, 0, verify.stdout);
});

test('read commands never create a ledger in an empty file, and leave a ledger file unchanged', async () => {
  const empty = dir.file('empty.db');
  writeFileSync(empty, '');
  for (const argv of [
    ['events', 'stats'],
    ['events', 'tail'],
    ['projections', 'status'],
    ['projections', 'verify'],
  ]) {
    const r = await run(empty, ...argv);
    assert.is(r.code, 1, `${argv.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /is not a ledger/);
    assert.is(statSync(empty).size, 0, `${argv.join(' ')} wrote into the empty file`);
  }
  const copy = dir.file('copy.db');
  copyFileSync(seeded('original.db'), copy);
  const before = digest(copy);
  for (const argv of [
    ['events', 'stats'],
    ['events', 'stream', 'wallet-a'],
    ['projections', 'status'],
    ['projections', 'verify'],
  ]) {
    const r = await run(copy, ...argv);
    assert.is(r.code, 0, `${argv.join(' ')}: ${r.stderr}`);
  }
  assert.is(digest(copy), before);
});

test('a corrupt event row: verify, stream and rebuild exit 1 naming position, stream and type; no shadow tables remain', async () => {
  const db = seeded('corrupt.db');
  const { store } = openWalletStore(db);
  // corrupt a row the projections have already read, as a bad disk or a hand edit would
  // (the append-only trigger is lifted for the edit and put back)
  store.db.exec(`DROP TRIGGER events_append_only_update;
    UPDATE events SET data = '{"walletId":"a","amount":"lots","memo":"","at":1}' WHERE position = 3;`);
  store.close();
  openWalletStore(db).store.close();
  for (const argv of [
    ['projections', 'verify'],
    ['events', 'stream', 'wallet-a'],
    ['projections', 'rebuild'],
    ['events', 'tail'],
  ]) {
    const r = await run(db, ...argv);
    assert.is(r.code, 1, `${argv.join(' ')} exits 1`);
    assert.match(r.stderr, /event_corrupt: event at position 3 \(stream wallet-a, type FundsDeposited\)/, argv.join(' '));
  }
  assert.equal(shadows(db), [], 'the failed rebuild dropped its shadow tables');
});

test.run();
