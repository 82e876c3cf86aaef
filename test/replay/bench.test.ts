import { spawnSync } from 'node:child_process';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

// Figures live in `npm run bench`, never in timed tests. This only proves the benchmark still
// runs end to end and reports every figure beside its baseline.
test('npm run bench runs at a tiny size and reports each figure with its baseline and ratio', () => {
  const run = spawnSync(
    process.execPath,
    [
      '--expose-gc',
      '--import',
      'tsx',
      'replay/bench/main.ts',
      '--json',
      '--events',
      '2000',
      '--scale',
      '0.02',
      '--rounds',
      '1',
      '--http-seconds',
      '1',
    ],
    {
      encoding: 'utf8',
    },
  );
  assert.is(run.status, 0, run.stderr);
  const { figures } = JSON.parse(run.stdout) as {
    figures: { name: string; ours: number; baseline: number; ratio: number; baselineName?: string }[];
  };
  assert.ok(figures.length >= 11);
  assert.ok(figures.some((f) => f.name.startsWith('prop trading: actions filled')));
  for (const f of figures) {
    assert.ok(f.ours > 0 && f.baseline > 0, f.name);
    assert.ok(Math.abs(f.ratio - f.ours / f.baseline) < 1e-9, f.name);
  }
  assert.ok(figures.some((f) => f.name.startsWith('projection rebuild of 2,000 events')));
  for (const prefix of [
    'prop trading: file bytes per event',
    'prop trading: WAL frames per action',
    'server start (openLedger) on 2,000 events',
  ])
    assert.ok(
      figures.some((f) => f.name.startsWith(prefix)),
      prefix,
    );
  const peer = figures.filter((f) => f.name.startsWith('peer:'));
  assert.is(peer.length, 4, 'appends of 1 and 100, stream read, command round trip against the peer');
  assert.ok(peer.every((f) => f.baselineName?.startsWith('Emmett SQLite')));
  const http = figures.filter((f) => f.name.startsWith('HTTP:'));
  assert.equal(
    http.map((f) => f.baselineName),
    ['bare Hono', 'bare Hono', 'raw insert', 'raw insert'],
    'account and Arena reads beside bare Hono; durable actions with group commit on and off beside raw inserts',
  );
});

test.run();
