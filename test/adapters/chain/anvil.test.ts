import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createPublicClient, http } from 'viem';
import { startAnvil } from '../../../adapters/chain/anvil.ts';

const reachable = async (rpcUrl: string) => {
  try {
    await fetch(rpcUrl, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    return true;
  } catch {
    return false;
  }
};

test('two anvils start side by side on free loopback ports, answer with their chain id, and stop', async () => {
  const started = Date.now();
  const [a, b] = await Promise.all([startAnvil(), startAnvil({ chainId: 1337 })]);
  const readyMs = Date.now() - started;
  try {
    assert.ok(a.port !== b.port);
    assert.match(a.rpcUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.is(await createPublicClient({ transport: http(a.rpcUrl) }).getChainId(), 31337);
    assert.is(await createPublicClient({ transport: http(b.rpcUrl) }).getChainId(), 1337);
    assert.ok(readyMs < 5000, `ready in ${readyMs} ms`);
  } finally {
    await Promise.all([a.stop(), b.stop()]);
  }
  assert.is(await reachable(a.rpcUrl), false);
  assert.is(await reachable(b.rpcUrl), false);
  await a.stop(); // stopping twice is harmless
});

test.run();
