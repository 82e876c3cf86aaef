/** Statements prepared once per connection (core/statements.ts). */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BOUND_LIMIT, prepared } from '../../core/statements.ts';

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

test('Given a bound limit, When the statement runs with -1 and with n, Then it returns every row and the first n', () => {
  const db = new Database(':memory:');
  db.exec('CREATE TABLE t (v INTEGER PRIMARY KEY)');
  for (let v = 1; v <= 5; v++) db.prepare('INSERT INTO t VALUES (?)').run(v);
  const firsts = db.prepare<[number], number>(`SELECT v FROM t ORDER BY v LIMIT ${BOUND_LIMIT}`).pluck();
  assert.equal(firsts.all(-1), [1, 2, 3, 4, 5]);
  assert.equal(firsts.all(2), [1, 2]);
  db.close();
});

test('Given the sources, Then no statement binds a bare LIMIT ? (each run would recompile it; BOUND_LIMIT)', () => {
  const bare: string[] = [];
  for (const folder of ['core', 'commands', 'projections', 'server', 'adapters', 'replay']) {
    for (const file of readdirSync(folder, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'))) {
      const lines = readFileSync(join(folder, file), 'utf8').split('\n');
      lines.forEach((line, i) => {
        if (/LIMIT \?/.test(line) && !/^\s*(\*|\/\/)/.test(line)) bare.push(`${join(folder, file)}:${i + 1}`);
      });
    }
  }
  assert.equal(bare, []);
});

test.run();
