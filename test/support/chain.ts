/**
 * Chain test fixture: one real anvil per test file with a deployed vault, deterministic keys
 * (funded on demand), wallet clients, quote/withdrawal builders, and the revert a call would hit.
 */
import {
  type Address,
  BaseError,
  ContractFunctionRevertedError,
  createTestClient,
  createWalletClient,
  type Hex,
  http,
  keccak256,
  type LocalAccount,
  parseEther,
  toHex,
} from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import type { AnvilOptions } from '../../adapters/chain/anvil.ts';
import { type LocalVault, localPollingIntervalMs, startLocalVault } from '../../adapters/chain/local-vault.ts';
import { signedVaultAbi } from '../../adapters/chain/signed-vault-artifact.ts';
import { createVaultSigner, type VaultSigner } from '../../adapters/chain/signer.ts';
import { QUOTE_PURPOSE, type Quote, type WithdrawalAuthorization } from '../../adapters/chain/typed-data.ts';

/** A deterministic private key named for its role in a test. */
export const testKey = (name: string): Hex => keccak256(toHex(`clash-test-${name}`));

export function testAccount(name: string): LocalAccount {
  return privateKeyToAccount(testKey(name));
}

/** A deterministic 32-byte id. */
export function id32(name: string): Hex {
  return keccak256(toHex(name));
}

/** `options.timestamp` starts the chain in the past (a test on a manual clock over historical prices). */
export async function startChainFixture(options: AnvilOptions = {}) {
  const backend = testAccount('backend-signer');
  const local: LocalVault = await startLocalVault(backend, options);
  const { chain, client, vault } = local;
  const transport = http(local.anvil.rpcUrl);
  const testClient = createTestClient({ mode: 'anvil', chain, transport, pollingInterval: localPollingIntervalMs });
  const signer: VaultSigner = createVaultSigner(backend, vault);

  const walletOf = (account: LocalAccount) => createWalletClient({ account, chain, transport, pollingInterval: localPollingIntervalMs });

  /** A funded wallet for `name`. */
  const wallet = async (name: string, ether = '100') => {
    const account = testAccount(name);
    await testClient.setBalance({ address: account.address, value: parseEther(ether) });
    return walletOf(account);
  };

  const now = async () => (await client.getBlock()).timestamp;

  /** Moves chain time up to `ms` (a manual clock's time) for the next block; never backwards. */
  const follow = async (ms: number) => {
    const timestamp = BigInt(Math.floor(ms / 1000));
    if (timestamp > (await now())) await testClient.setNextBlockTimestamp({ timestamp });
  };

  let quotes = 0;
  /** A fresh quote for `payer`, valid for an hour of chain time unless overridden. */
  const quote = async (payer: Address, overrides: Partial<Quote> = {}): Promise<Quote> => ({
    id: id32(`quote-${++quotes}`),
    payer,
    amount: parseEther('0.01'),
    purpose: QUOTE_PURPOSE.auditionFee,
    ref: id32(`clone-${quotes}`),
    deadline: (await now()) + 3600n,
    ...overrides,
  });

  let withdrawals = 0;
  const withdrawal = async (recipient: Address, overrides: Partial<WithdrawalAuthorization> = {}): Promise<WithdrawalAuthorization> => ({
    id: id32(`withdrawal-${++withdrawals}`),
    recipient,
    amount: parseEther('0.01'),
    deadline: (await now()) + 3600n,
    ...overrides,
  });

  type Wallet = ReturnType<typeof walletOf>;

  /** Sends a deposit and waits for its receipt. `gas` skips estimation, so a reverting call is mined. */
  const deposit = async (from: Wallet, q: Quote, signature: Hex, options: { value?: bigint; gas?: bigint } = {}) => {
    const hash = await from.writeContract({
      address: vault.address,
      abi: signedVaultAbi,
      functionName: 'deposit',
      args: [q, signature],
      value: options.value ?? q.amount,
      ...(options.gas === undefined ? {} : { gas: options.gas }),
    });
    return client.waitForTransactionReceipt({ hash });
  };

  const withdraw = async (from: Wallet, w: WithdrawalAuthorization, signature: Hex) => {
    const hash = await from.writeContract({ address: vault.address, abi: signedVaultAbi, functionName: 'withdraw', args: [w, signature] });
    return client.waitForTransactionReceipt({ hash });
  };

  return { ...local, testClient, signer, backend, wallet, quote, withdrawal, deposit, withdraw, now, follow };
}

export type ChainFixture = Awaited<ReturnType<typeof startChainFixture>>;

/** The custom error (name and arguments) a failed contract call reverted with. */
export async function revertOf(call: Promise<unknown>): Promise<{ name: string; args: readonly unknown[] }> {
  try {
    await call;
  } catch (error) {
    const reverted = error instanceof BaseError ? error.walk((e) => e instanceof ContractFunctionRevertedError) : null;
    if (reverted instanceof ContractFunctionRevertedError && reverted.data) {
      return { name: reverted.data.errorName, args: reverted.data.args ?? [] };
    }
    throw error;
  }
  throw new Error('expected the call to revert');
}
