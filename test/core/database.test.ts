/**
 * Opening the ledger file (core/database.ts): a writable open keeps savepoints' statement
 * journals in memory (`temp_store=MEMORY`), so a command's savepoint in a decision run or a group
 * commit opens no temp file, and ROLLBACK TO still restores every page it changed.
 */
import { existsSync, readdirSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { openDatabase } from '../../core/database.ts';
import { tempDir } from '../support/store.ts';

const dir = tempDir();
const openFiles = () => readdirSync('/proc/self/fd').length;

test('Given a writable ledger, When a savepoint changes more than 64 KiB of pages, Then its journal opens no file and ROLLBACK TO restores every row', () => {
  if (!existsSync('/proc/self/fd')) {
    console.log('skipped: /proc/self/fd is absent here, so open files cannot be counted');
    return;
  }
  const db = openDatabase(dir.file('savepoint.db'), { synchronous: 'NORMAL' });
  assert.is(db.pragma('temp_store', { simple: true }), 2, 'temp_store=MEMORY');
  db.exec('CREATE TABLE rows (k INTEGER PRIMARY KEY, v TEXT NOT NULL)');
  const insert = db.prepare('INSERT INTO rows VALUES (?, ?)');
  db.transaction(() => {
    for (let k = 0; k < 400; k++) insert.run(k, 'a'.repeat(1000));
  })();
  db.exec('BEGIN IMMEDIATE');
  const before = openFiles();
  db.exec('SAVEPOINT command');
  // 200 rows of 1 kB over about 100 pages: 400 kB of pre-images, past the 64 KiB a file-backed journal keeps in memory.
  db.prepare("UPDATE rows SET v = 'b' WHERE k % 2 = 0").run();
  const during = openFiles();
  db.exec('ROLLBACK TO command; RELEASE command; COMMIT');
  assert.is(during, before, 'no temp file opened for the statement journal');
  assert.is(db.prepare('SELECT count(*) FROM rows WHERE v = ?').pluck().get('a'.repeat(1000)), 400, 'every row as before the savepoint');
  db.close();
});

test('Given a read-only open, Then temp_store stays at SQLite’s default', () => {
  const path = dir.file('read-only.db');
  openDatabase(path).close();
  const db = openDatabase(path, { readonly: true });
  assert.is(db.pragma('temp_store', { simple: true }), 0);
  db.close();
});

test.after(() => dir.remove());
test.run();
