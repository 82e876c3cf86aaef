import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CommandHandler } from '../../core/decider.ts';
import { commands } from '../../replay/main.ts';
import { clash } from '../support/cli.ts';
import { openWalletStore, tempDir } from '../support/store.ts';
import { walletComposition } from '../support/wallet/composition.ts';
import { walletDecider } from '../support/wallet/decider.ts';

const dir = tempDir();
const db = dir.file('cli.db');
const run = (...argv: string[]) => clash([...argv, '--db', db], walletComposition);

test.before(() => {
  const { store, runner, clock } = openWalletStore(db);
  const h = new CommandHandler(store, walletDecider);
  for (const w of ['a', 'b']) {
    h.handle({ streamId: `wallet-${w}`, command: { type: 'OpenWallet', walletId: w, owner: 'o', at: 0 } });
    for (let i = 1; i <= 5; i++) {
      clock.advance(60_000);
      h.handle({ streamId: `wallet-${w}`, command: { type: 'Deposit', walletId: w, amount: BigInt(i), memo: '', at: i } });
    }
  }
  runner.catchUpAll();
  store.close();
});

test('events stats, tail and stream, human and --json', async () => {
  const stats = await run('events', 'stats', '--json');
  assert.is(stats.code, 0);
  const s = JSON.parse(stats.stdout);
  assert.is(s.events, 12);
  assert.is(s.streams, 2);
  assert.equal(s.byCategory, [{ category: 'wallet', streams: 2, events: 12 }]);
  const human = await run('events', 'stats');
  assert.match(human.stdout, /12 events in 2 streams, head 12/);
  const tail = JSON.parse((await run('events', 'tail', '--from', '11', '--json')).stdout);
  assert.equal(
    tail.map((e: { position: number }) => e.position),
    [11, 12],
  );
  assert.is(tail[0].data.amount, '4'); // bigints printed as decimal strings
  const last = JSON.parse((await run('events', 'tail', '--limit', '3', '--json')).stdout);
  assert.equal(
    last.map((e: { position: number }) => e.position),
    [10, 11, 12],
  );
  const stream = await run('events', 'stream', 'wallet-a');
  assert.is(stream.stdout.trim().split('\n').length, 6);
  assert.match(stream.stdout, /wallet-a@6 FundsDeposited/);
});

test('projections status, rebuild and verify; verify exits 1 naming the tampered row', async () => {
  const status = JSON.parse((await run('projections', 'status', '--json')).stdout);
  assert.equal(
    status.map((p: { name: string; lag: number }) => [p.name, p.lag]),
    [
      ['wallet_balances', 0],
      ['wallet_activity', 0],
    ],
  );
  const rebuilt = await run('projections', 'rebuild', 'wallet_balances', '--json');
  assert.is(rebuilt.code, 0);
  assert.equal(JSON.parse(rebuilt.stdout)[0].rows, { wallet_balances: 2 });
  assert.is((await run('projections', 'verify')).code, 0);
  const { store } = openWalletStore(db);
  store.db.prepare(`UPDATE wallet_balances SET balance = '7' WHERE wallet_id = 'b'`).run();
  store.close();
  const verify = await run('projections', 'verify');
  assert.is(verify.code, 1);
  assert.match(verify.stdout, /DIFFERS wallet_balances at position 12: table wallet_balances row \{"wallet_id":"b"\}/);
  assert.match(verify.stdout, /ok {6}wallet_activity/);
  assert.is((await run('projections', 'rebuild')).code, 0);
  assert.is((await run('projections', 'verify', '--json')).code, 0);
  const unknown = await run('projections', 'verify', 'nope');
  assert.is(unknown.code, 2);
  assert.match(unknown.stderr, /unknown projection nope/);
});

test('replay --to a position or a time, for a stream or for every projection', async () => {
  const one = JSON.parse((await run('replay', '--to', '4', '--stream', 'wallet-a', '--json')).stdout);
  assert.equal(one, { position: 4, stream: 'wallet-a', version: 4, events: 4, state: { open: true, balance: '6', events: 4 } });
  // the clock started at 2026-01-01T00:00Z and moved a minute before each deposit
  const byTime = JSON.parse((await run('replay', '--to', '2026-01-01T00:02:30Z', '--stream', 'wallet-a', '--json')).stdout);
  assert.is(byTime.position, 3);
  const out = dir.file('as-of.db');
  const all = JSON.parse((await run('replay', '--to', '7', '--out', out, '--json')).stdout);
  assert.equal(
    all.tables.map((t: { table: string; rows: number }) => [t.table, t.rows]),
    [
      ['wallet_balances', 2],
      ['wallet_activity', 1],
    ],
  );
  const { store } = openWalletStore(out);
  assert.equal(store.db.prepare('SELECT wallet_id, balance FROM wallet_balances ORDER BY wallet_id').all(), [
    { wallet_id: 'a', balance: '15' },
    { wallet_id: 'b', balance: '0' },
  ]);
  store.close();
});

