/**
 * The official EIP-4361 test vectors (spruceid/siwe), read from the shared data folder:
 * parsing through the adapter and through POST /api/v1/auth/verify, verification through the
 * real endpoint with the vector's domain, nonce and time. Skipped when the folder is absent.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseSiweMessage } from '../../adapters/siwe/siwe-message.ts';
import { checkSiweFields, isSignedBy } from '../../adapters/siwe/siwe-verifier.ts';
import type { ClashError } from '../../core/errors.ts';
import { codeOf, startTestServer, type TestServer } from '../support/server.ts';
import { formatMessage, type MessageFields, sharedData } from '../support/siwe.ts';

type Vector = MessageFields & { signature: `0x${string}`; time?: string; domainBinding?: string; matchNonce?: string };

const dir = sharedData('siwe');
const load = <T>(file: string) => JSON.parse(readFileSync(join(dir as string, file), 'utf8')) as Record<string, T>;

/** What the server refuses each negative verification vector with. */
const expectedRefusal: Record<string, string> = {
  'expired message': 'siwe_expired',
  'domain binding': 'siwe_domain_mismatch',
  'custom time': 'siwe_expired',
  'custom nonce': 'siwe_nonce_unknown',
  'malformed signature': 'siwe_signature_invalid',
  'wrong signature': 'siwe_signature_invalid',
  'not yet valid': 'siwe_not_yet_valid',
  'invalid issuedAt': 'siwe_parse_failed',
  'invalid notBefore': 'siwe_parse_failed',
  'invalid expirationTime': 'siwe_parse_failed',
};

const fieldsOf = ({ signature: _s, time: _t, domainBinding: _d, matchNonce: _m, ...fields }: Vector): MessageFields => fields;

/** A server for this vector's origin, clock at its time (or just after issuance), with its nonce issued. */
async function serverFor(v: Vector): Promise<{ server: TestServer; message: string }> {
  const domain = v.domainBinding ?? v.domain;
  const now = Date.parse(v.time ?? v.issuedAt) + (v.time ? 0 : 1000);
  const server = await startTestServer({ CLASH_PUBLIC_ORIGIN: `https://${domain}`, CLASH_SIWE_CHAIN_ID: String(v.chainId) }, now);
  server.ledger.store.db
    .prepare('INSERT INTO siwe_nonces (nonce, issued_at, expires_at) VALUES (?, ?, ?)')
    .run(v.matchNonce ?? v.nonce, now, now + 300_000);
  return { server, message: formatMessage(fieldsOf(v)) };
}

if (dir) {
  test('parsing_positive: every message parses to its fields', () => {
    for (const [name, v] of Object.entries(load<{ message: string; fields: Record<string, unknown> }>('parsing_positive.json'))) {
      const expected = Object.fromEntries(Object.entries(v.fields).filter(([, value]) => value !== null)); // null: "absent"
      assert.equal({ ...parseSiweMessage(v.message) }, expected, name);
    }
  });

  test('parsing_negative: every message is refused as siwe_parse_failed, through POST /auth/verify too', async () => {
    const server = await startTestServer();
    for (const [name, message] of Object.entries(load<string>('parsing_negative.json'))) {
      const res = await server.call('POST', '/api/v1/auth/verify', { body: { message, signature: '0x00' } });
      assert.is(res.status, 400, name);
      assert.is(codeOf(res.body), 'siwe_parse_failed', name);
    }
    await server.stop();
  });

  test('verification_positive: each signature is valid, and the endpoint signs in (or refuses an issued-at after the time)', async () => {
    for (const [name, v] of Object.entries(load<Vector>('verification_positive.json'))) {
      const message = formatMessage(fieldsOf(v));
      assert.ok(await isSignedBy(message, v.signature, v.address), name);
      const now = Date.parse(v.time ?? v.issuedAt);
      const policy = { domain: v.domain, origin: new URL(v.uri).origin, chainId: v.chainId, skewMs: 60_000 };
      if (Date.parse(v.issuedAt) > now) {
        // Stricter than EIP-4361's reference check: a message issued after the server's clock is refused.
        assert.throws(
          () => checkSiweFields(parseSiweMessage(message), policy, now),
          (e: ClashError) => e.code === 'siwe_issued_in_future',
        );
        continue;
      }
      checkSiweFields(parseSiweMessage(message), policy, now);
      if (new URL(v.uri).host !== v.domain) continue; // one origin per server: such a vector cannot sign in over HTTP
      const { server } = await serverFor(v);
      const res = await server.call('POST', '/api/v1/auth/verify', { body: { message, signature: v.signature } });
      assert.is(res.status, 200, `${name}: ${JSON.stringify(res.body)}`);
      assert.is((res.body as { user: { address: string } }).user.address, v.address, name);
      await server.stop();
    }
  });

  test('verification_negative: each is refused through the endpoint with its own code, appending nothing', async () => {
    for (const [name, v] of Object.entries(load<Vector>('verification_negative.json'))) {
      const { server, message } = await serverFor(v);
      const res = await server.call('POST', '/api/v1/auth/verify', { body: { message, signature: v.signature } });
      assert.is(codeOf(res.body), expectedRefusal[name], `${name}: ${JSON.stringify(res.body)}`);
      assert.is(server.ledger.store.headPosition(), 0, name);
      await server.stop();
    }
  });

  test('eip1271: contract-wallet signatures need a chain RPC; offline they are not valid EOA signatures', async () => {
    for (const [name, v] of Object.entries(load<{ message: string; signature: string }>('eip1271.json'))) {
      const fields = parseSiweMessage(v.message);
      assert.not.ok(await isSignedBy(v.message, v.signature, fields.address), name);
    }
  });
}

test.run();
