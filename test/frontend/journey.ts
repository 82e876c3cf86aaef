/**
 * A frontend's view of the API, typed only by the types `openapi-typescript` generates from the
 * served document (`./api-types.ts`, written beside a copy of this file by
 * test/server/typed-client.test.ts, which type-checks it and runs it). No import from the
 * server: if a route's answer or body changes shape, this file stops type-checking.
 */
import type { paths } from './api-types.ts';

type Method = 'get' | 'post' | 'put';
type Op<P extends keyof paths, M extends Method> = M extends keyof paths[P] ? paths[P][M] : never;
/** The JSON body an operation takes. */
export type Body<P extends keyof paths, M extends Method> =
  Op<P, M> extends { requestBody: { content: { 'application/json': infer B } } } ? B : never;
/** The JSON an operation answers with this status. */
export type Answer<P extends keyof paths, M extends Method, S extends number> =
  Op<P, M> extends { responses: { [K in S]: { content: { 'application/json': infer R } } } } ? R : never;
export type ApiError = Answer<'/api/v1/clones', 'post', 401>;

/** What the frontend needs of the user's wallet (window.ethereum, wagmi, …). */
export interface Wallet {
  readonly address: string;
  signMessage(args: { message: string }): Promise<string>;
}

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly body: ApiError,
  ) {
    super(`${status} ${body.error.code}: ${body.error.message}`);
  }
}

async function call<T>(base: string, method: string, path: string, token?: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {};
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(base + path, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const json: unknown = await res.json();
  if (!res.ok) throw new ApiFailure(res.status, json as ApiError);
  return json as T;
}

/** Sign-In With Ethereum: the server's challenge, the EIP-4361 message, the wallet's signature. */
export async function signIn(base: string, wallet: Wallet): Promise<Answer<'/api/v1/auth/verify', 'post', 200>> {
  const c = await call<Answer<'/api/v1/auth/nonce', 'get', 200>>(base, 'GET', '/api/v1/auth/nonce');
  const message = [
    `${c.domain} wants you to sign in with your Ethereum account:`,
    wallet.address,
    '',
    'Sign in to Clash of Clones',
    '',
    `URI: ${c.uri}`,
    'Version: 1',
    `Chain ID: ${c.chainId}`,
    `Nonce: ${c.nonce}`,
    `Issued At: ${c.issuedAt}`,
  ].join('\n');
  const proof: Body<'/api/v1/auth/verify', 'post'> = { message, signature: await wallet.signMessage({ message }) };
  return call(base, 'POST', '/api/v1/auth/verify', undefined, proof);
}

export async function createClone(base: string, token: string, name: string): Promise<Answer<'/api/v1/clones', 'post', 201>> {
  const body: Body<'/api/v1/clones', 'post'> = { name, modelTier: 'basic' };
  return call(base, 'POST', '/api/v1/clones', token, body);
}

/** A prop account's fills, one line each, as a trade list would show them. */
export async function fillLines(base: string, token: string, accountId: string): Promise<string[]> {
  const page = await call<Answer<'/api/v1/prop-accounts/{id}/fills', 'get', 200>>(
    base,
    'GET',
    `/api/v1/prop-accounts/${encodeURIComponent(accountId)}/fills?limit=50`,
    token,
  );
  return page.items.map(
    (f) => `${new Date(f.at).toISOString()} ${f.kind} ${f.asset} ${f.sizeE8}e-8 @ ${f.priceE8}e-8 fee ${f.feeMicroUsd} µUSD`,
  );
}

/** A settled race as a results page would show it: the pool, then each clone's place. */
export async function settlementLines(base: string, raceId: string): Promise<string[]> {
  const s = await call<Answer<'/api/v1/races/{id}/settlement', 'get', 200>>(
    base,
    'GET',
    `/api/v1/races/${encodeURIComponent(raceId)}/settlement`,
  );
  const head = `race ${s.sequence} settled ${s.settledAt}: pool ${s.grossPoolWei} wei, rake ${s.rakeWei} wei`;
  return [head, ...s.ranking.map((r) => `#${r.position} ${r.cloneId} ${r.finalEquityMicroUsd} µUSD (${r.tickets} tickets)`)];
}
