/**
 * `clash ledger verify` as an auditor runs it on a copy of the log: it passes on the log as
 * written, and fails naming the first changed position after any single-byte change to any
 * stored field of any event (a property), after a self-consistent change followed by a
 * projection rebuild, after an event is removed, reordered or inserted, and after the leaves
 * are re-hashed to hide a change (then the signed checkpoint roots catch it). Forged and
 * mis-signed checkpoints are refused; a log cut short is caught by a published checkpoint;
 * `clash ledger prove` gives proofs the independent verifier accepts.
 */
import { generateKeyPairSync } from 'node:crypto';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ledgerKeyFile } from '../../../adapters/ledger-key/ledger-key.ts';
import { CHECKPOINT_STREAM_ID } from '../../../commands/ledger/decider.ts';
import { CHECKPOINT_ORIGIN } from '../../../commands/ledger/handlers.ts';
import { storedCheckpoints } from '../../../commands/ledger/signed.ts';
import { ManualClock, SequentialIds } from '../../../core/clock.ts';
import { EventRegistry } from '../../../core/event-registry.ts';
import { EventStore } from '../../../core/event-store.ts';
import { keyIdOf, publicKeyHex, signCheckpoint } from '../../../core/signed-checkpoint.ts';
import { openLedger } from '../../../server/context.ts';
import { clash } from '../../support/cli.ts';
import { independentInclusion } from '../../support/rfc9162.ts';
import { fcRuns, fcSeed, tamperedCopy, tempDir, toSchemaOne } from '../../support/store.ts';
import { setStoredDataField } from '../../support/stored-data.ts';
import { walletLedgerComposition } from '../../support/wallet/composition.ts';

const composition = walletLedgerComposition;
const dir = tempDir('clash-integrity-');
const T0 = Date.UTC(2026, 0, 1);
const base = dir.file('base.db');
let copies = 0;

/** 5 wallets opened, then deposits and withdrawals, with a signed checkpoint after every 9 appends. */
function buildLedger(file: string) {
  const clock = new ManualClock(T0);
  const ledger = openLedger({ dbPath: file, composition, synchronous: 'NORMAL', clock, ids: new SequentialIds() });
  for (let i = 0; i < 45; i++) {
    clock.advance(1_000);
    const w = `w${i % 5}`;
    const event =
      i < 5
        ? { type: 'WalletOpened', data: { walletId: w, owner: `owner-${i}`, openedAt: clock.now() } }
        : { type: 'FundsDeposited', data: { walletId: w, amount: BigInt(100 + i), memo: `deposit ${i} ünïcode`, at: clock.now() } };
    ledger.store.append(`wallet-${w}`, [event], { metadata: { actor: `user:${i % 3}` } });
    if (i % 9 === 8) ledger.checkpoints.record();
  }
  const key = ledger.ledgerKey();
  const latest = ledger.checkpoints.latest();
  ledger.close();
  return { publicKeyHex: key.publicKeyHex, key, latest };
}
const built = buildLedger(base);
const trusted = ['--public-key', built.publicKeyHex];

/** A copy of the base ledger where `change` ran with every append-only trigger dropped. */
function tampered(change: (db: Database.Database) => void): string {
  copies += 1;
  return tamperedCopy(base, dir.file(`copy-${copies}.db`), change);
}

const verify = (file: string, ...extra: string[]) => clash(['ledger', 'verify', '--db', file, ...trusted, ...extra], composition);
const head = (() => {
  const db = new Database(base, { readonly: true });
  const max = db.prepare('SELECT max(position) FROM events').pluck().get() as number;
  db.close();
  return max;
})();

test('the log as written verifies: every leaf, every checkpoint root, signature and consistency', async () => {
  const run = await verify(base);
  assert.is(run.code, 0, run.stderr);
  assert.match(run.stdout, `ledger verified: ${head} events re-hashed, 5 signed checkpoint(s)`);
});

