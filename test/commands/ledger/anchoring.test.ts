/**
 * Anchoring every Kth signed checkpoint on chain (issue 16, optional), against a real anvil with
 * a deployed SignedVault: the decider moves forward only; checkpoints K, 2K, … are sent by the
 * vault's signer and recorded with their transaction; only the signer may anchor; an anchor sent
 * but not recorded (a crash between the two) is found on chain and recorded, not sent again;
 * `clash ledger verify --chain` passes on the log as written and fails when the chain's anchor
 * and the log disagree (a log rewritten after anchoring) or a recorded anchor's transaction is
 * not on chain.
 */
import { copyFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { pino } from 'pino';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { type VaultAnchors, vaultAnchors } from '../../../adapters/chain/anchors.ts';
import { signedVaultAbi } from '../../../adapters/chain/signed-vault-artifact.ts';
import { anchorDecider } from '../../../commands/ledger/anchor-decider.ts';
import { LedgerAnchors } from '../../../commands/ledger/anchors.ts';
import type { AnchorEvent, LedgerAnchor } from '../../../commands/ledger/events.ts';
import { ManualClock, SequentialIds } from '../../../core/clock.ts';
import { loadConfig } from '../../../server/config.ts';
import { openLedger } from '../../../server/context.ts';
import { anchorWorker } from '../../../server/ledger.ts';
import { workerCatalog } from '../../../server/workers.ts';
import { type ChainFixture, revertOf, startChainFixture } from '../../support/chain.ts';
import { clash } from '../../support/cli.ts';
import { specFor } from '../../support/decider-spec.ts';
import { tempDir } from '../../support/store.ts';
import { walletLedgerComposition } from '../../support/wallet/composition.ts';

const composition = walletLedgerComposition;
const dir = tempDir('clash-anchoring-');
const T0 = Date.UTC(2026, 0, 1);
const K = 2;

const anchor = (sequence: number, txHash = `0x${'ab'.repeat(32)}`): LedgerAnchor => ({
  sequence,
  treeSize: sequence * 10,
  rootHash: 'cd'.repeat(32),
  chainId: 31337,
  vault: `0x${'12'.repeat(20)}`,
  txHash,
  blockNumber: 7,
  blockTime: T0,
});
const anchored = (a: LedgerAnchor): AnchorEvent => ({ type: 'LedgerCheckpointAnchored', data: a });

test('anchors move forward only: the same one again is a no-op, an older or re-sent one is refused', () => {
  const spec = specFor(anchorDecider);
  spec
    .given([])
    .when({ type: 'RecordAnchor', anchor: anchor(2) })
    .thenEmits([anchored(anchor(2))]);
  spec
    .given([anchored(anchor(2))])
    .when({ type: 'RecordAnchor', anchor: anchor(4) })
    .thenEmits([anchored(anchor(4))]);
  spec
    .given([anchored(anchor(2))])
    .when({ type: 'RecordAnchor', anchor: anchor(2) })
    .thenEmits([]);
  spec
    .given([anchored(anchor(4))])
    .when({ type: 'RecordAnchor', anchor: anchor(2) })
    .thenThrows('anchor_behind');
  spec
    .given([anchored(anchor(2))])
    .when({ type: 'RecordAnchor', anchor: anchor(2, `0x${'ef'.repeat(32)}`) })
    .thenThrows('anchor_behind');
});

/** A wallet ledger with a signed checkpoint after every 3 appends: `checkpoints` of them. */
function buildLedger(file: string, checkpoints: number) {
  const clock = new ManualClock(T0);
  const ledger = openLedger({ dbPath: file, composition, synchronous: 'NORMAL', clock, ids: new SequentialIds() });
  for (let i = 0; i < checkpoints * 3; i++) {
    clock.advance(1_000);
    const event =
      i === 0
        ? { type: 'WalletOpened', data: { walletId: 'w0', owner: 'owner-0', openedAt: clock.now() } }
        : { type: 'FundsDeposited', data: { walletId: 'w0', amount: BigInt(100 + i), memo: `deposit ${i}`, at: clock.now() } };
    ledger.store.append('wallet-w0', [event], { metadata: { actor: 'user:0' } });
    if (i % 3 === 2) ledger.checkpoints.record();
  }
  return { ledger, clock, publicKeyHex: ledger.ledgerKey().publicKeyHex };
}

let fixture: ChainFixture;
let anchors: VaultAnchors;
const file = dir.file('anchored.db');
let publicKeyHex = '';

test.before(async () => {
  fixture = await startChainFixture();
  anchors = vaultAnchors({
    client: fixture.client,
    chainId: fixture.vault.chainId,
    vault: fixture.vault.address,
    fromBlock: 0n,
    signer: { account: fixture.backend, rpcUrl: fixture.anvil.rpcUrl },
  });
});
test.after(async () => {
  await fixture.anvil.stop();
});

test('checkpoints K, 2K, … are anchored by the signer and recorded with their transaction; a stranger cannot anchor', async () => {
  const built = buildLedger(file, 5);
  publicKeyHex = built.publicKeyHex;
  const ledgerAnchors = new LedgerAnchors({ store: built.ledger.store, chain: anchors });
  const recorded: LedgerAnchor[] = [];
  for (let a = await ledgerAnchors.anchorDue(K); a; a = await ledgerAnchors.anchorDue(K)) recorded.push(a);
  assert.equal(
    recorded.map((a) => a.sequence),
    [2, 4],
    'checkpoints 2 and 4 of 5',
  );
  const signed = built.ledger.store.readStream('ledger-checkpoints').map((e) => e.data as { treeSize: number; rootHash: string });
  assert.equal(
    recorded.map((a) => [a.treeSize, a.rootHash]),
    [signed[1], signed[3]].map((c) => [c?.treeSize, c?.rootHash]),
  );
  const onChain = await anchors.all(0n);
  assert.equal(
    onChain.map((l) => [l.treeSize, l.rootHash, l.txHash, l.blockNumber, l.blockTime]),
    recorded.map((a) => [a.treeSize, a.rootHash, a.txHash, a.blockNumber, a.blockTime]),
  );
  assert.equal(recorded[0]?.vault, fixture.vault.address.toLowerCase());
  assert.ok((recorded[0]?.blockTime ?? 0) > 0, 'the time the chain fixes');

  const stranger = await fixture.wallet('stranger');
  const refused = await revertOf(
    stranger.writeContract({
      address: fixture.vault.address,
      abi: signedVaultAbi,
      functionName: 'anchor',
      args: [1n, `0x${'00'.repeat(32)}`],
    }),
  );
  assert.is(refused.name, 'NotSigner');

  // A crash after sending and before recording: the anchor is on chain, not in the log.
  built.clock.advance(1_000);
  for (let i = 0; i < 2; i++) {
    built.ledger.store.append(
      'wallet-w0',
      [{ type: 'FundsDeposited', data: { walletId: 'w0', amount: 5n, memo: 'late', at: built.clock.now() } }],
      {
        metadata: { actor: 'user:0' },
      },
    );
    built.ledger.checkpoints.record();
  }
  const sixth = built.ledger.store.readStream('ledger-checkpoints')[5]?.data as { treeSize: number; rootHash: string };
  const sent = await anchors.send(sixth.treeSize, sixth.rootHash);
  const recovered = await ledgerAnchors.anchorDue(K);
  assert.equal([recovered?.sequence, recovered?.txHash], [6, sent.txHash], 'the anchor found on chain is recorded');
  assert.is((await anchors.all(0n)).length, 3, 'nothing sent twice');
  assert.is(await ledgerAnchors.anchorDue(K), null, 'checkpoint 8 is not signed yet');
  built.ledger.close();
});

const chainEnv = () => ({
  CHAIN_RPC_URL: fixture.anvil.rpcUrl,
  CHAIN_ID: String(fixture.vault.chainId),
  VAULT_ADDRESS: fixture.vault.address,
});
const verify = (db: string, ...extra: string[]) =>
  clash(['ledger', 'verify', '--db', db, '--public-key', publicKeyHex, ...extra], composition, chainEnv());

test('clash ledger verify --chain: passes on the log as written; fails when a recorded transaction or the chain disagrees with the log', async () => {
  const ok = await verify(file, '--chain', '--json');
  assert.is(ok.code, 0, ok.stderr);
  const report = JSON.parse(ok.stdout) as { anchors: { recorded: number; onChain: number; ok: boolean } };
  assert.equal(report.anchors, { ok: true, recorded: 3, onChain: 3, problems: [] });

  // A recorded anchor whose transaction is not the chain's (the row edited with the triggers dropped).
  const edited = dir.file('edited-anchor.db');
  copyFileSync(file, edited);
  const db = new Database(edited);
  for (const t of db.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger'").pluck().all() as string[])
    db.exec(`DROP TRIGGER ${t}`);
  const row = db
    .prepare<[], { position: number; data: string }>("SELECT position, data FROM events WHERE type = 'LedgerCheckpointAnchored' LIMIT 1")
    .get();
  const forged = JSON.stringify({ ...JSON.parse(row?.data ?? '{}'), txHash: `0x${'99'.repeat(32)}` });
  db.prepare('UPDATE events SET data = ? WHERE position = ?').run(forged, row?.position);
  db.close();
  const bad = await verify(edited, '--chain');
  assert.is(bad.code, 1);
  assert.match(
    bad.stdout,
    `position ${row?.position}: anchor at position ${row?.position}: transaction 0x${'99'.repeat(32)} holds no CheckpointAnchored log`,
  );

  // A recorded anchor whose data is no anchor at all.
  const garbled = dir.file('garbled-anchor.db');
  copyFileSync(edited, garbled);
  const g = new Database(garbled);
  g.prepare('UPDATE events SET data = ? WHERE position = ?').run('{"bogus":1}', row?.position);
  g.close();
  const unreadable = await verify(garbled, '--chain');
  assert.is(unreadable.code, 1);
  assert.match(unreadable.stdout, `position ${row?.position}: anchor at position ${row?.position} is unreadable`);

  // The chain anchors another root for a tree size the log has checkpointed: the log was rewritten after anchoring.
  const first = (await anchors.all(0n))[0];
  await anchors.send(first?.treeSize ?? 0, 'ee'.repeat(32));
  const plain = await verify(file);
  assert.is(plain.code, 0, 'without --chain the log alone still verifies');
  const rewritten = await verify(file, '--chain');
  assert.is(rewritten.code, 1);
  assert.match(rewritten.stderr, `the chain anchors root ${'ee'.repeat(32)} for tree size ${first?.treeSize}`);
  assert.match(rewritten.stderr, 'the log was rewritten after it was anchored');
});

test('the anchors worker: a tick anchors what is due; it cannot run without a chain or with K = 0', async () => {
  const built = buildLedger(dir.file('worker.db'), 4);
  const silent = pino({ level: 'silent' });
  const worker = anchorWorker(built.ledger, anchors, K, 60_000, silent);
  assert.equal([worker.name, worker.exclusive], ['anchors', true]);
  const first = await worker.tick(T0);
  assert.equal(first?.signals, { anchored: 2, lastAnchoredSequence: 4 });
  assert.equal((await worker.tick(T0))?.signals, { anchored: 0, lastAnchoredSequence: 4 }, 'nothing more is due');
  built.ledger.close();
  const config = loadConfig({ NODE_ENV: 'test' });
  const ctx = { config, economy: null } as unknown as Parameters<NonNullable<(typeof workerCatalog)['anchors']>>[0];
  assert.is(workerCatalog.anchors?.(ctx), 'no chain is configured');
  const off = { ...ctx, config: loadConfig({ NODE_ENV: 'test', CLASH_ANCHOR_EVERY_CHECKPOINTS: '0' }) };
  assert.is(workerCatalog.anchors?.(off), 'CLASH_ANCHOR_EVERY_CHECKPOINTS is 0');
});

test('--chain without a configured chain is a usage error naming the variables', async () => {
  const run = await clash(['ledger', 'verify', '--db', file, '--public-key', publicKeyHex, '--chain'], composition, {});
  assert.is(run.code, 2);
  assert.match(run.stderr, 'CHAIN_RPC_URL, CHAIN_ID and VAULT_ADDRESS');
});

test.run();
