/**
 * Backups (issue 10 and 15): a copy taken under steady writes from another process is a
 * committed prefix of the live log; a restore refuses to overwrite a database; the drill passes
 * on a healthy backup and fails on a tampered one; backups go to a real S3-compatible server.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { openArtifactStore } from '../../adapters/artifacts/open.ts';
import { openDatabase } from '../../core/database.ts';
import { BackupCatalog, backupKey, latestBackupKey } from '../../core/operations/backup-catalog.ts';
import { clash } from '../support/cli.ts';
import { startS3Server } from '../support/s3rver.ts';
import { openWalletStore, tempDir } from '../support/store.ts';
import { walletComposition } from '../support/wallet/composition.ts';

const dir = tempDir('clash-backup-');

/** The rows of the events table up to `head`, as stored. */
const log = (path: string, head: number) => {
  const db = new Database(path, { readonly: true });
  const rows = db.prepare('SELECT * FROM events WHERE position <= ? ORDER BY position').all(head);
  db.close();
  return rows;
};

function ledgerWith(name: string, deposits: number): string {
  const path = dir.file(name);
  const { store, runner } = openWalletStore(path);
  store.append('wallet-a', [{ type: 'WalletOpened', data: { walletId: 'a', owner: 'o', openedAt: 0 } }]);
  for (let i = 1; i <= deposits; i++)
    store.append('wallet-a', [{ type: 'FundsDeposited', data: { walletId: 'a', amount: BigInt(i), memo: '', at: i } }]);
  runner.catchUpAll();
  store.close();
  return path;
}

