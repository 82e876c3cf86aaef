/** A public client for a configured chain, refusing an RPC that answers another chain id. */
import { createPublicClient, http, type PublicClient } from 'viem';
import { ClashError } from '../../core/errors.ts';

export async function connectChain(rpcUrl: string, chainId: number): Promise<PublicClient> {
  const client = createPublicClient({ transport: http(rpcUrl) });
  const actual = await client.getChainId();
  if (actual !== chainId) {
    throw new ClashError('chain_id_mismatch', 'unavailable', `the RPC at ${rpcUrl} serves chain ${actual}, not ${chainId}`, {
      expected: chainId,
      actual,
    });
  }
  return client;
}
