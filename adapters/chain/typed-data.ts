/**
 * The EIP-712 messages the backend signs and SignedVault checks. The domain binds a signature
 * to one vault on one chain:
 *
 *   EIP712Domain(string name, string version, uint256 chainId, address verifyingContract)
 *     name = "ClashSignedVault", version = "1"
 *   Quote(bytes32 id, address payer, uint256 amount, uint8 purpose, bytes32 ref, uint256 deadline)
 *   Withdrawal(bytes32 id, address recipient, uint256 amount, uint256 deadline)
 *
 * Amounts are wei; deadlines are unix seconds, compared with the block timestamp (a quote is
 * payable in a block whose timestamp is at most its deadline). See doc/economy.md.
 */
import type { Address } from 'viem';
import { z } from 'zod';
import { zAddress, zBytes32, zUint8, zUint256 } from './schemas.ts';

/** Which vault a signature is for. */
export interface VaultRef {
  readonly chainId: number;
  readonly address: Address;
}

/** What a deposit pays for: the `purpose` field of a quote. */
export const QUOTE_PURPOSE = { auditionFee: 1, raceTickets: 2 } as const;

export const zQuote = z
  .object({
    /** The quote id (the `payment-<quoteId>` stream); a vault accepts one deposit per id. */
    id: zBytes32,
    /** The only address allowed to pay it. */
    payer: zAddress,
    /** The exact price in wei. */
    amount: zUint256.positive(),
    purpose: zUint8,
    /** What is bought (for example a hash naming the clone, or the race, clone and ticket count). */
    ref: zBytes32,
    /** Unix seconds. */
    deadline: zUint256,
  })
  .strict();
export type Quote = z.output<typeof zQuote>;

export const zWithdrawalAuthorization = z
  .object({
    /** A vault pays each withdrawal id once. */
    id: zBytes32,
    recipient: zAddress,
    /** wei */
    amount: zUint256.positive(),
    /** Unix seconds. */
    deadline: zUint256,
  })
  .strict();
export type WithdrawalAuthorization = z.output<typeof zWithdrawalAuthorization>;

export const vaultDomainName = 'ClashSignedVault';
export const vaultDomainVersion = '1';

export const quoteTypes = {
  Quote: [
    { name: 'id', type: 'bytes32' },
    { name: 'payer', type: 'address' },
    { name: 'amount', type: 'uint256' },
    { name: 'purpose', type: 'uint8' },
    { name: 'ref', type: 'bytes32' },
    { name: 'deadline', type: 'uint256' },
  ],
} as const;

export const withdrawalTypes = {
  Withdrawal: [
    { name: 'id', type: 'bytes32' },
    { name: 'recipient', type: 'address' },
    { name: 'amount', type: 'uint256' },
    { name: 'deadline', type: 'uint256' },
  ],
} as const;

export function vaultDomain(vault: VaultRef) {
  return { name: vaultDomainName, version: vaultDomainVersion, chainId: vault.chainId, verifyingContract: vault.address } as const;
}

/** The full typed data of a quote: what the backend signs and what a wallet can display. */
export function quoteTypedData(vault: VaultRef, quote: Quote) {
  return { domain: vaultDomain(vault), types: quoteTypes, primaryType: 'Quote', message: zQuote.parse(quote) } as const;
}

export function withdrawalTypedData(vault: VaultRef, authorization: WithdrawalAuthorization) {
  return {
    domain: vaultDomain(vault),
    types: withdrawalTypes,
    primaryType: 'Withdrawal',
    message: zWithdrawalAuthorization.parse(authorization),
  } as const;
}
