/**
 * Copies of the ledger file (core/backup.ts), the snapshot and the restore on the one copy path:
 * each writes a checked copy and leaves no temporary file; each refuses to overwrite what is there;
 * a restore of a file that is not a sound ledger copy leaves nothing at its target.
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkCopy, restoreFile, snapshotInto } from '../../core/backup.ts';
import { openWalletStore, tempDir } from '../support/store.ts';

const dir = tempDir('clash-core-backup-');
test.after(() => dir.remove());

/** The files of the test folder whose name starts with `prefix`, temporary copies included. */
const filesOf = (prefix: string) => readdirSync(dir.path).filter((f) => f.startsWith(prefix) || f.startsWith(`.${prefix}`));

test('a snapshot and its restore: checked copies with the same head, no temporary file left; neither overwrites', () => {
  // Given a ledger of three events
  const { store } = openWalletStore(dir.file('live.db'));
  store.append('wallet-a', [{ type: 'WalletOpened', data: { walletId: 'a', owner: 'o', openedAt: 0 } }]);
  store.append(
    'wallet-a',
    [1, 2].map((i) => ({ type: 'FundsDeposited', data: { walletId: 'a', amount: BigInt(i), memo: '', at: i } })),
  );
  // When it is snapshotted, then restored
  const snapshot = snapshotInto(store.db, dir.file('snap.db'));
  const restored = restoreFile(dir.file('snap.db'), dir.file('back.db'));
  // Then both are sound with the live head, and only the copies are there
  assert.equal([snapshot.integrity, snapshot.head, snapshot.events], ['ok', 3, 3]);
  assert.equal(restored, snapshot);
  assert.equal(checkCopy(dir.file('back.db')).head, 3);
  assert.equal(filesOf('snap'), ['snap.db']);
  assert.equal(filesOf('back'), ['back.db']);
  // And neither overwrites what exists
  assert.throws(
    () => snapshotInto(store.db, dir.file('snap.db')),
    (e: Error & { code?: string }) => e.code === 'backup_exists',
  );
  assert.throws(
    () => restoreFile(dir.file('snap.db'), dir.file('back.db')),
    (e: Error & { code?: string }) => e.code === 'database_exists',
  );
  store.close();
});

test('restoring a file that is not a sound ledger copy: backup_corrupt, nothing at the target, no temporary file', () => {
  // Given a SQLite file without an events table and a file that is not SQLite at all
  const { store } = openWalletStore(dir.file('empty-source.db'));
  store.db.exec('DROP TABLE events');
  store.close();
  writeFileSync(dir.file('garbage.db'), 'not a database');
  // When either is restored: refused, and nothing is left behind
  assert.throws(
    () => restoreFile(dir.file('empty-source.db'), dir.file('target-a.db')),
    (e: Error & { code?: string }) => e.code === 'backup_corrupt' && /no events table/.test(e.message),
  );
  assert.throws(() => restoreFile(dir.file('garbage.db'), dir.file('target-b.db')));
  assert.equal(filesOf('target'), []);
});

test.run();
