/**
 * Parsing an EIP-4361 (Sign-In With Ethereum) message with the `siwe` package's ABNF parser.
 * The parser throws on anything that is not a well-formed message; that becomes one error code.
 */
import { SiweMessage } from 'siwe';
import { DomainError } from '../../core/errors.ts';

/** The fields of a parsed message (times are the ISO 8601 strings as written in the message). */
export interface SiweFields {
  /** The URI scheme of the requesting authority, when the message states one. */
  readonly scheme?: string;
  readonly domain: string;
  readonly address: string;
  readonly statement?: string;
  readonly uri: string;
  readonly version: string;
  readonly chainId: number;
  readonly nonce: string;
  readonly issuedAt: string;
  readonly expirationTime?: string;
  readonly notBefore?: string;
  readonly requestId?: string;
  readonly resources?: readonly string[];
}

export function parseSiweMessage(text: string): SiweFields {
  let parsed: SiweMessage;
  try {
    parsed = new SiweMessage(text);
  } catch (error) {
    // siwe rejects with Errors from its parser but with plain objects from its validators.
    const reason = error instanceof Error ? error.message.split('\n')[0] : String((error as { type?: string })?.type ?? error);
    throw new DomainError('siwe_parse_failed', 'invalid', `not an EIP-4361 message: ${reason}`);
  }
  if (parsed.issuedAt === undefined) throw new DomainError('siwe_parse_failed', 'invalid', 'not an EIP-4361 message: no Issued At');
  const optional = <K extends string, V>(key: K, value: V | undefined) => (value === undefined ? {} : ({ [key]: value } as Record<K, V>));
  return {
    domain: parsed.domain,
    address: parsed.address,
    uri: parsed.uri,
    version: parsed.version,
    chainId: parsed.chainId,
    nonce: parsed.nonce,
    issuedAt: parsed.issuedAt,
    ...optional('scheme', parsed.scheme),
    ...optional('statement', parsed.statement),
    ...optional('expirationTime', parsed.expirationTime),
    ...optional('notBefore', parsed.notBefore),
    ...optional('requestId', parsed.requestId),
    ...optional('resources', parsed.resources),
  };
}
