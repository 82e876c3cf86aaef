/**
 * The vault's logs from a block on, what reconciliation compares with the ledger: Deposit logs
 * (payments) and Withdrawal logs (redemptions). Each log is validated with zod where it enters;
 * removed logs (a reorg seen by the node) are skipped.
 */
import { type AbiEvent, type Address, getAbiItem, type Hash, type PublicClient } from 'viem';
import { z } from 'zod';
import { parseChainData, zAddress, zBytes32, zLogEnvelope, zUint256 } from './schemas.ts';
import { signedVaultAbi } from './signed-vault-artifact.ts';

export type LogReader = Pick<PublicClient, 'getLogs'>;

export interface DepositLogEntry {
  readonly quoteId: Hash;
  readonly txHash: Hash;
  readonly blockNumber: bigint;
}

/** A Withdrawal log: the vault paid `amountWei` to `recipient` for `withdrawalId`. */
export interface WithdrawalLogEntry {
  readonly withdrawalId: Hash;
  readonly recipient: Address;
  readonly amountWei: bigint;
  readonly txHash: Hash;
  readonly blockNumber: bigint;
}

/** The logs of one vault event from `fromBlock` to the latest block, validated, reorged ones skipped. */
async function vaultLogs<A extends z.ZodType>(
  client: LogReader,
  vault: Address,
  name: 'Deposit' | 'Withdrawal',
  args: A,
  fromBlock: bigint,
): Promise<{ transactionHash: Hash; blockNumber: bigint; args: z.output<A> }[]> {
  const event = getAbiItem({ abi: signedVaultAbi, name }) as AbiEvent;
  const logs = await client.getLogs({ address: vault, event, fromBlock, toBlock: 'latest' });
  return logs
    .map((log) => ({
      ...parseChainData(zLogEnvelope, log, `${name} log`),
      args: parseChainData(args, (log as { args?: unknown }).args, `${name} log`),
    }))
    .filter((log) => !log.removed)
    .map((log) => ({ transactionHash: log.transactionHash, blockNumber: log.blockNumber, args: log.args }));
}

export async function depositLogsSince(client: LogReader, vault: Address, fromBlock: bigint): Promise<DepositLogEntry[]> {
  const logs = await vaultLogs(client, vault, 'Deposit', z.object({ quoteId: zBytes32 }), fromBlock);
  return logs.map((log) => ({ quoteId: log.args.quoteId as Hash, txHash: log.transactionHash, blockNumber: log.blockNumber }));
}

export async function withdrawalLogsSince(client: LogReader, vault: Address, fromBlock: bigint): Promise<WithdrawalLogEntry[]> {
  const args = z.object({ withdrawalId: zBytes32, recipient: zAddress, amount: zUint256 });
  const logs = await vaultLogs(client, vault, 'Withdrawal', args, fromBlock);
  return logs.map((log) => ({
    withdrawalId: log.args.withdrawalId as Hash,
    recipient: log.args.recipient as Address,
    amountWei: log.args.amount as bigint,
    txHash: log.transactionHash,
    blockNumber: log.blockNumber,
  }));
}
