/**
 * Wiring of the economy: the chain (configured; or, in development without CHAIN_RPC_URL, an
 * embedded anvil with a freshly deployed vault; or none in tests that configure none), the
 * backend signer, prices, and the ports other modules implement.
 */
import type { Logger } from 'pino';
import type { PublicClient } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { type VaultAnchors, vaultAnchors } from '../adapters/chain/anchors.ts';
import { connectChain } from '../adapters/chain/connect.ts';
import { createVaultSigner, type VaultSigner } from '../adapters/chain/signer.ts';
import type { VaultRef } from '../adapters/chain/typed-data.ts';
import { createDepositVerifier } from '../adapters/chain/verify-deposit.ts';
import { AuditionCredits } from '../commands/economy/credits.ts';
import { type HandoffDeps, PaymentHandoffs } from '../commands/economy/handoffs.ts';
import { PaymentCommands } from '../commands/economy/payments.ts';
import type { TicketPurchaseSink, TicketSaleCheck } from '../commands/economy/ports.ts';
import { QuoteCommands } from '../commands/economy/quotes.ts';
import { WithdrawalCommands } from '../commands/economy/withdrawals.ts';
import { ConfigError } from '../core/config.ts';
import { ClashError } from '../core/errors.ts';
import { economyReads } from '../projections/economy/queries.ts';
import { competitionTicketSales } from '../projections/economy/ticket-sales.ts';
import type { Config } from './config.ts';
import type { Ledger } from './context.ts';
import { startDevelopmentChain } from './dev-chain.ts';
import { keptStateDir } from './dev-state.ts';

/** What other modules provide to the economy. */
export interface EconomyPorts {
  readonly ticketSales: TicketSaleCheck;
  readonly ticketPurchases: TicketPurchaseSink;
}

/** Until the competition module takes ticket purchases, a verified ticket payment cannot be handed off. */
export function defaultEconomyPorts(ledger: Ledger): EconomyPorts {
  return {
    ticketSales: competitionTicketSales(ledger.store.db),
    ticketPurchases: {
      recordTicketPurchase: () => {
        throw new ClashError('ticket_sales_not_wired', 'unavailable', 'no race module takes ticket purchases yet');
      },
    },
  };
}

export interface Economy {
  readonly quotes: QuoteCommands;
  readonly payments: PaymentCommands;
  readonly withdrawals: WithdrawalCommands;
  readonly credits: AuditionCredits;
  readonly vault: VaultRef;
  /** The RPC URL the server itself uses (it may carry a provider key: never sent to clients). */
  readonly rpcUrl: string;
  /** The chain client (reconciliation reads the vault's logs with it). */
  readonly client: PublicClient;
  /** The RPC URL clients are told to use (`GET /api/v1/economy/chain`): ECONOMY_PUBLIC_RPC_URL, else the embedded chain's, else null. */
  readonly publicRpcUrl: string | null;
  /** Blocks a deposit needs, its own included, before it is verified. */
  readonly confirmations: number;
  /** Ledger checkpoints anchored through the vault, sent by its signer (the `anchors` worker). */
  readonly anchors: VaultAnchors;
  stop(): Promise<void>;
}

/** Withdrawal authorizations signed by the backend signer over the vault. */
export function withdrawalCommands(ledger: Ledger, config: Config, signer: VaultSigner): WithdrawalCommands {
  return new WithdrawalCommands({ store: ledger.store, clock: ledger.clock, signer, ttlSeconds: config.ECONOMY_WITHDRAWAL_TTL_SECONDS });
}

/** Payment submission over a chain client: shared by the server and `clash economy reconcile`. */
export function paymentCommands(
  ledger: Ledger,
  config: Config,
  chain: { client: PublicClient; vault: VaultRef; confirmations: number },
  ports: EconomyPorts,
  refunds: HandoffDeps['refunds'],
) {
  const reads = economyReads(ledger.store.db);
  const handoffs = new PaymentHandoffs({
    store: ledger.store,
    clock: ledger.clock,
    reads,
    auditionGrantTier: config.ECONOMY_AUDITION_GRANT_TIER === 'none' ? null : config.ECONOMY_AUDITION_GRANT_TIER,
    ticketPurchases: ports.ticketPurchases,
    refunds,
  });
  return new PaymentCommands({
    store: ledger.store,
    clock: ledger.clock,
    reads,
    verifier: createDepositVerifier(chain.client, chain.vault.address),
    vault: chain.vault,
    confirmations: chain.confirmations,
    handoffs,
  });
}

