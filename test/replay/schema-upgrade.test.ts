/**
 * Older files still open (doc/event-store.md, "Storage layout"). A schema-3 file (below) reads
 * as `main` read it and takes compact appends. A ledger file written by the engine before the
 * compact storage (schema 2, `main` at f315e1b:
 * 24 prop trading actions on 3 accounts and a signed checkpoint, `test/fixtures/schema-2-main-f315e1b.sqlite.gz`)
 * still opens (doc/event-store.md, "Storage layout"): read-only commands read it as it is; the
 * first writable open converts its idempotency rows and rebuilds the journal in its compact
 * form; the journal lines, the recorded command results, `clash ledger verify` and
 * `clash projections verify` are the same as before; new events append beside the old ones.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { canonicalJson } from '../../core/canonical-json.ts';
import { JOURNAL_ROWS } from '../../projections/prop-trading/journal.ts';
import { type Ledger, openLedger } from '../../server/context.ts';
import { clash } from '../support/cli.ts';
import { tempDir } from '../support/store.ts';

const dir = tempDir('clash-schema-upgrade-');
/** The public half of the development key the fixture was signed with. */
const PUBLIC_KEY = '66737a5ba7af9c434107aaad609151e3f2aa37c0903fe0c7c56d89534e397a88';
const pristine = dir.file('pristine.db');
writeFileSync(pristine, gunzipSync(readFileSync(new URL('../fixtures/schema-2-main-f315e1b.sqlite.gz', import.meta.url))));
let copies = 0;
const copy = () => {
  copies += 1;
  const file = dir.file(`copy-${copies}.db`);
  copyFileSync(pristine, file);
  return file;
};
const userVersion = (file: string) => {
  const db = new Database(file, { readonly: true });
  const v = db.pragma('user_version', { simple: true });
  db.close();
  return v;
};
const rows = <T>(file: string, sql: string) => {
  const db = new Database(file, { readonly: true });
  const all = db.prepare(sql).all() as T[];
  db.close();
  return all;
};

test('read-only commands read a schema-2 file as it is, and leave it so', async () => {
  const file = copy();
  assert.is(userVersion(file), 2);
  const run = await clash(['ledger', 'verify', '--db', file, '--public-key', PUBLIC_KEY]);
  assert.is(run.code, 0, run.stdout + run.stderr);
  assert.match(run.stdout, 'ledger verified: 28 events re-hashed, 1 signed checkpoint(s)');
  // Read models this build changed since are named, not an SQLite error (`no such table`); the others are verified
  const projections = await clash(['projections', 'verify', '--db', file]);
  assert.is(projections.code, 1, projections.stdout + projections.stderr);
  assert.is(projections.stderr, '');
  assert.match(projections.stdout, /^STALE {3}prop_protective_orders: its tables were never built \(this build: version 1\)/m);
  assert.match(projections.stdout, /^ok {6}prop_orders at position 28 \(prop_orders: 24 rows, prop_fills: 24 rows\)/m);
  // No worker ever parked a unit in it: none to list or show (was SQLite's `no such table: work_units`)
  const parked = await clash(['dead-letters', 'list', '--all', '--db', file]);
  assert.is(parked.code, 0, parked.stdout + parked.stderr);
  assert.match(parked.stdout, '0 parked unit(s)');
  const one = await clash(['dead-letters', 'show', '1', '--db', file]);
  assert.is(one.code, 1, one.stdout + one.stderr);
  assert.match(one.stderr, 'not_found: dead letter 1 not found');
  assert.is(userVersion(file), 2);
});

test('the first writable open converts it: same journal, same recorded results, verify and projections verify pass', async () => {
  const file = copy();
  const oldJournal = rows<Record<string, unknown>>(
    pristine,
    'SELECT account_id, position, line, event_type, ledger_account, asset, amount, at FROM prop_journal ORDER BY account_id, position, line',
  );
  const oldKeys = rows<{ key: string; payload_hash: string; stream_id: string; result: string }>(
    pristine,
    'SELECT * FROM idempotency_keys',
  );
  assert.is(oldKeys.length, 27, '3 opens and 24 actions');

  const ledger = openLedger({ dbPath: file });
  assert.is(ledger.store.db.pragma('user_version', { simple: true }), 4);
  const columns = ledger.store.db.prepare("SELECT name FROM pragma_table_info('prop_journal')").pluck().all();
  assert.equal(columns, ['account_id', 'position', 'line', 'ledger_account', 'asset', 'amount'], 'the journal is compact now');
  const newJournal = ledger.store.db
    .prepare(
      `SELECT account_id, position, line, event_type, ledger_account, asset, amount, at FROM ${JOURNAL_ROWS} ORDER BY account_id, position, line`,
    )
    .all();
  assert.equal(newJournal, oldJournal, 'the journal reads back line for line');

  for (const k of oldKeys) {
    const [next, first, count] = JSON.parse(k.result) as [number, number, number];
    const again = ledger.store.idempotentResult(k.key, k.payload_hash);
    assert.ok(again, k.key);
    assert.equal(
      [again.streamId, again.nextExpectedVersion, again.positions],
      [k.stream_id, next, Array.from({ length: count }, (_, i) => first + i)],
    );
    assert.throws(() => ledger.store.idempotentResult(k.key, 'ff'.repeat(32)), /idempotency/i);
  }

  // New events go beside the old ones (this file keeps its TEXT event ids) and read back, with their journal lines.
  const opened = ledger.store.readStream('prop-account-b0').find((e) => e.type === 'PropAccountOpened');
  assert.ok(opened);
  const data = { ...(opened.data as Record<string, unknown>), accountId: 'n1' };
  const appended = ledger.store.append('prop-account-n1', [{ type: opened.type, data }], { expectedVersion: 'no_stream' });
  assert.is(appended.positions[0], 29);
  const [back] = ledger.store.readStream('prop-account-n1');
  assert.is(back?.eventId, appended.eventIds[0]);
  assert.equal(back?.data, data);
  const lines = ledger.store.db.prepare(`SELECT ledger_account FROM ${JOURNAL_ROWS} WHERE account_id = 'n1'`).pluck().all();
  assert.equal(lines, ['prop:n1:cash', 'house:capital']);
  const stored = ledger.store.db.prepare('SELECT typeof(event_id) FROM events WHERE position = 29').pluck().get();
  assert.is(stored, 'text');
  ledger.close();

  const verified = await clash(['ledger', 'verify', '--db', file, '--public-key', PUBLIC_KEY]);
  assert.is(verified.code, 0, verified.stdout + verified.stderr);
  const projections = await clash(['projections', 'verify', '--db', file]);
  assert.is(projections.code, 0, projections.stdout + projections.stderr);
});