test('backup writes a consistent copy with the same head and refuses to overwrite', async () => {
  const out = dir.file('backup.db');
  const r = await run('backup', '--out', out, '--json');
  assert.is(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).integrity, 'ok');
  assert.is(JSON.parse(r.stdout).head, 12);
  assert.is((await clash(['projections', 'verify', '--db', out], walletComposition)).code, 0);
  const again = await run('backup', '--out', out);
  assert.is(again.code, 2);
  assert.match(again.stderr, /refusing to overwrite/);
});

test('bad usage exits 2 naming the flag or argument; a missing ledger is not created', async () => {
  const r1 = await run('events', 'tail', '--limit', 'lots');
  assert.is(r1.code, 2);
  assert.match(r1.stderr, /--limit/);
  const r2 = await run('replay', '--to', 'yesterday');
  assert.is(r2.code, 2);
  assert.match(r2.stderr, /--to: a global position or an ISO-8601 time/);
  const r3 = await run('events', 'stats', '--bogus');
  assert.is(r3.code, 2);
  assert.match(r3.stderr, /bogus/);
  const r4 = await clash(['events', 'stats', '--db', dir.file('absent.db')]);
  assert.is(r4.code, 2);
  assert.match(r4.stderr, /no ledger at/);
  const r5 = await clash(['frobnicate']);
  assert.is(r5.code, 2);
  assert.match(r5.stdout, /usage: clash/);
  assert.match(r5.stderr, /unknown command: frobnicate \(clash --help/);
  const r6 = await clash(['events', 'count', '--db', db]);
  assert.is(r6.code, 2);
  assert.match(r6.stderr, /unknown command: events count /);
});

test('given every registered command, when asked for --help, then each is listed with its usage and summary', async () => {
  const r = await clash(['--help']);
  assert.is(r.code, 0);
  assert.ok(commands.length >= 17);
  for (const c of commands) {
    assert.ok(r.stdout.includes(`  ${c.usage}\n      ${c.summary}`), `clash --help lists ${c.words.join(' ')}`);
    assert.ok(c.usage.startsWith(`clash ${c.words.join(' ')}`), `${c.words.join(' ')}: usage starts with its words`);
  }
  for (const words of ['race show', 'audit race', 'economy reconcile']) assert.match(r.stdout, `clash ${words} `);
});

test('given a writer holding commits in the WAL, when events stats runs, then the size counts the database, WAL and shared memory', async () => {
  const { store, clock } = openWalletStore(db);
  try {
    clock.advance(60_000);
    new CommandHandler(store, walletDecider).handle({
      streamId: 'wallet-a',
      command: { type: 'Deposit', walletId: 'a', amount: 1n, memo: 'in the WAL', at: 0 },
    });
    const r = await run('events', 'stats', '--json');
    assert.is(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout) as { bytes: number; files: { db: number; wal: number; shm: number } };
    const size = (f: string) => statSync(f).size;
    assert.equal(s.files, { db: size(db), wal: size(`${db}-wal`), shm: size(`${db}-shm`) });
    assert.ok(s.files.wal > 0, 'the open writer keeps its commit in the WAL');
    assert.is(s.bytes, s.files.db + s.files.wal + s.files.shm);
    assert.match((await run('events', 'stats')).stdout, /, \d+ bytes \(database \d+, WAL \d+, shared memory \d+\)/);
  } finally {
    store.close();
  }
});

test('the real executable: `clash --help`, and a bad environment variable stops serve naming it', () => {
  const help = spawnSync(process.execPath, ['replay/bin.mjs', '--help'], { encoding: 'utf8' });
  assert.is(help.status, 0);
  assert.match(help.stdout, /clash projections verify/);
  const bad = spawnSync(process.execPath, ['replay/bin.mjs', 'serve', '--db', dir.file('x.db')], {
    encoding: 'utf8',
    env: { ...process.env, PORT: 'eighty', CLASH_SYNCHRONOUS: 'SOMETIMES', CLASH_SERVE_WORKERS: 'projections,bogus' },
  });
  assert.is(bad.status, 2);
  assert.match(bad.stderr, /PORT="eighty"/);
  assert.match(bad.stderr, /CLASH_SYNCHRONOUS="SOMETIMES"/);
  assert.match(bad.stderr, /CLASH_SERVE_WORKERS="projections,bogus": .*bogus/);
});

test('the real executable: a reader that stops early (`| head -1`) ends it quietly, with no stack trace', () => {
  const piped = spawnSync('bash', ['-c', 'set -o pipefail; node replay/bin.mjs events catalog --json | head -1 >/dev/null'], {
    encoding: 'utf8',
  });
  assert.is(piped.status, 0, piped.stderr);
  assert.is(piped.stderr, '');
});

test.after(() => dir.remove());
test.run();
