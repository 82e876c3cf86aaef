/**
 * Deposit verification: does a transaction pay a given quote into the vault, for good? The
 * answer is `verified`, `pending` (ask again later) or `refused` with a code. A final answer
 * (verified or refused) is only given once the transaction's block has the required number of
 * confirmations and is still on the canonical chain; before that, or if the transaction is not
 * (or no longer, after a reorg) in a block, the answer is `pending`. The checklist is in
 * doc/economy.md.
 */
import {
  type Address,
  BlockNotFoundError,
  decodeEventLog,
  type Hash,
  type PublicClient,
  TransactionNotFoundError,
  TransactionReceiptNotFoundError,
} from 'viem';
import { z } from 'zod';
import { parseChainData, parseInput, zAddress, zBytes32, zHex, zUint8, zUint256 } from './schemas.ts';
import { signedVaultAbi } from './signed-vault-artifact.ts';
import { type Quote, zQuote } from './typed-data.ts';

/** The reads verification needs; a viem PublicClient has them. */
export type ChainReader = Pick<PublicClient, 'getTransactionReceipt' | 'getTransaction' | 'getBlockNumber' | 'getBlock'>;

export interface VerifiedDeposit {
  readonly status: 'verified';
  readonly txHash: Hash;
  readonly quoteId: Hash;
  readonly payer: Address;
  /** wei */
  readonly amount: bigint;
  readonly blockNumber: bigint;
  readonly blockHash: Hash;
  readonly logIndex: number;
  readonly confirmations: bigint;
}

export type PendingReason =
  | 'not_found' // the node does not know the transaction (not yet propagated, dropped, or made up)
  | 'not_mined' // known, waiting in the mempool
  | 'awaiting_confirmations' // mined, fewer confirmations than required
  | 'reorged'; // the receipt's block is no longer canonical

export interface PendingDeposit {
  readonly status: 'pending';
  readonly txHash: Hash;
  readonly reason: PendingReason;
  readonly confirmations: bigint;
  readonly required: bigint;
}

export const zDepositRefusalCode = z.enum([
  'tx_failed',
  'wrong_contract',
  'no_deposit_log',
  'quote_id_mismatch',
  'payer_mismatch',
  'amount_mismatch',
  'purpose_mismatch',
  'ref_mismatch',
]);
export type DepositRefusalCode = z.output<typeof zDepositRefusalCode>;

export interface RefusedDeposit {
  readonly status: 'refused';
  readonly txHash: Hash;
  readonly code: DepositRefusalCode;
  readonly message: string;
  /** The figures behind the refusal (expected and actual values, as strings). */
  readonly info: Readonly<Record<string, string>>;
}

export type DepositVerification = VerifiedDeposit | PendingDeposit | RefusedDeposit;

export interface DepositVerifier {
  verifyDeposit(txHash: Hash, expected: Quote, options: { confirmations: number }): Promise<DepositVerification>;
}

const zReceipt = z.object({
  status: z.enum(['success', 'reverted']),
  to: zAddress.nullable(),
  blockNumber: zUint256,
  blockHash: zBytes32,
  logs: z.array(
    z.object({
      address: zAddress,
      topics: z.array(zBytes32),
      data: zHex,
      logIndex: z.number().int().nonnegative(),
      removed: z.boolean().optional(),
    }),
  ),
});

const zDepositArgs = z.object({ quoteId: zBytes32, payer: zAddress, amount: zUint256, purpose: zUint8, ref: zBytes32 });
type DepositLog = z.output<typeof zDepositArgs> & { logIndex: number };

const zOptions = z.object({ confirmations: z.number().int().positive() });

/** The vault's Deposit logs in a receipt (other logs and removed ones are ignored). */
function depositLogs(receipt: z.output<typeof zReceipt>, vault: Address): DepositLog[] {
  const found: DepositLog[] = [];
  for (const log of receipt.logs) {
    const [signature, ...rest] = log.topics;
    if (log.removed || log.address !== vault || !signature) continue;
    let decoded: ReturnType<typeof decodeEventLog<typeof signedVaultAbi>>;
    try {
      decoded = decodeEventLog({ abi: signedVaultAbi, topics: [signature, ...rest], data: log.data });
    } catch {
      continue; // not an event of the vault's ABI
    }
    // viem decodes whichever event the first topic names, so the name must be checked.
    if (decoded.eventName !== 'Deposit') continue;
    found.push({ ...parseChainData(zDepositArgs, decoded.args, 'Deposit log'), logIndex: log.logIndex });
  }
  return found;
}

