/**
 * The ledger key over its life (doc/ledger-integrity.md, "Keys" and "Rotation"): the development
 * key lives in the database's `.dev` folder and a key an older engine kept beside the database is
 * moved in; `clash ledger rotate-key` records the new key signed by the old and the new;
 * checkpoints must carry the log's current key; `clash ledger verify` verifies across a rotation
 * from the first key or the current one, and refuses a rotation not signed by the old key, a key
 * outside the chain, and a checkpoint signed by a retired key; `GET /api/v1/ledger/key` serves
 * the current key and the history.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { dataDirLedgerKey, existingLedgerPublicKey, ledgerKeyFile, legacyLedgerKeyFile } from '../../../adapters/ledger-key/ledger-key.ts';
import { LedgerAnchors } from '../../../commands/ledger/anchors.ts';
import { ledgerDecider } from '../../../commands/ledger/decider.ts';
import { ManualClock, SequentialIds } from '../../../core/clock.ts';
import { dataFieldSql } from '../../../core/event-registry.ts';
import { keyIdOf, publicKeyFromHex, publicKeyHex, verifyCheckpointSignature } from '../../../core/signed-checkpoint.ts';
import { openLedger } from '../../../server/context.ts';
import { ledgerRoutes } from '../../../server/routes/ledger.ts';
import { clash } from '../../support/cli.ts';
import { specFor } from '../../support/decider-spec.ts';
import { startTestServer } from '../../support/server.ts';
import { tamperedCopy, tempDir } from '../../support/store.ts';
import { setStoredDataField } from '../../support/stored-data.ts';
import { walletLedgerComposition } from '../../support/wallet/composition.ts';

const composition = walletLedgerComposition;
const dir = tempDir('clash-key-rotation-');
const T0 = Date.UTC(2026, 0, 1);
const deposit = (i: number, at: number) => ({
  type: 'FundsDeposited',
  data: { walletId: 'w', amount: BigInt(100 + i), memo: `d${i}`, at },
});

/** Appends `n` deposits and signs a checkpoint, `rounds` times, through the ledger as the CLI opens it. */
function appendAndCheckpoint(file: string, rounds: number, from = 0): void {
  const clock = new ManualClock(T0 + from * 1000);
  const ledger = openLedger({ dbPath: file, composition, synchronous: 'NORMAL', clock, ids: new SequentialIds(`${from}`) });
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < 4; i++) {
      clock.advance(1000);
      ledger.store.append('wallet-w', [deposit(from + r * 4 + i, clock.now())]);
    }
    ledger.checkpoints.record();
  }
  ledger.close();
}

test('the development key lives in the database’s .dev folder; a key kept beside the database moves in', () => {
  const file = dir.file('fresh.db');
  const key = dataDirLedgerKey(file);
  assert.is(ledgerKeyFile(file), join(dir.path, 'fresh.dev', 'ledger-key.pem'));
  assert.ok(existsSync(ledgerKeyFile(file)));
  assert.is(readFileSync(ledgerKeyFile(file)).length > 0 && dataDirLedgerKey(file).keyId, key.keyId, 'kept across opens');

  // An older engine's key, beside the database: the same key after the move, and the verifier finds it there too.
  const sub = dir.file('old');
  const legacyDb = join(sub, 'ledger.db');
  const pem = generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  const legacyId = keyIdOf(createPublicKey(createPrivateKey(pem)));
  dataDirLedgerKey(join(sub, 'scratch.db')); // makes the directory
  writeFileSync(legacyLedgerKeyFile(legacyDb), pem);
  assert.is(
    keyIdOf(existingLedgerPublicKey(undefined, legacyDb) as ReturnType<typeof createPublicKey>),
    legacyId,
    'found beside it before the move',
  );
  assert.is(dataDirLedgerKey(legacyDb).keyId, legacyId, 'moved, not replaced');
  assert.is(readFileSync(ledgerKeyFile(legacyDb), 'utf8'), pem);
  assert.is(keyIdOf(existingLedgerPublicKey(undefined, legacyDb) as ReturnType<typeof createPublicKey>), legacyId);
});

