/**
 * A user's id is derived from their wallet address, so two first sign-ins of the same wallet
 * racing each other land on the same `user-<id>` stream, and optimistic concurrency lets only
 * one of them link the wallet.
 */
import { createHash } from 'node:crypto';

export function userIdFor(address: string): string {
  const h = createHash('sha256').update(`clash-user:${address.toLowerCase()}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export const userStream = (userId: string) => `user-${userId}`;
