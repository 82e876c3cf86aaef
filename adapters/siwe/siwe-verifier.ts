/**
 * Checking a signed EIP-4361 message against this server: parse, then domain, URI, chain id,
 * the time window (issued-at, not-before, expiration, with a small skew; a time that names no
 * finite instant is refused, a leap second is the last millisecond of its minute) and the EIP-191
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
  const issuedAt = timeField('Issued At', fields.issuedAt);
  const notBefore = fields.notBefore === undefined ? undefined : timeField('Not Before', fields.notBefore);
  const expirationTime = fields.expirationTime === undefined ? undefined : timeField('Expiration Time', fields.expirationTime);
  if (issuedAt > nowMs + policy.skewMs) {
    throw refuse('siwe_issued_in_future', `the message is issued at ${fields.issuedAt}, after the server time`);
  }
  if (notBefore !== undefined && notBefore > nowMs + policy.skewMs) {
    throw refuse('siwe_not_yet_valid', `the message is not valid before ${fields.notBefore}`);
  }
  if (expirationTime !== undefined && expirationTime <= nowMs - policy.skewMs) {
    throw refuse('siwe_expired', `the message expired at ${fields.expirationTime}`);
  }
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-](\d{2}):(\d{2}))$/;

/**
 * The instant an RFC 3339 `date-time` names, in milliseconds since the epoch, or `undefined`
 * when the text names no finite instant (not RFC 3339, or a field out of range: month 13,
 * February 30, hour 24, offset +24:00).
 * A leap second (`…:60`, allowed by RFC 3339 §5.6 and the EIP-4361 grammar) is read as the
 * last millisecond of its minute (`…:59.999`, any fraction dropped): the instant is then
 * finite and ordered before the next minute, so a leap-second expiry is never later than the
 * wall clock says (doc/identity.md, "Times in the message").
 */
export function instantOf(time: string): number | undefined {
  const match = RFC3339.exec(time);
  if (match === null) return undefined;
  const [year, month, day, hour, minute, second, offsetHours, offsetMinutes] = [1, 2, 3, 4, 5, 6, 9, 10].map((i) =>
    Number(match[i] ?? 0),
  ) as [number, number, number, number, number, number, number, number];
  const inRange = month >= 1 && month <= 12 && day >= 1 && day <= daysIn(year, month) && hour <= 23 && minute <= 59 && second <= 60;
  if (!inRange || offsetHours > 23 || offsetMinutes > 59) return undefined;
  const fraction = match[7] ?? '';
  const zone = match[8] as string;
  const text = second === 60 ? `${time.slice(0, time.length - zone.length - fraction.length - 2)}59.999${zone}` : time;
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? ms : undefined;
}

/** Days in a month of the proleptic Gregorian calendar (RFC 3339 §5.7). */
function daysIn(year: number, month: number): number {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return month === 2 ? (leap ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** The instant of a time field, or the refusal `siwe_time_invalid` naming it (401). */
function timeField(name: string, time: string): number {
  const ms = instantOf(time);
  if (ms === undefined) throw refuse('siwe_time_invalid', `${name} ${JSON.stringify(time)} is not a finite instant`, { field: name });
  return ms;
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