async function findReceipt(client: ChainReader, hash: Hash): Promise<{ receipt: unknown } | { pending: PendingReason }> {
  try {
    return { receipt: await client.getTransactionReceipt({ hash }) };
  } catch (error) {
    if (!(error instanceof TransactionReceiptNotFoundError)) throw error;
  }
  try {
    await client.getTransaction({ hash });
    return { pending: 'not_mined' };
  } catch (error) {
    if (error instanceof TransactionNotFoundError) return { pending: 'not_found' };
    throw error;
  }
}

async function canonicalHash(client: ChainReader, blockNumber: bigint): Promise<string | undefined> {
  try {
    return (await client.getBlock({ blockNumber })).hash?.toLowerCase();
  } catch (error) {
    if (error instanceof BlockNotFoundError) return undefined;
    throw error;
  }
}

export function createDepositVerifier(client: ChainReader, vault: Address): DepositVerifier {
  const vaultAddress = parseInput(zAddress, vault, 'vault');
  return {
    async verifyDeposit(txHashInput, expectedInput, optionsInput) {
      const txHash = parseInput(zBytes32, txHashInput, 'txHash');
      const expected = parseInput(zQuote, expectedInput, 'quote');
      const required = BigInt(parseInput(zOptions, optionsInput, 'options').confirmations);
      const pending = (reason: PendingReason, confirmations = 0n): PendingDeposit => ({
        status: 'pending',
        txHash,
        reason,
        confirmations,
        required,
      });
      const refused = (code: DepositRefusalCode, message: string, info: Record<string, string> = {}): RefusedDeposit => ({
        status: 'refused',
        txHash,
        code,
        message,
        info,
      });

      const found = await findReceipt(client, txHash);
      if ('pending' in found) return pending(found.pending);
      const receipt = parseChainData(zReceipt, found.receipt, 'transaction receipt');
      const head = await client.getBlockNumber({ cacheTime: 0 });
      const confirmations = head >= receipt.blockNumber ? head - receipt.blockNumber + 1n : 0n;
      if (confirmations < required) return pending('awaiting_confirmations', confirmations);
      if ((await canonicalHash(client, receipt.blockNumber)) !== receipt.blockHash) return pending('reorged', confirmations);

      if (receipt.to !== vaultAddress) {
        return refused('wrong_contract', 'the transaction was not sent to the vault', { vault: vaultAddress, to: String(receipt.to) });
      }
      if (receipt.status !== 'success') return refused('tx_failed', 'the transaction reverted');
      const logs = depositLogs(receipt, vaultAddress);
      if (logs.length === 0) return refused('no_deposit_log', 'the transaction emitted no Deposit event from the vault');
      const log = logs.find((l) => l.quoteId === expected.id);
      if (!log) {
        return refused('quote_id_mismatch', 'the Deposit event is for another quote', {
          expected: expected.id,
          actual: logs.map((l) => l.quoteId).join(','),
        });
      }
      const mismatches = [
        ['payer_mismatch', 'payer', expected.payer, log.payer],
        ['amount_mismatch', 'amount', expected.amount, log.amount],
        ['purpose_mismatch', 'purpose', expected.purpose, log.purpose],
        ['ref_mismatch', 'ref', expected.ref, log.ref],
      ] as const;
      for (const [code, field, want, got] of mismatches) {
        if (want !== got) {
          return refused(code, `the Deposit event's ${field} differs from the quote's`, { expected: String(want), actual: String(got) });
        }
      }
      return {
        status: 'verified',
        txHash,
        quoteId: log.quoteId,
        payer: log.payer,
        amount: log.amount,
        blockNumber: receipt.blockNumber,
        blockHash: receipt.blockHash,
        logIndex: log.logIndex,
        confirmations,
      };
    },
  };
}
