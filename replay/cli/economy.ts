/**
 * clash economy reconcile [--complete] [--from-block N]: the vault's Deposit logs against the
 * ledger. Reports deposits on chain whose quote has no verified payment, and payments pending
 * longer than ECONOMY_PENDING_BOUND_SECONDS; with --complete, submits each again (recording the
 * verified ones and handing them off: tickets to the race, or, if the race refuses them, a refund
 * signed with CLASH_SIGNER_PRIVATE_KEY). Exit 0 when nothing is left unresolved, 1 otherwise.
 */
import { privateKeyToAccount } from 'viem/accounts';
import { z } from 'zod';
import { connectChain } from '../../adapters/chain/connect.ts';
import { depositLogsSince } from '../../adapters/chain/deposit-logs.ts';
import { createVaultSigner } from '../../adapters/chain/signer.ts';
import type { VaultRef } from '../../adapters/chain/typed-data.ts';
import { unconnectedEconomy } from '../../commands/competition/ports.ts';
import type { HandoffDeps } from '../../commands/economy/handoffs.ts';
import { reconcile } from '../../commands/economy/reconcile.ts';
import { ClashError } from '../../core/errors.ts';
import { economyReads } from '../../projections/economy/queries.ts';
import { competitionTicketPorts } from '../../server/competition-economy.ts';
import { type Config, loadConfig } from '../../server/config.ts';
import { type Ledger, openLedger } from '../../server/context.ts';
import { paymentCommands, withdrawalCommands } from '../../server/economy.ts';
import { commonFlags, defineCommand, existingDb, UsageError } from './command.ts';

export const economyReconcile = defineCommand({
  words: ['economy', 'reconcile'],
  usage: 'clash economy reconcile [--complete] [--from-block N] [--db PATH] [--json]',
  summary: 'deposits on chain with no verified payment, and payments pending too long; --complete records the verified ones',
  options: { complete: { type: 'boolean' }, 'from-block': { type: 'string' } },
  schema: z.object({
    ...commonFlags,
    complete: z.boolean().default(false),
    'from-block': z.coerce.bigint().nonnegative().optional(),
    positionals: z.array(z.string()).max(0),
  }),
  run: async (flags, ctx) => {
    const config = loadConfig({ ...ctx.env, ...(flags.db ? { CLASH_DB: flags.db } : {}) });
    const { CHAIN_RPC_URL: rpcUrl, CHAIN_ID: chainId, VAULT_ADDRESS: address } = config;
    if (rpcUrl === undefined || chainId === undefined || address === undefined) {
      throw new UsageError('reconciliation reads the chain: set CHAIN_RPC_URL, CHAIN_ID and VAULT_ADDRESS');
    }
    const ledger = openLedger({ dbPath: existingDb(flags.db, ctx.env), composition: ctx.composition });
    try {
      const client = await connectChain(rpcUrl, chainId);
      const vault = { chainId, address };
      const chain = { client, vault, confirmations: config.CHAIN_CONFIRMATIONS ?? 12 };
      // The race takes ticket payments as in the server (its ports need nothing from the Economy).
      const payments = paymentCommands(
        ledger,
        config,
        chain,
        competitionTicketPorts(ledger, unconnectedEconomy),
        refundsOf(ledger, config, vault),
      );
      const findings = await reconcile(
        { payments, reads: economyReads(ledger.store.db) },
        {
          deposits: await depositLogsSince(client, vault.address, flags['from-block'] ?? config.CHAIN_START_BLOCK),
          pendingBefore: ledger.clock.now() - config.ECONOMY_PENDING_BOUND_SECONDS * 1000,
          complete: flags.complete,
          actor: 'cli:economy-reconcile',
        },
      );
      const unresolved = findings.filter((f) => f.outcome !== 'verified');
      ctx.out.data({ findings, unresolved: unresolved.length });
      ctx.out.table(findings.map((f) => ({ ...f, outcome: f.outcome ?? '-' })));
      ctx.out.line(`${findings.length} finding(s), ${unresolved.length} unresolved`);
      return unresolved.length === 0 ? 0 : 1;
    } finally {
      ledger.close();
    }
  },
});

/** Refunds of refused tickets, signed when the backend signer's key is configured. */
function refundsOf(ledger: Ledger, config: Config, vault: VaultRef): HandoffDeps['refunds'] {
  const key = config.CLASH_SIGNER_PRIVATE_KEY;
  if (key !== undefined) return withdrawalCommands(ledger, config, createVaultSigner(privateKeyToAccount(key as `0x${string}`), vault));
  const unsigned = new ClashError('signer_not_configured', 'unavailable', 'refunding refused tickets needs CLASH_SIGNER_PRIVATE_KEY');
  return { refundRefusedTickets: () => Promise.reject(unsigned) };
}
