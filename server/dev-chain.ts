/**
 * The embedded development chain: anvil with a SignedVault, its state kept in the development
 * state folder when there is one (`server/dev-state.ts`), so a restart finds the same chain,
 * the same vault (same address, same signer, same balance) and, when the port is free, the
 * same RPC URL. doc/runbook.md, "Development state on disk".
 */
import { existsSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { getAddress, type LocalAccount } from 'viem';
import { type LocalVault, startLocalVault } from '../adapters/chain/local-vault.ts';
import { readChainRecord, writeChainRecord } from './dev-state.ts';

/**
 * Starts the embedded chain. With `stateDir`: loads `anvil-state.json` (an unreadable one is
 * moved aside as `anvil-state.unreadable-<ms>.json` and the chain starts empty, logged as an
 * error), reuses the vault `chain.json` names when the loaded chain holds it with this signer
 * (else deploys one and warns that payments on the old vault cannot be refunded), prefers the
 * last RPC port, and records the result in `chain.json`. Without: a fresh in-memory chain.
 */
export async function startDevelopmentChain(account: LocalAccount, stateDir: string | null, log: Logger): Promise<LocalVault> {
  if (!stateDir) return startLocalVault(account);
  const statePath = join(stateDir, 'anvil-state.json');
  const record = readChainRecord(stateDir);
  const options = {
    statePath,
    ...(record ? { port: record.rpcPort, existing: { chainId: record.chainId, address: getAddress(record.vaultAddress) } } : {}),
  };
  let local: LocalVault;
  try {
    local = await startLocalVault(account, options);
  } catch (error) {
    if (!existsSync(statePath)) throw error;
    const aside = join(stateDir, `anvil-state.unreadable-${Date.now()}.json`);
    renameSync(statePath, aside);
    log.error({ err: error, movedTo: aside }, 'the embedded chain could not start from its saved state: starting an empty chain');
    local = await startLocalVault(account, options);
  }
  if (record && !local.reused) {
    log.warn(
      { previousVault: record.vaultAddress, vault: local.vault.address },
      'the development vault of the last run is not on the chain (state lost or signer changed): deployed a new one; payments made to the old vault cannot be refunded',
    );
  }
  writeChainRecord(stateDir, {
    chainId: local.vault.chainId,
    vaultAddress: local.vault.address,
    signer: account.address,
    rpcPort: local.anvil.port,
  });
  return local;
}
