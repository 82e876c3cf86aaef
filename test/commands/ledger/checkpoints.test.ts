/**
 * Checkpoints: the decider (forward only, a repeat is a no-op, a different root at the same size
 * is a fork), the signed message byte for byte with Ed25519 refusing any changed field, the
 * schedule (every N events or T seconds), and `covering` for settlements.
 */
import { generateKeyPairSync } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ledgerDecider } from '../../../commands/ledger/decider.ts';
import type { LedgerCheckpoint, LedgerEvent } from '../../../commands/ledger/events.ts';
import { ManualClock } from '../../../core/clock.ts';
import { checkpointMessage, keyIdOf, signCheckpoint, verifyCheckpointSignature } from '../../../core/signed-checkpoint.ts';
import { openLedger } from '../../../server/context.ts';
import { specFor } from '../../support/decider-spec.ts';
import { tempDir } from '../../support/store.ts';
import { walletLedgerComposition } from '../../support/wallet/composition.ts';

const spec = specFor(ledgerDecider);
const cp = (treeSize: number, root = 'aa'): LedgerCheckpoint => ({
  origin: 'clash-ledger',
  treeSize,
  rootHash: root.repeat(32),
  signedAt: 1_000,
  keyId: '0123456789abcdef',
  signature: 'ee'.repeat(64),
});
const signed = (c: LedgerCheckpoint): LedgerEvent => ({ type: 'LedgerCheckpointSigned', data: c });

test('checkpoints only move forward; the same one again is a no-op; another root at the same size is a fork', () => {
  spec
    .given([])
    .when({ type: 'RecordCheckpoint', checkpoint: cp(0) })
    .thenEmits([signed(cp(0))]);
  spec
    .given([signed(cp(5))])
    .when({ type: 'RecordCheckpoint', checkpoint: cp(9) })
    .thenEmits([signed(cp(9))]);
  spec
    .given([signed(cp(5))])
    .when({ type: 'RecordCheckpoint', checkpoint: cp(5) })
    .thenEmits([]);
  spec
    .given([signed(cp(5))])
    .when({ type: 'RecordCheckpoint', checkpoint: cp(5, 'bb') })
    .thenThrows('checkpoint_fork');
  spec
    .given([signed(cp(5))])
    .when({ type: 'RecordCheckpoint', checkpoint: cp(4) })
    .thenThrows('checkpoint_behind');
});

test('the signed message is four lines, and the signature covers every field of it', () => {
  const body = { origin: 'clash-ledger', treeSize: 42, rootHash: 'ab'.repeat(32), signedAt: 1_767_225_600_000 };
  assert.is(checkpointMessage(body).toString('utf8'), `clash-ledger\n42\n${'ab'.repeat(32)}\n1767225600000\n`);
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const signature = signCheckpoint(privateKey, body);
  assert.ok(verifyCheckpointSignature(publicKey, body, signature));
  for (const changed of [
    { ...body, origin: 'other-log' },
    { ...body, treeSize: 43 },
    { ...body, rootHash: 'ac'.repeat(32) },
    { ...body, signedAt: body.signedAt + 1 },
  ]) {
    assert.not.ok(verifyCheckpointSignature(publicKey, changed, signature));
  }
  assert.not.ok(verifyCheckpointSignature(generateKeyPairSync('ed25519').publicKey, body, signature));
  assert.not.ok(verifyCheckpointSignature(publicKey, body, signature.slice(2)));
  assert.throws(() => checkpointMessage({ ...body, rootHash: 'AB'.repeat(32) }), RangeError);
  assert.is(keyIdOf(publicKey).length, 16);
});

test('the schedule: due after N events or T ms with anything new; covering signs only when the latest does not cover', () => {
  const dir = tempDir('clash-checkpoints-');
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  const ledger = openLedger({ dbPath: dir.file('c.db'), composition: walletLedgerComposition, clock, synchronous: 'NORMAL' });
  const schedule = { everyEvents: 3, intervalMs: 60_000 };
  const { checkpoints, store } = ledger;
  assert.not.ok(checkpoints.due(clock.now(), schedule), 'an empty log needs no checkpoint');
  const first = checkpoints.record();
  assert.equal([first.treeSize, store.headPosition()], [0, 1], 'the checkpoint of the empty log is itself event 1');
  assert.equal(checkpoints.record(), first, 'nothing new: the same checkpoint');
  clock.advance(120_000);
  assert.not.ok(checkpoints.due(clock.now(), schedule), 'only the checkpoint itself since: not due, however late');
  const deposit = (i: number) => ({ type: 'FundsDeposited', data: { walletId: 'w', amount: BigInt(i), memo: '', at: i } });
  store.append('wallet-w', [deposit(1), deposit(2)]);
  clock.set(first.signedAt + 59_999);
  assert.not.ok(checkpoints.due(clock.now(), schedule), '2 events, 59.999 s: not yet');
  clock.set(first.signedAt + 60_000);
  assert.ok(checkpoints.due(clock.now(), schedule), '60 s with something new: due');
  clock.set(first.signedAt);
  store.append('wallet-w', [deposit(3)]);
  assert.ok(checkpoints.due(clock.now(), schedule), '3 events: due at once');
  const c = checkpoints.covering(store.headPosition());
  assert.is(c.treeSize, 4, 'covering the head signs a checkpoint of it');
  assert.equal([checkpoints.covering(4), store.headPosition()], [c, 5], 'already covered: nothing signed');
  assert.ok(verifyCheckpointSignature(ledger.ledgerKey().publicKey, c, c.signature));
  assert.ok(store.merkle.rootAt(4).equals(Buffer.from(c.rootHash, 'hex')));
  ledger.close();
  dir.remove();
});

test.run();
