/** Deploys SignedVault with the backend signer's address; resolves once the deployment is mined. */
import { type Account, type Address, type Chain, getAddress, type PublicClient, type Transport, type WalletClient } from 'viem';
import { signedVaultAbi, signedVaultBytecode } from './signed-vault-artifact.ts';
import type { VaultRef } from './typed-data.ts';

export async function deployVault(
  deployer: WalletClient<Transport, Chain, Account>,
  client: PublicClient,
  signer: Address,
): Promise<VaultRef> {
  const hash = await deployer.deployContract({ abi: signedVaultAbi, bytecode: signedVaultBytecode, args: [signer] });
  const receipt = await client.waitForTransactionReceipt({ hash });
  if (receipt.status !== 'success' || !receipt.contractAddress) throw new Error(`SignedVault deployment ${hash} failed`);
  return { chainId: deployer.chain.id, address: getAddress(receipt.contractAddress) };
}
