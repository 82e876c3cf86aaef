/** zod schemas for chain data where it enters the ledger: addresses, hashes, uint256 amounts. */
import { type Address, getAddress, type Hex, isAddress, maxUint256 } from 'viem';
import { z } from 'zod';
import { ClashError, ValidationError } from '../../core/errors.ts';
import { issuesOf } from '../../core/event-registry.ts';

/** Parses what a caller passed in; a bad field is a ValidationError naming it. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, source: string): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new ValidationError(source, issuesOf(result.error));
  return result.data;
}

/** Parses what a chain node answered; an answer of the wrong shape means the node cannot be trusted now. */
export function parseChainData<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new ClashError('chain_data_invalid', 'unavailable', `the chain node sent a malformed ${what}`, {
      issues: issuesOf(result.error),
    });
  }
  return result.data;
}

/** Any address spelling in, the EIP-55 checksummed form out. */
export const zAddress = z
  .string()
  .refine((s) => isAddress(s, { strict: false }), 'must be a 20-byte hex address')
  .transform((s): Address => getAddress(s));

/** Hex data of any length, lower-cased. */
export const zHex = z
  .string()
  .regex(/^0x([0-9a-fA-F]{2})*$/, 'must be 0x-prefixed hex bytes')
  .transform((s) => s.toLowerCase() as Hex);

/** 32 bytes (ids, hashes, references), lower-cased so equal values compare equal. */
export const zBytes32 = z
  .string()
  .regex(/^0x[0-9a-fA-F]{64}$/, 'must be 32 bytes of 0x-prefixed hex')
  .transform((s) => s.toLowerCase() as Hex);

export const zUint256 = z.bigint().nonnegative().max(maxUint256);

export const zUint8 = z.number().int().min(0).max(255);

/** What every log a node returns carries besides its event's arguments: whether a reorg removed it, its transaction and block. */
export const zLogEnvelope = z.object({ removed: z.boolean(), transactionHash: zBytes32, blockNumber: zUint256 });

/**
 * The stored (already normalized) forms, for event schemas: no transforms, since events are
 * encoded as well as decoded. Hashes and ids lower-case, addresses checksummed.
 */
export const zStoredBytes32 = z.string().regex(/^0x[0-9a-f]{64}$/, 'must be 32 bytes of lower-case hex');
export const zStoredAddress = z
  .string()
  .regex(/^0x[0-9a-fA-F]{40}$/, 'must be a 20-byte hex address')
  .refine((s) => s === getAddress(s), 'must be EIP-55 checksummed');
export const zStoredSignature = z.string().regex(/^0x[0-9a-f]{130}$/, 'must be a 65-byte lower-case hex signature');