test('clash backup under steady writes from another process: a checked copy whose log is a prefix of the live one', async () => {
  const path = ledgerWith('busy.db', 2000);
  const writer = spawn(process.execPath, ['--import', 'tsx', 'test/support/child-append.ts', 'steady', path, '2500'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  writer.stdout.on('data', (d) => {
    out += String(d);
  });
  while (!out.includes('writing')) await new Promise((resolve) => setTimeout(resolve, 20));
  const copies = [];
  for (let i = 0; i < 3; i++) {
    const to = dir.file(`busy-${i}.db`);
    const run = await clash(['backup', '--db', path, '--out', to, '--json'], walletComposition);
    assert.is(run.code, 0, run.stderr);
    copies.push({ to, ...(JSON.parse(run.stdout) as { head: number; integrity: string }) });
  }
  await new Promise((resolve) => writer.once('exit', resolve));
  assert.match(out, /writing\n\d+\n/);
  const liveHead = log(path, Number.MAX_SAFE_INTEGER).length;
  for (const copy of copies) {
    assert.is(copy.integrity, 'ok');
    assert.ok(copy.head > 2000 && copy.head <= liveHead, `head ${copy.head} of ${liveHead}`);
    assert.equal(log(copy.to, copy.head), log(path, copy.head), 'the copy is the live log up to its head');
    assert.is(log(copy.to, Number.MAX_SAFE_INTEGER).length, copy.head, 'and nothing else');
  }
  // It never overwrites an existing file, and leaves no partial file behind
  const again = await clash(['backup', '--db', path, '--out', copies[0]?.to ?? ''], walletComposition);
  assert.is(again.code, 2);
  assert.match(again.stderr, /refusing to overwrite a backup/);
});

test('clash restore: refuses to overwrite a database; restores a checked copy to a new path', async () => {
  const path = ledgerWith('restore-src.db', 10);
  const backup = dir.file('restore.bak');
  assert.is((await clash(['backup', '--db', path, '--out', backup], walletComposition)).code, 0);
  const refused = await clash(['restore', '--from', backup, '--db', path], walletComposition);
  assert.is(refused.code, 1);
  assert.match(refused.stderr, /database_exists: .* exists; refusing to overwrite a database/);
  writeFileSync(dir.file('garbage.bak'), 'not a database at all, just some bytes'.repeat(200));
  const garbage = await clash(['restore', '--from', dir.file('garbage.bak'), '--db', dir.file('never.db')], walletComposition);
  assert.is(garbage.code, 1);
  assert.not.ok(existsSync(dir.file('never.db')), 'nothing is left at the target');
  // a file path that does not exist is named as a missing file, not taken for an artifact key
  const missing = await clash(['restore', '--from', dir.file('missing.bak'), '--db', dir.file('never.db')], walletComposition);
  assert.is(missing.code, 2);
  assert.match(missing.stderr, /--from: no such file .*missing\.bak/);
  const restored = await clash(['restore', '--from', backup, '--db', dir.file('restored.db'), '--json'], walletComposition);
  assert.is(restored.code, 0, restored.stderr);
  assert.equal(JSON.parse(restored.stdout).head, 11);
  assert.equal(log(dir.file('restored.db'), 11), log(path, 11));
});

test('backup drill: passes on a healthy backup, fails naming the check on a tampered one', async () => {
  const path = ledgerWith('drill.db', 25);
  const store = `file:${dir.file('artifacts')}`;
  // CLASH_DB names the scratch ledger: the drill's trusted key is the development key beside it,
  // never the one `npm start` leaves in the repository's ./data/clash.dev
  const env = { CLASH_ARTIFACTS_URL: store, CLASH_DB: path };
  const taken = await clash(['backup', '--db', path, '--json'], walletComposition, env);
  assert.is(taken.code, 0, taken.stderr);
  const record = JSON.parse(taken.stdout) as { key: string; head: number };
  assert.is(record.head, 26);
  const pass = await clash(['backup', 'drill', '--json'], walletComposition, env);
  assert.is(pass.code, 0, pass.stdout + pass.stderr);
  const report = JSON.parse(pass.stdout) as {
    ok: boolean;
    key: string;
    results: { check: string; ok: boolean; figures: Record<string, unknown> }[];
  };
  assert.is(report.key, record.key);
  assert.equal(
    report.results.map((r) => [r.check, r.ok]),
    [
      ['restore', true],
      ['projections verify', true],
      ['journals', true],
      ['ledger verify', true],
    ],
  );
  assert.match(String(report.results[3]?.figures.skipped), 'no trusted ledger key');
  assert.equal([report.results[0]?.figures.head, report.results[0]?.figures.events], [26, 26]);
  // Given a later backup whose read model was edited (a balance changed outside the engine)
  const tampered = dir.file('tampered.db');
  assert.is((await clash(['restore', '--from', path, '--db', tampered], walletComposition)).code, 0);
  const db = new Database(tampered);
  db.prepare("UPDATE wallet_balances SET balance = '1' WHERE wallet_id = 'a'").run();
  db.close();
  const objects = openArtifactStore(store);
  await objects.put(backupKey(Date.UTC(2099, 0, 1), 26), readFileSync(tampered));
  // When the drill runs on the latest backup: it fails, saying which check and where
  const fail = await clash(['backup', 'drill'], walletComposition, env);
  assert.is(fail.code, 1);
  assert.match(fail.stdout, /FAIL/);
  assert.match(fail.stdout, /FAIL projections verify: .*differing 1.*firstDifference wallet_balances: wallet_balances/);
  // A backup whose bytes are not a database fails at the restore
  await objects.put(backupKey(Date.UTC(2099, 0, 2), 26), new TextEncoder().encode('x'.repeat(5000)));
  const corrupt = await clash(['backup', 'drill'], walletComposition, env);
  assert.is(corrupt.code, 1);
});

test('scheduled backups into an S3-compatible store (s3rver): recorded with their head, pruned to the retention, drilled', async () => {
  const s3 = await startS3Server('clash-backups');
  try {
    const path = ledgerWith('s3.db', 5);
    const store = openArtifactStore(`s3://${s3.bucket}/prod`, s3.options);
    const db = openDatabase(path);
    const catalog = new BackupCatalog(db, store);
    const t = Date.UTC(2026, 0, 5);
    const first = await catalog.take(t);
    await catalog.take(t + 3_600_000);
    const third = await catalog.take(t + 7_200_000);
    assert.equal([first.head, first.events, first.key], [6, 6, 'backups/2026-01-05T00-00-00.000Z-head-6.sqlite']);
    assert.equal(await catalog.prune(2), [first.key], 'the oldest goes beyond the retention');
    assert.is(await latestBackupKey(store), third.key);
    assert.equal(catalog.latestRecorded()?.key, third.key);
    await catalog.download(third.key, dir.file('from-s3.db'));
    assert.equal(log(dir.file('from-s3.db'), 6), log(path, 6));
    db.close();
    const env = {
      CLASH_ARTIFACTS_URL: `s3://${s3.bucket}/prod`,
      CLASH_S3_ENDPOINT: s3.options.endpoint ?? '',
      CLASH_S3_ACCESS_KEY_ID: 'S3RVER',
      CLASH_S3_SECRET_ACCESS_KEY: 'S3RVER',
    };
    const drill = await clash(['backup', 'drill'], walletComposition, env);
    assert.is(drill.code, 0, drill.stdout + drill.stderr);
    assert.match(drill.stdout, new RegExp(`drill of s3://${s3.bucket}/prod ${third.key.replaceAll('.', '\\.')}: PASS`));
  } finally {
    await s3.close();
  }
});

test.after(() => dir.remove());
test.run();
