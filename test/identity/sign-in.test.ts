import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { codeOf, startTestServer } from '../support/server.ts';
import { challengeFor, newAccount, signIn } from '../support/siwe.ts';

const server = await startTestServer();

test('sign in with a viem account, then /me', async () => {
  const account = newAccount();
  const s = await signIn(server, account);
  assert.is(s.user.address, account.address);
  const me = await server.call('GET', '/api/v1/me', { auth: s.auth });
  assert.is(me.status, 200);
  assert.equal((me.body as { id: string }).id, s.user.id);
});

test('a nonce is single use', async () => {
  const account = newAccount();
  const message = await challengeFor(server, account);
  const signature = await account.signMessage({ message });
  assert.is((await server.call('POST', '/api/v1/auth/verify', { body: { message, signature } })).status, 200);
  const again = await server.call('POST', '/api/v1/auth/verify', { body: { message, signature } });
  assert.is(again.status, 401);
  assert.is(codeOf(again.body), 'siwe_nonce_used');
});

test.after(() => server.stop());
test.run();