/**
 * A file written by `main` at c18ca77 (schema 3: 16-byte event ids, data stored as JSON objects;
 * 3 prop accounts, 24 actions, a signed checkpoint: `test/fixtures/schema-3-main-c18ca77.sqlite.gz`).
 * Its events and journal read exactly as `main` read them (the digests of their canonical JSON,
 * printed by `main` reading the same file); the first writable open makes it schema 4, and new
 * events are stored compact beside the old ones.
 */
const SCHEMA_3 = {
  publicKey: 'b24dcbf266e43fc6674176d46f1e79bfb18ea4ea82e4296df0496a0f2238bfbe',
  events: [28, '9cd6de6c77a6bd7a65cd2862f91326083d6ef22ebefc3a3cf55c27d286745849'],
  journal: [126, '14a83680fe0840605e67b3853e72b7460892ebd84bad88afeba2764991151541'],
} as const;
const schemaThree = dir.file('schema-3.db');
writeFileSync(schemaThree, gunzipSync(readFileSync(new URL('../fixtures/schema-3-main-c18ca77.sqlite.gz', import.meta.url))));
const digest = (rows: unknown[]) => [rows.length, createHash('sha256').update(canonicalJson(rows)).digest('hex')];
const readsAsMainDid = (ledger: Ledger) => {
  assert.equal(digest([...ledger.store.readAll()]), [...SCHEMA_3.events]);
  const journal = ledger.store.db.prepare(`SELECT * FROM ${JOURNAL_ROWS} ORDER BY account_id, position, line`).all();
  assert.equal(digest(journal), [...SCHEMA_3.journal]);
};

test('a schema-3 file reads as main read it, read-only and after its first writable open; new events go beside in the compact form', async () => {
  const file = dir.file('schema-3-copy.db');
  copyFileSync(schemaThree, file);
  assert.is(userVersion(file), 3);
  const reader = openLedger({ dbPath: file, readonly: true });
  readsAsMainDid(reader);
  reader.close();
  // A read-only command on a read model changed since names it (was SQLite's `no such column: live_window`)
  const report = await clash(['backtest', 'report', 'b-1', '--out', dir.file('b-1.html'), '--db', file]);
  assert.is(report.code, 1, report.stdout + report.stderr);
  assert.match(
    report.stderr,
    'read_model_stale: the backtests read model of this file is at version 2 (this build: version 3): open it writable once (clash projections rebuild backtests)',
  );
  assert.is(userVersion(file), 3, 'a read-only open leaves it as it is');

  const ledger = openLedger({ dbPath: file });
  assert.is(ledger.store.db.pragma('user_version', { simple: true }), 4, 'an engine of schema 3 refuses it from now on');
  readsAsMainDid(ledger);
  const [opened] = ledger.store.readStream('prop-account-c0');
  assert.ok(opened?.type === 'PropAccountOpened');
  const data = { ...(opened.data as Record<string, unknown>), accountId: 'n3' };
  const appended = ledger.store.append('prop-account-n3', [{ type: opened.type, data }], { expectedVersion: 'no_stream' });
  assert.is(appended.positions[0], 29);
  assert.equal(ledger.store.readStream('prop-account-n3')[0]?.data, data);
  const stored = ledger.store.db.prepare('SELECT data FROM events WHERE position = ?').pluck();
  assert.ok((stored.get(1) as string).startsWith('{'), 'the old rows are as main wrote them');
  assert.ok((stored.get(29) as string).startsWith('['), 'the new row is compact');
  const lines = ledger.store.db.prepare(`SELECT ledger_account, at FROM ${JOURNAL_ROWS} WHERE account_id = 'n3'`).all();
  assert.equal(lines, [
    { ledger_account: 'prop:n3:cash', at: (opened.data as { openedAt: number }).openedAt },
    { ledger_account: 'house:capital', at: (opened.data as { openedAt: number }).openedAt },
  ]);
  ledger.close();

  const verified = await clash(['ledger', 'verify', '--db', file, '--public-key', SCHEMA_3.publicKey]);
  assert.is(verified.code, 0, verified.stdout + verified.stderr);
  assert.match(verified.stdout, 'ledger verified: 29 events re-hashed, 1 signed checkpoint(s)');
  const projections = await clash(['projections', 'verify', '--db', file]);
  assert.is(projections.code, 0, projections.stdout + projections.stderr);
});

test.after(() => dir.remove());
test.run();
