/**
 * Vault logs where they enter (adapters/chain: the one `zLogEnvelope` of deposit-logs.ts and
 * anchors.ts), over a node that answers what the test scripts: a log a reorg removed is skipped,
 * a log with a malformed envelope is `chain_data_invalid` naming the log's kind.
 */

import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Address, PublicClient } from 'viem';
import { vaultAnchors } from '../../../adapters/chain/anchors.ts';
import { depositLogsSince } from '../../../adapters/chain/deposit-logs.ts';

const VAULT = `0x${'12'.repeat(20)}` as Address;
const hash = (byte: string) => `0x${byte.repeat(32)}`;

/** A node whose `getLogs` answers `logs` and whose blocks are all at 1,000 s. */
const node = (logs: readonly object[]) =>
  ({ getLogs: async () => logs, getBlock: async () => ({ timestamp: 1000n }) }) as unknown as PublicClient;
const code = async (p: Promise<unknown>) =>
  p.then(
    () => 'none',
    (e: Error & { code?: string; message: string }) => `${e.code}: ${e.message}`,
  );

test('deposit logs: removed ones skipped, a malformed transaction hash refused as chain data', async () => {
  const kept = { removed: false, transactionHash: hash('AB'), blockNumber: 7n, args: { quoteId: hash('01') } };
  const gone = { ...kept, removed: true, transactionHash: hash('cd') };
  assert.equal(await depositLogsSince(node([kept, gone]), VAULT, 0n), [{ quoteId: hash('01'), txHash: hash('ab'), blockNumber: 7n }]);
  assert.is(
    await code(depositLogsSince(node([{ ...kept, transactionHash: '0x12' }]), VAULT, 0n)),
    'chain_data_invalid: the chain node sent a malformed Deposit log',
  );
});

test('anchor logs: removed ones skipped, a malformed block number refused as chain data', async () => {
  const kept = { removed: false, transactionHash: hash('ab'), blockNumber: 7n, args: { treeSize: 10n, rootHash: hash('cd') } };
  const gone = { ...kept, removed: true };
  const anchors = (logs: readonly object[]) => vaultAnchors({ client: node(logs), chainId: 31337, vault: VAULT, fromBlock: 0n });
  assert.equal(await anchors([kept, gone]).all(0n), [
    { treeSize: 10, rootHash: 'cd'.repeat(32), txHash: hash('ab'), blockNumber: 7, blockTime: 1_000_000 },
  ]);
  assert.is(
    await code(anchors([{ ...kept, blockNumber: -1n }]).all(0n)),
    'chain_data_invalid: the chain node sent a malformed CheckpointAnchored log',
  );
});

test.run();
