/**
 * Field schemas shared by the competition events: ids, times, counts, rates in basis points and
 * checksummed wallet addresses. Money fields use the codecs of core/money.ts.
 */
import { type Address, getAddress } from 'viem';
import { z } from 'zod';

export const zId = z.string().min(1).max(200);
/** Milliseconds since the epoch. */
export const zTime = z.number().int().nonnegative();
/** A duration in milliseconds, > 0. */
export const zDuration = z.number().int().positive();
/** A whole number of tickets, strikes, fills or races. */
export const zCount = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
/** A rate in basis points of 10000. */
export const zBps = z.number().int().min(0).max(10_000);
export const zReason = z.string().min(1).max(500);

/** An EIP-55 checksummed address (events store one spelling per wallet). */
export const zAddress = z.custom<Address>(
  (s) => typeof s === 'string' && /^0x[0-9a-fA-F]{40}$/.test(s) && s === getAddress(s),
  'must be an EIP-55 checksummed address',
);
