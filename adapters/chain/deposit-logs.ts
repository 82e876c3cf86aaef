/**
 * The vault's Deposit logs from a block on: what reconciliation compares with the ledger. Each
 * log is validated with zod where it enters; removed logs (a reorg seen by the node) are skipped.
 */
import { type Address, getAbiItem, type Hash, type PublicClient } from 'viem';
import { z } from 'zod';
import { parseChainData, zBytes32, zUint256 } from './schemas.ts';
import { signedVaultAbi } from './signed-vault-artifact.ts';

export type LogReader = Pick<PublicClient, 'getLogs'>;

export interface DepositLogEntry {
  readonly quoteId: Hash;
  readonly txHash: Hash;
  readonly blockNumber: bigint;
}

const zDepositLog = z.object({
  removed: z.boolean(),
  transactionHash: zBytes32,
  blockNumber: zUint256,
  args: z.object({ quoteId: zBytes32 }),
});

const depositEvent = getAbiItem({ abi: signedVaultAbi, name: 'Deposit' });

export async function depositLogsSince(client: LogReader, vault: Address, fromBlock: bigint): Promise<DepositLogEntry[]> {
  const logs = await client.getLogs({ address: vault, event: depositEvent, fromBlock, toBlock: 'latest' });
  return logs
    .map((log) => parseChainData(zDepositLog, log, 'Deposit log'))
    .filter((log) => !log.removed)
    .map((log) => ({ quoteId: log.args.quoteId, txHash: log.transactionHash, blockNumber: log.blockNumber }));
}