type Field = 'stream_id' | 'stream_version' | 'event_id' | 'type' | 'schema_version' | 'data' | 'metadata' | 'recorded_at' | 'position';
const fields: Field[] = [
  'position',
  'stream_id',
  'stream_version',
  'event_id',
  'type',
  'schema_version',
  'data',
  'metadata',
  'recorded_at',
];

/** One byte of one column of one event changed (a text byte swapped for another ASCII byte; an integer's low bit flipped). */
function changeOneByte(db: Database.Database, position: number, field: Field, at: number): void {
  const value = db.prepare(`SELECT ${field} FROM events WHERE position = ?`).pluck().get(position) as string | number;
  let next: string | number;
  if (typeof value === 'number') {
    // stream_version and position are unique: move them far instead of next to a neighbour.
    next = field === 'position' || field === 'stream_version' ? value + 1_000_000 : value ^ 1;
  } else {
    const bytes = Buffer.from(value, 'utf8');
    const i = at % bytes.length;
    bytes[i] = bytes[i] === 0x41 ? 0x42 : 0x41;
    next = bytes.toString('utf8');
  }
  assert.is(db.prepare(`UPDATE events SET ${field} = ? WHERE position = ?`).run(next, position).changes, 1);
}

test('property: one byte of any stored field of any event changed → exit 1 naming that position', async () => {
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 1, max: head }), fc.constantFrom(...fields), fc.nat(), async (position, field, at) => {
      const file = tampered((db) => changeOneByte(db, position, field, at));
      const run = await verify(file);
      assert.is(run.code, 1, `${field} at ${position}: ${run.stdout}`);
      assert.match(run.stderr, `ledger differs at position ${position}:`);
    }),
    { seed: fcSeed, numRuns: fcRuns },
  );
});

test('a self-consistent change followed by a projection rebuild passes projections verify, and fails ledger verify at its position', async () => {
  const position = 2; // WalletOpened of w1
  const file = tampered((db) => {
    setStoredDataField(db, composition.events, position, 'owner', 'mallory');
  });
  assert.is((await clash(['projections', 'rebuild', '--db', file], composition)).code, 0);
  const projections = await clash(['projections', 'verify', '--db', file], composition);
  assert.is(projections.code, 0, 'the read models agree with the altered log');
  const run = await verify(file);
  assert.is(run.code, 1);
  assert.match(run.stderr, `ledger differs at position ${position}: event at position ${position} differs from the leaf`);
});

test('a removed event is named', async () => {
  const run = await verify(tampered((db) => db.prepare('DELETE FROM events WHERE position = 17').run()));
  assert.is(run.code, 1);
  assert.match(run.stderr, 'ledger differs at position 17: no event at position 17: the log jumps from 16 to 18');
});

test('two events swapped in place are named at the first of them', async () => {
  const file = tampered((db) => {
    const move = db.prepare('UPDATE events SET position = ? WHERE position = ?');
    move.run(-1, 12);
    move.run(12, 30);
    move.run(30, -1);
  });
  const run = await verify(file);
  assert.is(run.code, 1);
  assert.match(run.stderr, 'ledger differs at position 12:');
});

test('an inserted event is named where it went in', async () => {
  const file = tampered((db) => {
    const rows = db.prepare('SELECT position FROM events WHERE position >= 20 ORDER BY position DESC').pluck().all() as number[];
    for (const p of rows) db.prepare('UPDATE events SET position = ? WHERE position = ?').run(p + 1, p);
    db.prepare(
      `INSERT INTO events (position, stream_id, stream_version, event_id, type, schema_version, data, metadata, recorded_at)
       SELECT 20, stream_id, 1000, 'forged-event', type, schema_version, data, metadata, recorded_at FROM events WHERE position = 19`,
    ).run();
  });
  const run = await verify(file);
  assert.is(run.code, 1);
  assert.match(run.stderr, 'ledger differs at position 20:');
});

