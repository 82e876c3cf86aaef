/** The backend's vault signer: signs quotes and withdrawal authorizations with a local key. */
import type { Address, Hex, LocalAccount } from 'viem';
import { type Quote, quoteTypedData, type VaultRef, type WithdrawalAuthorization, withdrawalTypedData } from './typed-data.ts';

export interface VaultSigner {
  /** The address the vault was deployed with as its signer. */
  readonly address: Address;
  readonly vault: VaultRef;
  signQuote(quote: Quote): Promise<Hex>;
  signWithdrawal(authorization: WithdrawalAuthorization): Promise<Hex>;
}

export function createVaultSigner(account: LocalAccount, vault: VaultRef): VaultSigner {
  return {
    address: account.address,
    vault,
    signQuote: (quote) => account.signTypedData(quoteTypedData(vault, quote)),
    signWithdrawal: (authorization) => account.signTypedData(withdrawalTypedData(vault, authorization)),
  };
}
