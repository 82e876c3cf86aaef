/**
 * `GET /api/v1/economy/chain`, public: what a wallet needs to pay and redeem at the vault — the
 * chain id, the RPC URL the frontend should use, the vault address, the confirmations a deposit
 * needs before it is verified, and the ABI fragments of the two calls a wallet makes
 * (`deposit(quote, signature)`, `withdraw(authorization, signature)`), taken from the committed
 * contract artifact (`adapters/chain/signed-vault-artifact.ts`). doc/economy.md, "Chain details".
 */
import { createRoute, z } from '@hono/zod-openapi';
import { signedVaultAbi } from '../../adapters/chain/signed-vault-artifact.ts';
import type { RouteModule } from '../route-module.ts';
import { secured } from './access.ts';
import { requireChain } from './economy.ts';
import { errorsOf, json } from './schemas.ts';

/** The calls a wallet makes at the vault. */
export const WALLET_CALLS = ['deposit', 'withdraw'] as const;

const solidityType = z.string().max(64).openapi({ example: 'bytes32' });
const AbiComponent = z.object({ name: z.string().max(64), type: solidityType, internalType: z.string().max(128) }).openapi('AbiComponent');
const AbiParameter = z
  .object({
    name: z.string().max(64),
    type: solidityType,
    internalType: z.string().max(128),
    components: z.array(AbiComponent).max(32).optional().openapi({ description: 'The fields of a tuple (a struct), in order' }),
  })
  .openapi('AbiParameter');

export const AbiFunctionSchema = z
  .object({
    type: z.literal('function'),
    name: z.enum(WALLET_CALLS),
    stateMutability: z.enum(['pure', 'view', 'nonpayable', 'payable']),
    inputs: z.array(AbiParameter).max(16),
    outputs: z.array(AbiParameter).max(16),
  })
  .openapi('AbiFunction', { description: 'A Solidity JSON ABI function fragment, as viem, ethers and wagmi take it' });

export const ChainSchema = z
  .object({
    chainId: z.number().int().positive().openapi({ description: 'EIP-155 chain id', example: 31337 }),
    rpcUrl: z.url().nullable().openapi({
      description:
        'JSON-RPC URL for the frontend (ECONOMY_PUBLIC_RPC_URL; the embedded chain in development); null: use the wallet’s own provider',
      example: 'http://127.0.0.1:8545',
    }),
    vaultAddress: z
      .string()
      .regex(/^0x[0-9a-fA-F]{40}$/)
      .openapi({ description: 'The SignedVault contract (EIP-55 checksummed)', example: '0x5FbDB2315678afecb367f032d93F642f64180aa3' }),
    confirmations: z.number().int().min(1).openapi({ description: 'Blocks a deposit needs, its own included, before it is verified' }),
    abi: z.array(AbiFunctionSchema).length(WALLET_CALLS.length).openapi({ description: 'deposit and withdraw, in that order' }),
  })
  .openapi('Chain');

export type ChainDetails = z.output<typeof ChainSchema>;

/** The wallet calls' fragments from the artifact, checked against their schema once at start-up (a changed artifact fails loudly). */
function walletAbi(): z.output<typeof AbiFunctionSchema>[] {
  return WALLET_CALLS.map((name) => AbiFunctionSchema.parse(signedVaultAbi.find((f) => f.type === 'function' && f.name === name)));
}

const route = createRoute({
  method: 'get',
  ...secured('public'),
  path: '/api/v1/economy/chain',
  tags: ['economy'],
  summary: 'Chain details for wallets: chain id, RPC URL, vault address, deposit confirmations, deposit and withdraw ABI fragments',
  responses: { 200: { description: 'The chain the vault is on', content: json(ChainSchema) }, ...errorsOf(503) },
});

export const economyChainRoutes: RouteModule = (app, { economy }) => {
  const abi = walletAbi();
  app.openapi(route, (c) => {
    const { vault, publicRpcUrl, confirmations } = requireChain(economy);
    const details: ChainDetails = {
      chainId: vault.chainId,
      rpcUrl: publicRpcUrl,
      vaultAddress: vault.address,
      confirmations,
      abi,
    };
    return c.json(details, 200);
  });
};
