/**
 * The ledger routes over HTTP: the key, the latest checkpoint and the paged list, inclusion and
 * consistency proofs — every proof checked by the independent RFC 9162 verifier against a
 * checkpoint whose Ed25519 signature is checked with the served key, as an outside auditor
 * would — bad queries refused naming the field, and the checkpoint worker signing on schedule.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { EVENT_ROW_COLUMNS, eventLeafHash, type RawEventRow, storedRow } from '../../core/event-leaf.ts';
import { publicKeyFromHex, verifyCheckpointSignature } from '../../core/signed-checkpoint.ts';
import { healthRoutes } from '../../server/routes/health.ts';
import { ledgerRoutes } from '../../server/routes/ledger.ts';
import { independentConsistency, independentInclusion } from '../support/rfc9162.ts';
import { codeOf, startTestServer, type TestServer } from '../support/server.ts';
import { walletLedgerComposition } from '../support/wallet/composition.ts';

interface Checkpoint {
  treeSize: number;
  rootHash: string;
  origin: string;
  signedAt: string;
  keyId: string;
  signature: string;
  position: number;
}
const routes = [healthRoutes, ledgerRoutes];
const options = { composition: walletLedgerComposition, routes };
const deposit = (i: number) => ({ type: 'FundsDeposited', data: { walletId: 'w', amount: BigInt(i), memo: `d${i}`, at: i } });
const hex = (s: string) => Buffer.from(s, 'hex');

async function ok<T>(server: TestServer, path: string): Promise<T> {
  const res = await server.call('GET', path);
  assert.is(res.status, 200, JSON.stringify(res.body));
  return res.body as T;
}

test('an auditor checks checkpoints and proofs with nothing but the served key', async () => {
  const server = await startTestServer({}, undefined, options);
  const { store, checkpoints } = server.ledger;
  assert.is(codeOf((await server.call('GET', '/api/v1/ledger/checkpoints/latest')).body), 'not_found');
  for (let i = 0; i < 5; i++) {
    store.append(
      'wallet-w',
      Array.from({ length: 7 }, (_, k) => deposit(i * 7 + k)),
    );
    checkpoints.record();
  }
  const key = await ok<{ algorithm: string; publicKey: string; keyId: string; origin: string }>(server, '/api/v1/ledger/key');
  assert.is(key.algorithm, 'Ed25519');
  const publicKey = publicKeyFromHex(key.publicKey);
  const latest = await ok<Checkpoint>(server, '/api/v1/ledger/checkpoints/latest');
  const firstPage = await ok<{ items: Checkpoint[]; next: number | null }>(server, '/api/v1/ledger/checkpoints?limit=3');
  assert.equal(firstPage.items[0], latest);
  assert.is(firstPage.next, firstPage.items[2]?.treeSize ?? null);
  const rest = await ok<{ items: Checkpoint[]; next: number | null }>(server, `/api/v1/ledger/checkpoints?after=${firstPage.next}`);
  const all = [...firstPage.items, ...rest.items];
  assert.equal(
    all.map((c) => c.treeSize),
    [39, 31, 23, 15, 7],
  );
  assert.is(rest.next, null);
  assert.match(latest.signedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

  // Every checkpoint's signature, with the served key, over the message as the doc spells it.
  for (const c of all) {
    assert.is(c.keyId, key.keyId);
    assert.ok(verifyCheckpointSignature(publicKey, { ...c, signedAt: Date.parse(c.signedAt) }, c.signature), `checkpoint ${c.treeSize}`);
  }
  // The auditor's copy of the log: leaves re-hashed from the rows, proven against the signed roots.
  const rows = store.db.prepare(`SELECT ${EVENT_ROW_COLUMNS} FROM events ORDER BY position`).raw().all() as RawEventRow[];
  for (const c of all) {
    for (const position of [1, Math.ceil(c.treeSize / 2), c.treeSize]) {
      const p = await ok<{ leafHash: string; rootHash: string; inclusionPath: string[]; leafIndex: number }>(
        server,
        `/api/v1/ledger/proofs/inclusion?position=${position}&treeSize=${c.treeSize}`,
      );
      const leaf = eventLeafHash(storedRow(rows[position - 1] as RawEventRow));
      assert.is(p.leafHash, leaf.toString('hex'));
      assert.is(p.rootHash, c.rootHash);
      assert.ok(independentInclusion(leaf, p.leafIndex, c.treeSize, p.inclusionPath.map(hex), hex(c.rootHash)));
    }
  }
  const pairs = all.slice(1).map((older, i) => [older, all[i] as Checkpoint] as const);
  for (const [older, newer] of pairs) {
    const p = await ok<{ firstRootHash: string; secondRootHash: string; consistencyPath: string[] }>(
      server,
      `/api/v1/ledger/proofs/consistency?first=${older.treeSize}&second=${newer.treeSize}`,
    );
    assert.equal([p.firstRootHash, p.secondRootHash], [older.rootHash, newer.rootHash]);
    const proof = p.consistencyPath.map(hex);
    assert.ok(independentConsistency(older.treeSize, newer.treeSize, hex(older.rootHash), hex(newer.rootHash), proof));
  }
  await server.stop();
});

test('bad proof queries: 400 naming the field, 422 beyond the log', async () => {
  const server = await startTestServer({}, undefined, options);
  server.ledger.store.append('wallet-w', [deposit(1), deposit(2)]);
  const bad = await server.call('GET', '/api/v1/ledger/proofs/inclusion?position=0&treeSize=2');
  assert.is(bad.status, 400);
  assert.match(JSON.stringify(bad.body), 'query.position');
  assert.is((await server.call('GET', '/api/v1/ledger/proofs/inclusion?position=3&treeSize=2')).status, 400);
  const beyond = await server.call('GET', '/api/v1/ledger/proofs/inclusion?position=1&treeSize=3');
  assert.equal([beyond.status, codeOf(beyond.body)], [422, 'tree_size_beyond_log']);
  assert.is((await server.call('GET', '/api/v1/ledger/proofs/consistency?first=2&second=1')).status, 400);
  assert.is((await server.call('GET', '/api/v1/ledger/proofs/consistency?first=1&second=9')).status, 422);
  assert.is((await server.call('GET', '/api/v1/ledger/checkpoints?limit=0')).status, 400);
  await server.stop();
});

test('the checkpoint worker signs once N events arrived', async () => {
  const server = await startTestServer(
    { CLASH_CHECKPOINT_INTERVAL_SECONDS: '3600', CLASH_CHECKPOINT_EVERY_EVENTS: '3' },
    undefined,
    options,
  );
  server.ledger.store.append('wallet-w', [deposit(1), deposit(2), deposit(3)]);
  const deadline = Date.now() + 5_000;
  let latest = await server.call('GET', '/api/v1/ledger/checkpoints/latest');
  while (latest.status !== 200 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    latest = await server.call('GET', '/api/v1/ledger/checkpoints/latest');
  }
  assert.is((latest.body as Checkpoint).treeSize, 3);
  await server.stop();
});

test.run();