test('clash ledger rotate-key: recorded in the log signed by both keys; verify passes across it from either key', async () => {
  const file = dir.file('rotated.db');
  appendAndCheckpoint(file, 2);
  const first = dataDirLedgerKey(file);
  const run = await clash(['ledger', 'rotate-key', '--db', file, '--json'], composition);
  assert.is(run.code, 0, run.stderr);
  const rotation = JSON.parse(run.stdout) as { rotated: boolean; previousKeyId: string; keyId: string; publicKey: string };
  assert.is(rotation.rotated, true);
  assert.is(rotation.previousKeyId, first.keyId);
  const second = dataDirLedgerKey(file);
  assert.is(second.keyId, rotation.keyId, 'the new key is the development key now');
  assert.is.not(second.keyId, first.keyId);
  assert.ok(readdirSync(join(dir.path, 'rotated.dev')).includes(`ledger-key.${first.keyId}.retired.pem`), 'the retired key is kept');

  appendAndCheckpoint(file, 2, 100);
  const db = new Database(file, { readonly: true });
  const keys = db
    .prepare(
      `SELECT ${dataFieldSql('events', composition.events, 'keyId')} FROM events WHERE type = 'LedgerCheckpointSigned' ORDER BY position`,
    )
    .pluck()
    .all();
  db.close();
  assert.equal(keys, [first.keyId, first.keyId, second.keyId, second.keyId], 'checkpoints name their key id');

  for (const key of [first.publicKeyHex, second.publicKeyHex]) {
    const verified = await clash(['ledger', 'verify', '--db', file, '--public-key', key], composition);
    assert.is(verified.code, 0, `${key}: ${verified.stdout}${verified.stderr}`);
  }
  const defaultKey = await clash(['ledger', 'verify', '--db', file], composition);
  assert.is(defaultKey.code, 0, defaultKey.stdout + defaultKey.stderr);
  const stranger = publicKeyHex(generateKeyPairSync('ed25519').publicKey);
  const refused = await clash(['ledger', 'verify', '--db', file, '--public-key', stranger], composition);
  assert.is(refused.code, 1);
  assert.match(refused.stdout, "is not one of the log's keys");
});

test('anchoring: a key rotation at the number due gives way to the first checkpoint after it', async () => {
  const file = dir.file('anchored.db');
  appendAndCheckpoint(file, 2); // checkpoints at stream versions 1 and 2
  assert.is((await clash(['ledger', 'rotate-key', '--db', file], composition)).code, 0); // version 3
  appendAndCheckpoint(file, 1, 100); // version 4
  const ledger = openLedger({ dbPath: file, composition });
  const unused = () => Promise.reject(new Error('no chain in this test'));
  const anchors = new LedgerAnchors({
    store: ledger.store,
    chain: { chainId: 1, vault: `0x${'0'.repeat(40)}`, find: unused, send: unused },
  });
  const due = anchors.due(3);
  const latest = ledger.checkpoints.latest();
  ledger.close();
  assert.equal([due?.sequence, due?.checkpoint], [4, latest]);
});

test('a forged rotation (another key swapped in, the leaves re-hashed or not) fails verify naming its position', async () => {
  const file = dir.file('forge-base.db');
  appendAndCheckpoint(file, 1);
  const first = dataDirLedgerKey(file);
  assert.is((await clash(['ledger', 'rotate-key', '--db', file], composition)).code, 0);
  appendAndCheckpoint(file, 1, 100);
  const db = new Database(file, { readonly: true });
  const position = db.prepare("SELECT position FROM events WHERE type = 'LedgerKeyRotated'").pluck().get() as number;
  db.close();
  const attacker = generateKeyPairSync('ed25519');
  const forged = tamperedCopy(file, dir.file('forged.db'), (d) => {
    setStoredDataField(d, composition.events, position, 'publicKey', publicKeyHex(attacker.publicKey));
    setStoredDataField(d, composition.events, position, 'keyId', keyIdOf(attacker.publicKey));
  });
  const run = await clash(['ledger', 'verify', '--db', forged, '--public-key', first.publicKeyHex], composition);
  assert.is(run.code, 1);
  assert.match(run.stderr, `ledger differs at position ${position}`);
  assert.match(run.stdout, `key rotation at position ${position} is not signed by the previous key`);
});

