/** Building EIP-4361 messages (like a client would) and signing in with viem local accounts. */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generatePrivateKey, type PrivateKeyAccount, privateKeyToAccount } from 'viem/accounts';
import type { TestServer } from './server.ts';

export interface MessageFields {
  domain: string;
  address: string;
  statement?: string;
  uri: string;
  version: string;
  chainId: number;
  nonce: string;
  issuedAt: string;
  expirationTime?: string;
  notBefore?: string;
  requestId?: string;
  resources?: string[];
}

/** The EIP-4361 text of these fields, written field by field (no validation: tests feed bad fields too). */
export function formatMessage(f: MessageFields): string {
  const lines = [`${f.domain} wants you to sign in with your Ethereum account:`, f.address, ''];
  if (f.statement !== undefined) lines.push(f.statement, '');
  lines.push(`URI: ${f.uri}`, `Version: ${f.version}`, `Chain ID: ${f.chainId}`, `Nonce: ${f.nonce}`, `Issued At: ${f.issuedAt}`);
  if (f.expirationTime !== undefined) lines.push(`Expiration Time: ${f.expirationTime}`);
  if (f.notBefore !== undefined) lines.push(`Not Before: ${f.notBefore}`);
  if (f.requestId !== undefined) lines.push(`Request ID: ${f.requestId}`);
  if (f.resources !== undefined) lines.push('Resources:', ...f.resources.map((r) => `- ${r}`));
  return lines.join('\n');
}

export const newAccount = (): PrivateKeyAccount => privateKeyToAccount(generatePrivateKey());

interface Challenge {
  nonce: string;
  domain: string;
  uri: string;
  chainId: number;
  issuedAt: string;
}

/** Asks the server for a nonce and returns the message this account would sign. */
export async function challengeFor(server: Pick<TestServer, 'call'>, account: PrivateKeyAccount, overrides: Partial<MessageFields> = {}) {
  const { body } = await server.call('GET', '/api/v1/auth/nonce');
  const c = body as Challenge;
  return formatMessage({
    domain: c.domain,
    address: account.address,
    statement: 'Sign in to Clash of Clones',
    uri: c.uri,
    version: '1',
    chainId: c.chainId,
    nonce: c.nonce,
    issuedAt: c.issuedAt,
    ...overrides,
  });
}

export interface SignedIn {
  accessToken: string;
  refreshToken: string;
  user: { id: string; address: string };
  auth: string;
}

export async function signIn(server: Pick<TestServer, 'call'>, account: PrivateKeyAccount): Promise<SignedIn> {
  const message = await challengeFor(server, account);
  const signature = await account.signMessage({ message });
  const { status, body } = await server.call('POST', '/api/v1/auth/verify', { body: { message, signature } });
  if (status !== 200) throw new Error(`sign-in failed: ${status} ${JSON.stringify(body)}`);
  const s = body as Omit<SignedIn, 'auth'>;
  return { ...s, auth: `Bearer ${s.accessToken}` };
}

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** The shared data folder, or undefined (with a printed notice) when it is absent. */
export function sharedData(what: string): string | undefined {
  const root = process.env.CLASH_SHARED_DATA ?? resolve(repoRoot, '../shared/data');
  const path = join(root, what);
  if (existsSync(path)) return path;
  console.log(`  (skipped: shared data ${path} is absent; set CLASH_SHARED_DATA to run these cases)`);
  return undefined;
}