test('leaves re-hashed to hide a change: the signed checkpoint roots still catch it, naming the range', async () => {
  const position = 23;
  const file = tampered((db) => {
    setStoredDataField(db, composition.events, position, 'amount', '999999');
    db.exec('UPDATE events SET leaf = NULL; DELETE FROM ledger_nodes');
  });
  // Opening it with the engine re-hashes every event (the one-time migration), as an attacker would.
  openLedger({ dbPath: file, composition }).close();
  const run = await verify(file);
  assert.is(run.code, 1);
  const first = Number(/ledger differs at position (\d+)/.exec(run.stderr)?.[1]);
  assert.ok(first <= position && first > position - 11, `the changed range starts at ${first}, at or before ${position}`);
  assert.match(run.stderr, 'do not hash to its root');
});

test('a checkpoint signed by another key is refused; one that claims the trusted key with a bad signature too', async () => {
  const other = generateKeyPairSync('ed25519');
  const forge = (keyId: string) => {
    copies += 1;
    const file = dir.file(`forged-${copies}.db`);
    copyFileSync(base, file);
    const ledger = openLedger({ dbPath: file, composition, ledgerKey: () => ({ ...built.key, privateKey: other.privateKey, keyId }) });
    ledger.store.append('wallet-w0', [{ type: 'FundsWithdrawn', data: { walletId: 'w0', amount: 1n, at: T0 + 99_000 } }]);
    const treeSize = ledger.store.headPosition();
    const body = {
      origin: CHECKPOINT_ORIGIN,
      treeSize,
      rootHash: ledger.store.merkle.rootAt(treeSize).toString('hex'),
      signedAt: T0 + 99_000,
    };
    const forged = { ...body, keyId, signature: signCheckpoint(other.privateKey, body) };
    // The handler refuses a checkpoint that does not name the log's key; a forger writes it into the file past the handler.
    if (keyId !== built.key.keyId) {
      assert.throws(
        () => ledger.checkpoints.record(),
        (e: Error) => e.message.includes("the log's key is"),
      );
    }
    ledger.store.append(CHECKPOINT_STREAM_ID, [{ type: 'LedgerCheckpointSigned', data: forged }]);
    ledger.close();
    return file;
  };
  const foreign = await verify(forge(keyIdOf(other.publicKey)));
  assert.is(foreign.code, 1);
  assert.match(foreign.stderr, `is signed by key ${keyIdOf(other.publicKey)}, not the trusted key ${built.key.keyId}`);
  const misSigned = await verify(forge(built.key.keyId));
  assert.is(misSigned.code, 1);
  assert.match(misSigned.stderr, 'has a signature that does not verify');
  // …and the log itself checked against the wrong trusted key fails on its first checkpoint.
  const wrongKey = await clash(['ledger', 'verify', '--db', base, '--public-key', publicKeyHex(other.publicKey)], composition);
  assert.is(wrongKey.code, 1);
});

test('a log cut short with its later checkpoints passes alone, and fails against a checkpoint published before', async () => {
  const published = dir.file('published.json');
  const latest = built.latest;
  assert.ok(latest);
  writeFileSync(published, JSON.stringify({ ...latest, signedAt: new Date(latest.signedAt).toISOString(), position: 0 }));
  const cut = tampered((db) => {
    db.prepare('DELETE FROM events WHERE position > 20').run();
  });
  assert.is((await verify(cut)).code, 0, 'nothing inside the file can show what was cut off');
  const run = await verify(cut, '--checkpoint', published);
  assert.is(run.code, 1);
  assert.match(run.stderr, `covers ${latest.treeSize} events, the log holds 20: events were removed`);
  assert.is((await verify(base, '--checkpoint', published)).code, 0);
});

