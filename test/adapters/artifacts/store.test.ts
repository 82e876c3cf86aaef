import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { getContent, putContent } from '../../../adapters/artifacts/content.ts';
import { FileArtifactStore } from '../../../adapters/artifacts/file.ts';
import { isArtifactStoreUrl, openArtifactStore } from '../../../adapters/artifacts/open.ts';
import type { S3ArtifactStore } from '../../../adapters/artifacts/s3.ts';
import { type ArtifactStore, InvalidArtifactKey } from '../../../adapters/artifacts/store.ts';
import { sha256Hex } from '../../../core/canonical-json.ts';
import { rejects } from '../../support/assert.ts';
import { configProblems } from '../../support/config.ts';
import { startS3Server, type TestS3Server } from '../../support/s3rver.ts';
import { tempDir } from '../../support/store.ts';

// One contract, three backends: what the market archives, decision artifacts and backups rely on.
const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array | undefined) => (b === undefined ? undefined : new TextDecoder().decode(b));

async function contract(name: string, store: ArtifactStore): Promise<void> {
  assert.is(await store.get('market/none'), undefined, `${name}: a missing key reads as undefined`);
  await store.put('market/hyperliquid/BTC/2026-01-05.ndjson.gz', bytes('day one'));
  await store.put('market/hyperliquid/BTC/2026-01-06.ndjson.gz', bytes('day two'));
  await store.put('market/hyperliquid/ETH/2026-01-05.ndjson.gz', bytes('eth'));
  await store.put('backups/head-42.db', bytes('backup'));
  assert.is(text(await store.get('market/hyperliquid/BTC/2026-01-05.ndjson.gz')), 'day one', name);

  await store.put('market/hyperliquid/BTC/2026-01-05.ndjson.gz', bytes('day one, again'));
  assert.is(text(await store.get('market/hyperliquid/BTC/2026-01-05.ndjson.gz')), 'day one, again', `${name}: put replaces`);

  assert.equal(
    await store.list('market/hyperliquid/BTC/'),
    [
      { key: 'market/hyperliquid/BTC/2026-01-05.ndjson.gz', size: 14 },
      { key: 'market/hyperliquid/BTC/2026-01-06.ndjson.gz', size: 7 },
    ],
    `${name}: list by prefix, sorted, with sizes`,
  );
  assert.is((await store.list()).length, 4, `${name}: list everything`);

  await store.delete('market/hyperliquid/BTC/2026-01-06.ndjson.gz');
  await store.delete('market/hyperliquid/BTC/2026-01-06.ndjson.gz');
  assert.is(await store.get('market/hyperliquid/BTC/2026-01-06.ndjson.gz'), undefined, `${name}: delete is repeatable`);

  const ref = await putContent(store, 'prompts', bytes('the prompt'));
  assert.is(ref.sha256, sha256Hex(bytes('the prompt')));
  assert.is(ref.key, `prompts/sha256/${ref.sha256.slice(0, 2)}/${ref.sha256}`);
  assert.is(text(await getContent(store, ref)), 'the prompt');
  await store.put(ref.key, bytes('tampered'));
  await rejects(() => getContent(store, ref), /does not match its sha256/, `${name}: a changed object is refused`);

  for (const bad of ['', '../etc/passwd', 'a/../b', 'a//b', '/abs', 'a b', 'x'.repeat(513)]) {
    await rejects(() => store.put(bad, bytes('x')), InvalidArtifactKey, `${name}: key ${JSON.stringify(bad.slice(0, 20))}`);
  }
  await rejects(() => store.list('../'), InvalidArtifactKey);
}

test('given the memory store, then it keeps the artifact contract', async () => {
  await contract('memory', openArtifactStore('memory:'));
});

test('given a file store, then it keeps the contract, stays inside its folder and skips torn writes', async () => {
  const dir = tempDir('artifacts-');
  try {
    const store = openArtifactStore(`file:${dir.path}/store`);
    assert.ok(store instanceof FileArtifactStore);
    await contract('file', store);
    assert.not.ok(existsSync(join(dir.path, 'etc')));
    // A crash mid-put leaves a partial file: it is never listed or read as the object.
    writeFileSync(join(dir.path, 'store', 'backups', 'head-43.db.partial-0123456789ab'), 'half');
    assert.not.ok((await store.list('backups/')).some((a) => a.key.includes('partial')));
    assert.ok(readdirSync(join(dir.path, 'store', 'backups')).length === 2);
  } finally {
    dir.remove();
  }
});

test('given an S3-compatible server (s3rver), then the s3:// store keeps the contract under its prefix', async () => {
  let s3: TestS3Server | undefined;
  try {
    s3 = await startS3Server('clash-artifacts');
    const store = openArtifactStore('s3://clash-artifacts/ledger/main', s3.options) as S3ArtifactStore;
    assert.is(store.url, 's3://clash-artifacts/ledger/main');
    await contract('s3', store);
    const other = openArtifactStore('s3://clash-artifacts/other', s3.options) as S3ArtifactStore;
    assert.equal(await other.list(), [], 'a prefix is a namespace');
    store.close();
    other.close();
  } finally {
    await s3?.close();
  }
});

test('given store URLs, then only the three forms open', () => {
  for (const ok of ['memory:', 'file:./data/artifacts', 's3://bucket', 's3://my-bucket/some/prefix']) assert.ok(isArtifactStoreUrl(ok), ok);
  for (const bad of ['', 'file:', 'http://x', 's3://', 's3://B/x', 'memory']) {
    assert.not.ok(isArtifactStoreUrl(bad), bad);
    assert.throws(() => openArtifactStore(bad), /unsupported artifact store URL/);
  }
});

test('given the configuration, then a bad artifact store URL or S3 endpoint stops start-up naming the variable', () => {
  assert.equal(configProblems({ CLASH_ARTIFACTS_URL: 'ftp://x' }), ['CLASH_ARTIFACTS_URL']);
  assert.equal(configProblems({ CLASH_S3_ENDPOINT: 'not a url' }), ['CLASH_S3_ENDPOINT']);
  assert.equal(configProblems({ CLASH_S3_FORCE_PATH_STYLE: 'yes' }), ['CLASH_S3_FORCE_PATH_STYLE']);
  assert.equal(configProblems({ CLASH_ARTIFACTS_URL: 's3://bucket/prefix', CLASH_S3_ENDPOINT: 'http://127.0.0.1:9000' }), []);
});

test.run();