test('the decider: checkpoints carry the current key; a rotation hands over from it', () => {
  const checkpoint = (treeSize: number, keyId: string) => ({
    origin: 'clash-ledger',
    treeSize,
    rootHash: 'a'.repeat(64),
    signedAt: 1,
    keyId,
    signature: 'b'.repeat(128),
  });
  const rotation = (previousKeyId: string, keyId: string) => ({
    origin: 'clash-ledger',
    previousKeyId,
    previousPublicKey: 'c'.repeat(64),
    keyId,
    publicKey: 'd'.repeat(64),
    rotatedAt: 2,
    signature: 'e'.repeat(128),
    nextKeySignature: 'f'.repeat(128),
  });
  const [k1, k2] = ['1111111111111111', '2222222222222222'];
  const spec = specFor(ledgerDecider);
  spec
    .given([{ type: 'LedgerCheckpointSigned', data: checkpoint(5, k1) }])
    .when({ type: 'RotateKey', rotation: rotation(k1, k2) })
    .thenEmits([{ type: 'LedgerKeyRotated', data: rotation(k1, k2) }]);
  spec
    .given([{ type: 'LedgerCheckpointSigned', data: checkpoint(5, k1) }])
    .when({ type: 'RotateKey', rotation: rotation(k2, k1) })
    .thenThrows('ledger_key_mismatch');
  spec
    .given([{ type: 'LedgerCheckpointSigned', data: checkpoint(5, k1) }])
    .when({ type: 'RotateKey', rotation: rotation(k1, k1) })
    .thenThrows('ledger_key_unchanged');
  spec
    .given([
      { type: 'LedgerCheckpointSigned', data: checkpoint(5, k1) },
      { type: 'LedgerKeyRotated', data: rotation(k1, k2) },
    ])
    .when({ type: 'RecordCheckpoint', checkpoint: checkpoint(9, k1) })
    .thenThrows('ledger_key_mismatch');
  spec
    .given([
      { type: 'LedgerCheckpointSigned', data: checkpoint(5, k1) },
      { type: 'LedgerKeyRotated', data: rotation(k1, k2) },
    ])
    .when({ type: 'RecordCheckpoint', checkpoint: checkpoint(9, k2) })
    .thenEmits([{ type: 'LedgerCheckpointSigned', data: checkpoint(9, k2) }]);
});

test('GET /api/v1/ledger/key: the current key and the history; a configured key with its predecessor rotates at start', async () => {
  const oldKey = generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  const newKey = generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  const file = dir.file('served.db');
  const options = { composition, routes: [ledgerRoutes] };
  const first = await startTestServer({ CLASH_DB: file, CLASH_LEDGER_SIGNING_KEY: oldKey }, undefined, options);
  first.ledger.store.append('wallet-w', [deposit(1, T0)]);
  first.ledger.checkpoints.record();
  const before = (await first.call('GET', '/api/v1/ledger/key')).body as { keyId: string; history: { keyId: string }[] };
  assert.equal(
    before.history.map((k) => k.keyId),
    [before.keyId],
  );
  await first.close();

  const second = await startTestServer(
    { CLASH_DB: file, CLASH_LEDGER_SIGNING_KEY: newKey, CLASH_LEDGER_PREVIOUS_SIGNING_KEY: oldKey },
    undefined,
    options,
  );
  second.ledger.store.append('wallet-w', [deposit(2, T0 + 1)]);
  const signed = second.ledger.checkpoints.record();
  const res = await second.call('GET', '/api/v1/ledger/key');
  assert.is(res.status, 200);
  const key = res.body as {
    publicKey: string;
    keyId: string;
    history: {
      keyId: string;
      publicKey: string;
      fromPosition: number;
      retiredAtPosition: number | null;
      rotation: { rotatedAt: string } | null;
    }[];
  };
  assert.is(signed.keyId, key.keyId, 'the new checkpoint is signed by the new key');
  assert.ok(verifyCheckpointSignature(publicKeyFromHex(key.publicKey), signed, signed.signature));
  assert.equal(
    key.history.map((k) => k.keyId),
    [before.keyId, key.keyId],
  );
  const [was, now] = key.history;
  assert.is(was?.retiredAtPosition, now?.fromPosition);
  assert.is(now?.retiredAtPosition, null);
  assert.match(now?.rotation?.rotatedAt ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  await second.close();

  // The log is signed by the new key now: the old key alone no longer starts a server.
  const refused = await startTestServer({ CLASH_DB: file, CLASH_LEDGER_SIGNING_KEY: oldKey }, undefined, options).then(
    async (s) => {
      await s.close();
      return null;
    },
    (error: Error) => error,
  );
  assert.match(refused?.message ?? 'started', 'CLASH_LEDGER_SIGNING_KEY');
});

test.run();
