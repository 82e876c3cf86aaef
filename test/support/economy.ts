/**
 * The economy over HTTP against a real anvil: a server configured with the chain fixture's vault
 * and signer (3 confirmations), ticket ports as test doubles, signed-in wallets that can pay.
 */
import { type Hex, parseEther } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import type { Quote } from '../../adapters/chain/typed-data.ts';
import type { TicketPurchase } from '../../commands/economy/ports.ts';
import { ClashError, DomainError } from '../../core/errors.ts';
import { type ChainFixture, testKey } from './chain.ts';
import { startTestServer, type TestServer } from './server.ts';
import { SessionUser } from './users.ts';

export const FEE = parseEther('0.01');

export interface WireQuote {
  quote: { id: Hex; payer: Hex; amount: string; purpose: number; ref: Hex; deadline: string };
  signature: Hex;
}

export const quoteOf = (w: WireQuote): Quote => ({ ...w.quote, amount: BigInt(w.quote.amount), deadline: BigInt(w.quote.deadline) });

/**
 * Races whose tickets are on sale, with their ticket price (the competition module's check, as a double), and the purchases
 * handed over. A race in `refusing` refuses purchases (it launched after the quote); while `down`
 * is set, the race cannot be reached at all.
 */
export function ticketDoubles() {
  const openRaces = new Map<string, bigint>([['race-open', FEE]]);
  const refusing = new Set<string>();
  const bought: TicketPurchase[] = [];
  const state = { down: false };
  return {
    openRaces,
    refusing,
    state,
    bought,
    ports: {
      ticketSales: {
        canBuy: (raceId: string) => {
          const ticketPriceWei = openRaces.get(raceId);
          return ticketPriceWei === undefined ? { refused: 'race_not_accumulating' } : { ok: true as const, ticketPriceWei };
        },
      },
      ticketPurchases: {
        recordTicketPurchase: (p: TicketPurchase) => {
          if (state.down) throw new ClashError('race_unreachable', 'unavailable', 'the race module is down');
          if (refusing.has(p.raceId)) throw new DomainError('race_not_accumulating', 'unprocessable', `race ${p.raceId} launched`);
          if (!bought.some((b) => b.paymentId === p.paymentId)) bought.push(p);
        },
      },
    },
  };
}

/** `ports` stand in for the competition's ticket ports; without them the server uses the real competition module. */
export async function startEconomyServer(
  chain: ChainFixture,
  ports?: ReturnType<typeof ticketDoubles>['ports'],
  env: Record<string, string> = {},
) {
  const chainNow = Number(await chain.now()) * 1000;
  return startTestServer(
    {
      CHAIN_RPC_URL: chain.anvil.rpcUrl,
      CHAIN_ID: String(chain.vault.chainId),
      VAULT_ADDRESS: chain.vault.address,
      CLASH_SIGNER_PRIVATE_KEY: testKey('backend-signer'),
      CHAIN_CONFIRMATIONS: '3',
      ...env,
    },
    chainNow,
    ports ? { economyPorts: () => ports } : {},
  );
}

/** A signed-in user (`user.renew()` after the manual clock moved) whose wallet, funded on the fixture chain, is the same key. */
export async function userWithWallet(server: TestServer, chain: ChainFixture, name: string) {
  const user = await SessionUser.signIn(server, privateKeyToAccount(testKey(name)));
  const { account } = user;
  const wallet = await chain.wallet(name);
  const call = (method: string, path: string, body?: unknown) => user.call(method, path, body);
  const quote = async (purchase: unknown) => {
    const res = await call('POST', '/api/v1/economy/quotes', purchase);
    if (res.status !== 201) throw new Error(`quote failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as WireQuote;
  };
  /** Pays the quote at the vault; resolves to the transaction hash once mined. */
  const pay = async (q: WireQuote) => (await chain.deposit(wallet, quoteOf(q), q.signature)).transactionHash;
  const submit = (quoteId: string, txHash: string) => call('POST', '/api/v1/economy/payments', { quoteId, txHash });
  return { user, account, wallet, userId: user.userId, call, quote, pay, submit };
}
