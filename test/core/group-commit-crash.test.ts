import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { openWalletStore, tempDir } from '../support/store.ts';
import { walletBalances } from '../support/wallet/projections.ts';

// kill -9 while group commits run: no acknowledged command is lost, and no command is ever in
// the file in part (its event without its read-model update, or the reverse).
const dir = tempDir();

/** Runs the child until `until(stdout)` holds, then SIGKILLs it; returns the numbers it acknowledged. */
async function runAndKill(path: string, mode: 'hang' | 'run', until: (out: string) => boolean): Promise<number[]> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/group-commit-child.ts', path, mode, '400'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (chunk) => {
    out += String(chunk);
    if (until(out)) child.kill('SIGKILL');
  });
  await once(child, 'exit');
  return [...out.matchAll(/acked (\d+)/g)].map((m) => Number(m[1]));
}

/** The deposits in the file and the balance the inline read model holds (written in the same transaction). */
function inFile(path: string): { deposits: number[]; balance: bigint } {
  const { store } = openWalletStore(path, { projections: [walletBalances] });
  const deposits = store
    .readStream('wallet-crash')
    .filter((e) => e.type === 'FundsDeposited')
    .map((e) => Number((e.data as { memo: string }).memo));
  const row = store.db.prepare("SELECT balance FROM wallet_balances WHERE wallet_id = 'crash'").pluck().get() as string | undefined;
  store.close();
  return { deposits, balance: BigInt(row ?? '0') };
}

test('given a child killed during a group COMMIT, then every acknowledged command is there and nothing of the unfinished group', async () => {
  const path = dir.file('hang.db');
  const acked = await runAndKill(path, 'hang', (out) => out.includes('committing'));
  const { deposits, balance } = inFile(path);
  assert.ok(acked.length > 0, 'some groups were acknowledged before the hang');
  for (const n of acked) assert.ok(deposits.includes(n), `acknowledged deposit ${n} is durable`);
  assert.equal(deposits.length, acked.length, 'the group whose COMMIT never finished left nothing, and was never acknowledged');
  assert.is(balance, BigInt(deposits.length));
});

test('given children killed at arbitrary moments under load, then acknowledged commands survive and every command is whole', async () => {
  for (const [i, after] of [15, 60, 140].entries()) {
    const path = dir.file(`run-${i}.db`);
    const acked = await runAndKill(path, 'run', (out) => (out.match(/acked/g)?.length ?? 0) >= after);
    const { deposits, balance } = inFile(path);
    for (const n of acked) assert.ok(deposits.includes(n), `kill ${i}: acknowledged deposit ${n} is durable`);
    assert.is(new Set(deposits).size, deposits.length, `kill ${i}: no command twice`);
    assert.is(balance, BigInt(deposits.length), `kill ${i}: the read model moved with exactly the committed commands`);
  }
});

test.after(() => dir.remove());
test.run();
