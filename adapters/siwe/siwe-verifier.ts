/**
 * Checking a signed EIP-4361 message against this server: parse, then domain, URI, chain id,
 * the time window (issued-at, not-before, expiration, with a small skew) and the EIP-191
 * signature of an externally owned account. Each refusal has its own error code. Nonces are
 * the caller's business (they live in the database), so this adapter stays free of storage.
 */
import { verifyMessage } from 'viem';
import { DomainError } from '../../core/errors.ts';
import { parseSiweMessage, type SiweFields } from './siwe-message.ts';

export interface SiwePolicy {
  /** The EIP-4361 domain (RFC 3986 authority) the message must name, e.g. `clash.example`. */
  readonly domain: string;
  /** The origin the message URI must be on, e.g. `https://clash.example`. */
  readonly origin: string;
  readonly chainId: number;
  /** How far the server clock may disagree with the wallet's, in milliseconds. */
  readonly skewMs: number;
}

const refuse = (code: string, message: string, info: Record<string, unknown> = {}) => new DomainError(code, 'unauthorized', message, info);

export function checkSiweFields(fields: SiweFields, policy: SiwePolicy, nowMs: number): void {
  const scheme = new URL(policy.origin).protocol.slice(0, -1);
  if (fields.domain !== policy.domain || (fields.scheme !== undefined && fields.scheme !== scheme)) {
    throw refuse('siwe_domain_mismatch', `the message is for ${fields.domain}, not ${policy.domain}`, { expected: policy.domain });
  }
  if (originOf(fields.uri) !== policy.origin) {
    throw refuse('siwe_uri_mismatch', `the message URI ${fields.uri} is not on ${policy.origin}`, { expected: policy.origin });
  }
  if (fields.chainId !== policy.chainId) {
    throw refuse('siwe_chain_id_mismatch', `chain id ${fields.chainId} is not ${policy.chainId}`, { expected: policy.chainId });
  }
  if (Date.parse(fields.issuedAt) > nowMs + policy.skewMs) {
    throw refuse('siwe_issued_in_future', `the message is issued at ${fields.issuedAt}, after the server time`);
  }
  if (fields.notBefore !== undefined && Date.parse(fields.notBefore) > nowMs + policy.skewMs) {
    throw refuse('siwe_not_yet_valid', `the message is not valid before ${fields.notBefore}`);
  }
  if (fields.expirationTime !== undefined && Date.parse(fields.expirationTime) <= nowMs - policy.skewMs) {
    throw refuse('siwe_expired', `the message expired at ${fields.expirationTime}`);
  }
}

/** True when `signature` is the EIP-191 signature of `message` by the account `address`. */
export async function isSignedBy(message: string, signature: string, address: string): Promise<boolean> {
  try {
    return await verifyMessage({ address: address as `0x${string}`, message, signature: signature as `0x${string}` });
  } catch {
    return false; // malformed signatures throw in viem; to the caller they are simply not valid
  }
}

/** Parses and checks a signed message; returns its fields, or throws the first refusal. */
export async function verifySiweMessage(message: string, signature: string, policy: SiwePolicy, nowMs: number): Promise<SiweFields> {
  const fields = parseSiweMessage(message);
  checkSiweFields(fields, policy, nowMs);
  if (!(await isSignedBy(message, signature, fields.address))) {
    throw refuse('siwe_signature_invalid', `the signature is not by ${fields.address}`);
  }
  return fields;
}

function originOf(uri: string): string | undefined {
  try {
    return new URL(uri).origin;
  } catch {
    return undefined;
  }
}
