/**
 * Ledger checkpoints on chain through the vault (`SignedVault.anchor`, event `CheckpointAnchored`,
 * doc/ledger-integrity.md "Anchoring on chain"): send an anchor as the vault's signer and wait for
 * its receipt, find the anchor of a tree size, list every anchor from a block on. Each log is
 * validated with zod where it enters; removed logs (a reorg seen by the node) are skipped.
 */
import {
  type AbiEvent,
  type Address,
  type Chain,
  createWalletClient,
  decodeEventLog,
  getAbiItem,
  type Hex,
  http,
  type LocalAccount,
  type PublicClient,
} from 'viem';
import { z } from 'zod';
import { parseChainData, zBytes32, zLogEnvelope, zUint256 } from './schemas.ts';
import { signedVaultAbi } from './signed-vault-artifact.ts';

/** A `CheckpointAnchored` log: tree size, root (64 lower-case hex digits, no 0x), transaction, block and its time (ms). */
export interface AnchorLog {
  readonly treeSize: number;
  readonly rootHash: string;
  readonly txHash: string;
  readonly blockNumber: number;
  readonly blockTime: number;
}

const event = getAbiItem({ abi: signedVaultAbi, name: 'CheckpointAnchored' }) as AbiEvent;
const zArgs = z.object({ treeSize: zUint256, rootHash: zBytes32 });

type RawLog = { removed?: boolean; transactionHash: unknown; blockNumber: unknown; args?: unknown };

/** The vault's anchors as the ledger's `AnchorChain` port wants them (commands/ledger/anchors.ts). */
export interface VaultAnchors {
  readonly chainId: number;
  readonly vault: string;
  find(treeSize: number): Promise<AnchorLog | null>;
  send(treeSize: number, rootHash: string): Promise<AnchorLog>;
  /** Every anchor of the vault from `fromBlock` to the latest block, in chain order. */
  all(fromBlock: bigint): Promise<AnchorLog[]>;
}

/**
 * Anchors over `client` for the vault at `vault` on `chainId`; `signer` (the vault's signer key)
 * is needed only to send, `rpcUrl` with it. `fromBlock` bounds `find` (the vault's deployment block).
 */
export function vaultAnchors(options: {
  readonly client: PublicClient;
  readonly chainId: number;
  readonly vault: Address;
  readonly fromBlock: bigint;
  readonly signer?: { readonly account: LocalAccount; readonly rpcUrl: string; readonly chain?: Chain };
}): VaultAnchors {
  const { client, vault } = options;
  const blockTimes = new Map<bigint, number>();
  const blockTime = async (n: bigint) => {
    let t = blockTimes.get(n);
    if (t === undefined) {
      t = Number((await client.getBlock({ blockNumber: n })).timestamp) * 1000;
      blockTimes.set(n, t);
    }
    return t;
  };
  const parse = async (log: RawLog): Promise<AnchorLog | null> => {
    const env = parseChainData(zLogEnvelope, { removed: false, ...log }, 'CheckpointAnchored log');
    if (env.removed) return null;
    const args = parseChainData(zArgs, log.args, 'CheckpointAnchored log');
    return {
      treeSize: Number(args.treeSize),
      rootHash: args.rootHash.slice(2),
      txHash: env.transactionHash,
      blockNumber: Number(env.blockNumber),
      blockTime: await blockTime(env.blockNumber),
    };
  };
  const logs = async (fromBlock: bigint, treeSize?: number) => {
    const raw = await client.getLogs({
      address: vault,
      event,
      ...(treeSize === undefined ? {} : { args: { treeSize: BigInt(treeSize) } }),
      fromBlock,
      toBlock: 'latest',
    });
    const parsed = await Promise.all(raw.map((l) => parse(l as unknown as RawLog)));
    return parsed.filter((l): l is AnchorLog => l !== null);
  };
  return {
    chainId: options.chainId,
    vault: vault.toLowerCase(),
    all: (fromBlock) => logs(fromBlock),
    find: async (treeSize) => (await logs(options.fromBlock, treeSize))[0] ?? null,
    send: async (treeSize, rootHash) => {
      const signer = options.signer;
      if (!signer) throw new Error('anchoring needs the vault signer key');
      const wallet = createWalletClient({ account: signer.account, transport: http(signer.rpcUrl) });
      const hash = await wallet.writeContract({
        address: vault,
        abi: signedVaultAbi,
        functionName: 'anchor',
        args: [BigInt(treeSize), `0x${rootHash}` as Hex],
        chain: signer.chain ?? null,
      });
      const receipt = await client.waitForTransactionReceipt({ hash });
      if (receipt.status !== 'success') throw new Error(`anchor transaction ${hash} reverted`);
      for (const log of receipt.logs) {
        if (log.address.toLowerCase() !== vault.toLowerCase()) continue;
        const decoded = decodeEventLog({ abi: signedVaultAbi, data: log.data, topics: log.topics, strict: false });
        if (decoded.eventName !== 'CheckpointAnchored') continue;
        const anchored = await parse({ ...log, args: decoded.args });
        if (anchored) return anchored;
      }
      throw new Error(`anchor transaction ${hash} emitted no CheckpointAnchored log`);
    },
  };
}
