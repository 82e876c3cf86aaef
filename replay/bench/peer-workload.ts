/** The peer comparison's shared workload: the reference wallet's deposits, for both stores. */

/** Streams the appends and reads spread over. */
export const PEER_STREAMS = 50;

/** Emmett's shape of the wallet's deposit (its JSON codec has no bigint, so the amount is a string). */
export interface PeerDeposit {
  type: 'FundsDeposited';
  data: { walletId: string; amount: string; memo: string; at: number };
}

/** The i-th deposit in Emmett's shape. */
export const peerDeposit = (i: number): PeerDeposit => ({
  type: 'FundsDeposited',
  data: { walletId: `w${i % PEER_STREAMS}`, amount: String(1_000_000 + i), memo: 'bench deposit', at: 1_700_000_000_000 + i },
});

/** The same i-th deposit in ours (amounts are bigint in memory). */
export const ourDeposit = (i: number) => ({
  type: 'FundsDeposited' as const,
  data: { walletId: `w${i % PEER_STREAMS}`, amount: BigInt(1_000_000 + i), memo: 'bench deposit', at: 1_700_000_000_000 + i },
});