test('clash ledger prove: the inclusion proof the independent verifier accepts against a signed root', async () => {
  const db = new Database(base, { readonly: true });
  const store = new EventStore(db, { registry: new EventRegistry(composition.events) });
  const signed = storedCheckpoints(store).flatMap((c) => ('treeSize' in c.checkpoint ? [c.checkpoint] : []));
  store.close();
  for (const c of signed) {
    for (const position of [1, Math.ceil(c.treeSize / 2), c.treeSize]) {
      const run = await clash(
        ['ledger', 'prove', String(position), '--tree-size', String(c.treeSize), '--db', base, '--json'],
        composition,
      );
      assert.is(run.code, 0, run.stderr);
      const proof = JSON.parse(run.stdout) as { leafHash: string; rootHash: string; inclusionPath: string[] };
      assert.is(proof.rootHash, c.rootHash);
      const ok = independentInclusion(
        Buffer.from(proof.leafHash, 'hex'),
        position - 1,
        c.treeSize,
        proof.inclusionPath.map((h) => Buffer.from(h, 'hex')),
        Buffer.from(c.rootHash, 'hex'),
      );
      assert.ok(ok, `position ${position} in ${c.treeSize}`);
    }
  }
  assert.is((await clash(['ledger', 'prove', String(head + 5), '--db', base], composition)).code, 2);
  const altered = tampered((db) => db.prepare(`UPDATE events SET recorded_at = recorded_at + 1 WHERE position = 3`).run());
  const refused = await clash(['ledger', 'prove', '3', '--db', altered], composition);
  assert.is(refused.code, 1);
  assert.match(refused.stdout, 'the proof does NOT verify');
});

test('clash ledger checkpoint signs the log as it is now (nothing when only a checkpoint came since), and the result verifies', async () => {
  copies += 1;
  const file = dir.file(`signed-${copies}.db`);
  copyFileSync(base, file);
  // The development key goes with its database (it lives in the database's .dev folder).
  mkdirSync(dirname(ledgerKeyFile(file)), { recursive: true });
  copyFileSync(ledgerKeyFile(base), ledgerKeyFile(file));
  const sign = async () => {
    const run = await clash(['ledger', 'checkpoint', '--db', file, '--json'], composition);
    assert.is(run.code, 0, run.stderr);
    return JSON.parse(run.stdout).treeSize as number;
  };
  assert.is(await sign(), head - 1, 'the last event is the latest checkpoint itself: nothing new to sign');
  const ledger = openLedger({ dbPath: file, composition });
  ledger.store.append('wallet-w1', [{ type: 'FundsWithdrawn', data: { walletId: 'w1', amount: 1n, at: T0 + 99_000 } }]);
  ledger.close();
  assert.is(await sign(), head + 1);
  const run = await verify(file);
  assert.is(run.code, 0, run.stderr);
  assert.match(run.stdout, `${head + 2} events re-hashed, 6 signed checkpoint(s)`);
});

test('the backup drill runs ledger verify on the restored copy, and fails when the backed-up log was altered', async () => {
  const drill = async (source: string, store: string) => {
    const env = { CLASH_ARTIFACTS_URL: `file:${dir.file(store)}` };
    assert.is((await clash(['backup', '--db', source, '--json'], composition, env)).code, 0);
    const run = await clash(['backup', 'drill', ...trusted, '--json'], composition, env);
    const report = JSON.parse(run.stdout) as { ok: boolean; results: { check: string; ok: boolean; figures: Record<string, unknown> }[] };
    return { code: run.code, check: report.results.find((r) => r.check === 'ledger verify') };
  };
  const good = await drill(base, 'artifacts-good');
  assert.is(good.code, 0);
  assert.equal([good.check?.ok, good.check?.figures.events], [true, head]);
  const source = tampered((db) => db.prepare(`UPDATE events SET metadata = '{}' WHERE position = 9`).run());
  const bad = await drill(source, 'artifacts-bad');
  assert.is(bad.code, 1);
  assert.equal([bad.check?.ok, bad.check?.figures.firstPosition], [false, 9]);
});

test('a ledger that predates the Merkle tree is refused read-only, and verifies once the engine has hashed it', async () => {
  const file = tampered(toSchemaOne);
  const refused = await verify(file);
  assert.is(refused.code, 2);
  assert.match(refused.stderr, 'predates the Merkle tree');
  openLedger({ dbPath: file, composition }).close();
  assert.is((await verify(file)).code, 0, 'the re-hashed log matches every checkpoint signed before');
});

test.after(() => dir.remove());
test.run();
