/**
 * An offline chain with a deployed vault: starts anvil on 127.0.0.1, gives the backend signer
 * ETH for gas, and deploys SignedVault from it. The development default when no RPC is
 * configured, and the fixture of the chain tests.
 */
import {
  type Address,
  createPublicClient,
  createTestClient,
  createWalletClient,
  defineChain,
  getAddress,
  http,
  type LocalAccount,
  type PublicClient,
  parseEther,
} from 'viem';
import { type Anvil, type AnvilOptions, startAnvil } from './anvil.ts';
import { deployVault } from './deploy.ts';
import { signedVaultAbi } from './signed-vault-artifact.ts';
import type { VaultRef } from './typed-data.ts';

export interface LocalVault {
  readonly anvil: Anvil;
  readonly chain: ReturnType<typeof localChain>;
  readonly client: PublicClient;
  readonly vault: VaultRef;
  /** True when `vault` is the `existing` one found on a chain loaded from its state, false when deployed now. */
  readonly reused: boolean;
  stop(): Promise<void>;
}

export interface LocalVaultOptions extends AnvilOptions {
  /** A vault deployed on this chain before (its state loaded from `statePath`): reused when it is there with this signer. */
  readonly existing?: VaultRef;
}

/** True when `vault` is a SignedVault on this chain whose signer is `signer` (its code is there and answers `signer()`). */
async function isVaultOf(client: PublicClient, vault: VaultRef, signer: Address): Promise<boolean> {
  if (vault.chainId !== (await client.getChainId())) return false;
  const code = await client.getCode({ address: vault.address });
  if (code === undefined || code === '0x') return false;
  const current = await client.readContract({ address: vault.address, abi: signedVaultAbi, functionName: 'signer' });
  return getAddress(current) === getAddress(signer);
}

/** Local nodes answer at once: poll often so waiting for a receipt takes milliseconds, not seconds. */
export const localPollingIntervalMs = 20;

export function localChain(anvil: Anvil) {
  return defineChain({
    id: anvil.chainId,
    name: 'Local anvil',
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [anvil.rpcUrl] } },
  });
}

/**
 * Starts anvil (see `AnvilOptions`: a state file makes the chain survive a restart), funds
 * `signer` with 1000 ETH for gas, and deploys a SignedVault signed by it — or reuses `existing`
 * when the loaded chain holds it with the same signer.
 */
export async function startLocalVault(signer: LocalAccount, options: LocalVaultOptions = {}): Promise<LocalVault> {
  const anvil = await startAnvil(options);
  try {
    const chain = localChain(anvil);
    const transport = http(anvil.rpcUrl);
    const client = createPublicClient({ chain, transport, pollingInterval: localPollingIntervalMs });
    await createTestClient({ mode: 'anvil', chain, transport }).setBalance({ address: signer.address, value: parseEther('1000') });
    const reused = options.existing !== undefined && (await isVaultOf(client, options.existing, signer.address));
    const deployer = createWalletClient({ account: signer, chain, transport, pollingInterval: localPollingIntervalMs });
    const vault = reused && options.existing ? options.existing : await deployVault(deployer, client, signer.address);
    return { anvil, chain, client, vault, reused, stop: () => anvil.stop() };
  } catch (error) {
    await anvil.stop();
    throw error;
  }
}
