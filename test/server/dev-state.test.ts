/** Development secrets kept beside the database: generated once, read back, never in production or tests, configured values win. */
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError } from '../../core/config.ts';
import { developmentStateDir } from '../../core/database.ts';
import { loadConfig } from '../../server/config.ts';
import { withKeptSecrets } from '../../server/dev-state.ts';
import { tempDir } from '../support/store.ts';

const configIn = (dir: ReturnType<typeof tempDir>, env: Record<string, string> = {}) =>
  loadConfig({ NODE_ENV: 'development', CLASH_DB: dir.file('clash.db'), ...env });

test('the state folder sits beside the database, named after it; an in-memory ledger has none', () => {
  assert.is(developmentStateDir('./data/clash.db'), 'data/clash.dev');
  assert.is(developmentStateDir('/var/x/ledger.sqlite'), '/var/x/ledger.dev');
  assert.is(developmentStateDir(':memory:'), null);
});

test('given development, the first start generates both keys owner-only and the next start reads the same ones', () => {
  const dir = tempDir('clash-dev-state-');
  try {
    const first = withKeptSecrets(configIn(dir));
    assert.equal(
      first.kept.map((k) => [k.variable, k.created]),
      [
        ['CLASH_JWT_PRIVATE_KEY', true],
        ['CLASH_SIGNER_PRIVATE_KEY', true],
      ],
    );
    assert.match(first.config.CLASH_JWT_PRIVATE_KEY ?? '', /^-----BEGIN PRIVATE KEY-----/);
    assert.match(first.config.CLASH_SIGNER_PRIVATE_KEY ?? '', /^0x[0-9a-f]{64}$/);
    for (const k of first.kept) assert.is(statSync(k.file).mode & 0o777, 0o600, k.file);
    const second = withKeptSecrets(configIn(dir));
    assert.equal(
      second.kept.map((k) => k.created),
      [false, false],
    );
    assert.is(second.config.CLASH_JWT_PRIVATE_KEY, first.config.CLASH_JWT_PRIVATE_KEY);
    assert.is(second.config.CLASH_SIGNER_PRIVATE_KEY, first.config.CLASH_SIGNER_PRIVATE_KEY);
  } finally {
    dir.remove();
  }
});

test('given configured keys or a configured chain, nothing of theirs is generated; a damaged kept key stops start-up naming its file', () => {
  const dir = tempDir('clash-dev-state-');
  try {
    const signer = `0x${'22'.repeat(32)}`;
    const configured = withKeptSecrets(configIn(dir, { CLASH_SIGNER_PRIVATE_KEY: signer }));
    assert.equal(
      configured.kept.map((k) => k.variable),
      ['CLASH_JWT_PRIVATE_KEY'],
    );
    assert.is(configured.config.CLASH_SIGNER_PRIVATE_KEY, signer);
    const chain = { CHAIN_RPC_URL: 'http://127.0.0.1:8545', CHAIN_ID: '31337', VAULT_ADDRESS: `0x${'11'.repeat(20)}` };
    assert.is(withKeptSecrets(configIn(dir, chain)).config.CLASH_SIGNER_PRIVATE_KEY, undefined);
    const file = join(dir.path, 'clash.dev', 'signer.key');
    writeFileSync(file, 'not a key');
    try {
      withKeptSecrets(configIn(dir));
      assert.unreachable('a damaged key is refused');
    } catch (error) {
      assert.instance(error, ConfigError);
      assert.match((error as ConfigError).problems.join(), `${file}: not a 0x-prefixed 32-byte hex private key`);
    }
  } finally {
    dir.remove();
  }
});

test('given tests or production, the configuration comes back unchanged and nothing is written', () => {
  const dir = tempDir('clash-dev-state-');
  try {
    const inTests = configIn(dir, { NODE_ENV: 'test' });
    assert.equal(withKeptSecrets(inTests), { config: inTests, kept: [] });
    assert.not.ok(existsSync(join(dir.path, 'clash.dev')));
    assert.equal(readdirSync(dir.path), []);
  } finally {
    dir.remove();
  }
});

test.run();
