/** Statements prepared once per connection (core/statements.ts). */
import Database from 'better-sqlite3';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { prepared } from '../../core/statements.ts';

test('Given one connection, When the same SQL is asked for twice, Then it is prepared once and the statement kept', () => {
  const db = new Database(':memory:');
  db.exec('CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER)');
  const insert = prepared(db, 'INSERT INTO t (k, v) VALUES (?, ?)');
  assert.is(prepared(db, 'INSERT INTO t (k, v) VALUES (?, ?)'), insert);
  insert.run('a', 1);
  const read = prepared<[string], { v: number }>(db, 'SELECT v FROM t WHERE k = ?');
  assert.is.not(read, insert);
  assert.equal(read.get('a'), { v: 1 });
  db.close();
});

test('Given two connections, When each asks for the same SQL, Then each gets a statement of its own', () => {
  const one = new Database(':memory:');
  const two = new Database(':memory:');
  for (const [db, v] of [
    [one, 1],
    [two, 2],
  ] as const) {
    db.exec('CREATE TABLE t (v INTEGER)');
    db.prepare('INSERT INTO t VALUES (?)').run(v);
  }
  const a = prepared<[], { v: number }>(one, 'SELECT v FROM t');
  const b = prepared<[], { v: number }>(two, 'SELECT v FROM t');
  assert.is.not(a, b);
  assert.is(a.database, one);
  assert.equal(a.get(), { v: 1 });
  assert.equal(b.get(), { v: 2 });
  one.close();
  two.close();
});

test.run();
