/**
 * An offline chain with a deployed vault: starts anvil on 127.0.0.1, gives the backend signer
 * ETH for gas, and deploys SignedVault from it. The development default when no RPC is
 * configured, and the fixture of the chain tests.
 */
import {
  createPublicClient,
  createTestClient,
  createWalletClient,
  defineChain,
  http,
  type LocalAccount,
  type PublicClient,
  parseEther,
} from 'viem';
import { type Anvil, type AnvilOptions, startAnvil } from './anvil.ts';
import { deployVault } from './deploy.ts';
import type { VaultRef } from './typed-data.ts';

export interface LocalVault {
  readonly anvil: Anvil;
  readonly chain: ReturnType<typeof localChain>;
  readonly client: PublicClient;
  readonly vault: VaultRef;
  stop(): Promise<void>;
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

export async function startLocalVault(signer: LocalAccount, options: AnvilOptions = {}): Promise<LocalVault> {
  const anvil = await startAnvil(options);
  try {
    const chain = localChain(anvil);
    const transport = http(anvil.rpcUrl);
    const client = createPublicClient({ chain, transport, pollingInterval: localPollingIntervalMs });
    await createTestClient({ mode: 'anvil', chain, transport }).setBalance({ address: signer.address, value: parseEther('1000') });
    const deployer = createWalletClient({ account: signer, chain, transport, pollingInterval: localPollingIntervalMs });
    const vault = await deployVault(deployer, client, signer.address);
    return { anvil, chain, client, vault, stop: () => anvil.stop() };
  } catch (error) {
    await anvil.stop();
    throw error;
  }
}
