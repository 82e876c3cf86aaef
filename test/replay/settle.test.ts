import { writeFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Sinks } from '../../replay/cli/output.ts';
import { main } from '../../replay/main.ts';
import { holders, workedExample, workedExampleRoot } from '../commands/competition/worked-example.ts';
import { tempDir } from '../support/store.ts';

const dir = tempDir('clash-settle-');

async function clash(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const sinks: Sinks = {
    stdout: (text) => {
      stdout.push(text);
    },
    stderr: (text) => {
      stderr.push(text);
    },
    stderrIsTTY: false,
  };
  const code = await main(args, { sinks });
  return { code, stdout: stdout.join(''), stderr: stderr.join('') };
}

function inputFile(name: string, content: unknown): string {
  const path = dir.file(name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

test('settle --json prints the settlement document of the worked example', async () => {
  const { code, stdout, stderr } = await clash(['settle', '--input', inputFile('race.json', workedExample), '--json']);
  assert.is(stderr, '');
  assert.is(code, 0);
  const doc = JSON.parse(stdout);
  assert.equal(doc, {
    grossPoolWei: '120000000000000000',
    rakeWei: '6000000000000000',
    creatorPoolWei: '6000000000000000',
    distributionPoolWei: '108000000000000000',
    refund: false,
    ranking: [
      { cloneId: 'alpha', position: 1, weightBps: '5000' },
      { cloneId: 'bravo', position: 2, weightBps: '2500' },
      { cloneId: 'charlie', position: 2, weightBps: '2500' },
      { cloneId: 'delta', position: 4, weightBps: '0' },
    ],
    payouts: [
      { holder: holders.a1, cloneId: 'alpha', amountWei: '30857142857142855' },
      { holder: holders.a2, cloneId: 'alpha', amountWei: '41142857142857140' },
      { holder: holders.a2, cloneId: 'bravo', amountWei: '36000000000000000' },
    ],
    royalties: [
      { creator: '0x00000000000000000000000000000000000000C1', cloneId: 'alpha', amountWei: '3000000000000000' },
      { creator: '0x00000000000000000000000000000000000000c2', cloneId: 'bravo', amountWei: '1500000000000000' },
      { creator: '0x00000000000000000000000000000000000000C3', cloneId: 'charlie', amountWei: '1500000000000000' },
    ],
    breakageWei: '5',
    merkleRoot: workedExampleRoot,
  });
});

test('settle prints a human summary by default', async () => {
  const { code, stdout } = await clash(['settle', '--input', inputFile('race.json', workedExample)]);
  assert.is(code, 0);
  assert.match(stdout, /race race-worked-example\n/);
  assert.match(stdout, /gross pool {4}0\.120000000000000000 ETH/);
  assert.match(stdout, /breakage {6}0\.000000000000000005 ETH/);
  assert.match(stdout, /merkle root {3}0x[0-9a-f]{64}/);
  assert.match(stdout, /charlie +2 +2500/);
});

test('settle: bad input exits 2 naming the field', async () => {
  const [alpha, bravo] = workedExample.entrants;
  const badEquity = { ...workedExample, entrants: [alpha, { ...bravo, finalEquity: 'ten' }] };
  const bad = await clash(['settle', '--input', inputFile('bad.json', badEquity)]);
  assert.is(bad.code, 2);
  assert.match(bad.stderr, /entrants\.1\.finalEquity/);
  const stranger = { ...workedExample, tickets: [{ holder: holders.a1, cloneId: 'echo', count: 1 }] };
  const unknownClone = await clash(['settle', '--input', inputFile('stranger.json', stranger), '--json']);
  assert.is(unknownClone.code, 2);
  assert.is(unknownClone.stdout, '');
  assert.match(unknownClone.stderr, /tickets\.0\.cloneId: echo is not an entrant/);
  const notJson = await clash(['settle', '--input', inputFile('broken.json', '{')]);
  assert.is(notJson.code, 2);
  assert.match(notJson.stderr, /--input: .* is not JSON/);
  const missing = await clash(['settle']);
  assert.is(missing.code, 2);
  assert.match(missing.stderr, /--input/);
  const absent = await clash(['settle', '--input', dir.file('absent.json')]);
  assert.is(absent.code, 2);
  assert.match(absent.stderr, /cannot read/);
  // an endless input (a device, a runaway file) is refused at the bound, not read until memory runs out
  const endless = await clash(['settle', '--input', '/dev/zero']);
  assert.is(endless.code, 2);
  assert.match(endless.stderr, /--input: \/dev\/zero is larger than 67108864 bytes/);
});

test.after(() => dir.remove());
test.run();