/** The configured chain, or the embedded development one; null when there is none (tests). */
async function openChain(config: Config, log: Logger) {
  if (config.CHAIN_RPC_URL !== undefined && config.CHAIN_ID !== undefined && config.VAULT_ADDRESS !== undefined) {
    if (config.CLASH_SIGNER_PRIVATE_KEY === undefined)
      throw new ConfigError(['CLASH_SIGNER_PRIVATE_KEY=(unset): required with CHAIN_RPC_URL']);
    const account = privateKeyToAccount(config.CLASH_SIGNER_PRIVATE_KEY as `0x${string}`);
    const client = await connectChain(config.CHAIN_RPC_URL, config.CHAIN_ID);
    const vault = { chainId: config.CHAIN_ID, address: config.VAULT_ADDRESS };
    return {
      account,
      client,
      vault,
      rpcUrl: config.CHAIN_RPC_URL,
      embedded: false,
      confirmations: config.CHAIN_CONFIRMATIONS ?? 12,
      stop: async () => {},
    };
  }
  if (config.NODE_ENV !== 'development') return null;
  if (config.CLASH_SIGNER_PRIVATE_KEY === undefined)
    log.warn('CLASH_SIGNER_PRIVATE_KEY is not set: the embedded vault signer key was generated at start-up');
  const account = privateKeyToAccount((config.CLASH_SIGNER_PRIVATE_KEY as `0x${string}` | undefined) ?? generatePrivateKey());
  const local = await startDevelopmentChain(account, keptStateDir(config), log);
  log.info(
    { rpcUrl: local.anvil.rpcUrl, chainId: local.vault.chainId, vault: local.vault.address, signer: account.address, reused: local.reused },
    'embedded chain started',
  );
  return {
    account,
    client: local.client,
    vault: local.vault,
    rpcUrl: local.anvil.rpcUrl,
    embedded: true,
    confirmations: config.CHAIN_CONFIRMATIONS ?? 1,
    stop: local.stop,
  };
}

export async function startEconomy(
  ledger: Ledger,
  config: Config,
  log: Logger,
  portsFor: (ledger: Ledger) => EconomyPorts = defaultEconomyPorts,
): Promise<Economy | null> {
  const chain = await openChain(config, log);
  if (!chain) return null;
  const ports = portsFor(ledger);
  const { store, clock, ids } = ledger;
  const signer = createVaultSigner(chain.account, chain.vault);
  const withdrawals = withdrawalCommands(ledger, config, signer);
  return {
    quotes: new QuoteCommands({
      store,
      clock,
      ids,
      signer,
      pricing: {
        auditionFeeWei: config.ECONOMY_AUDITION_FEE_WEI,
        quoteTtlSeconds: config.ECONOMY_QUOTE_TTL_SECONDS,
      },
      ticketSales: ports.ticketSales,
    }),
    payments: paymentCommands(ledger, config, chain, ports, withdrawals),
    withdrawals,
    credits: new AuditionCredits({ store, clock, reads: economyReads(store.db) }),
    vault: chain.vault,
    rpcUrl: chain.rpcUrl,
    client: chain.client,
    publicRpcUrl: config.ECONOMY_PUBLIC_RPC_URL ?? (chain.embedded ? chain.rpcUrl : null),
    confirmations: chain.confirmations,
    anchors: vaultAnchors({
      client: chain.client,
      chainId: chain.vault.chainId,
      vault: chain.vault.address,
      fromBlock: config.CHAIN_START_BLOCK,
      signer: { account: chain.account, rpcUrl: chain.rpcUrl },
    }),
    stop: chain.stop,
  };
}
