/**
 * One HTTP load against the real server, for profiling it: `node --import tsx
 * replay/bench/http-profile.ts account|arena|action [SECONDS]` starts the server as the HTTP bench
 * does (`http.ts`: fresh ledger, 50 prop accounts, BTC priced, group commit on), runs autocannon
 * with 10 connections on an account read, the Arena read or the durable action for SECONDS
 * (default 8), prints requests/s, p99 and the server's CPU time per request, and stops the server. With
 * `CLASH_BENCH_CPU_PROFILE_DIR=DIR` the server runs under `node --cpu-prof` and leaves its
 * `.cpuprofile` in DIR (doc/benchmarks.md "HTTP", "Profiling").
 */
import { action, load, startLedgerServer, stop } from './http.ts';
import { Scratch } from './measure.ts';

const PATHS = { account: '/api/v1/prop-accounts/bench-7', arena: '/api/v1/arena' } as const;
const [what = 'account', secondsArg = '8'] = process.argv.slice(2);
if (what !== 'account' && what !== 'arena' && what !== 'action')
  throw new Error(`usage: http-profile.ts account|arena|action [SECONDS] (got ${what})`);
const seconds = Number(secondsArg);
if (!(seconds > 0 && seconds <= 600)) throw new Error(`SECONDS must be in (0, 600] (got ${secondsArg})`);

const scratch = new Scratch();
const server = await startLedgerServer(scratch, 64);
try {
  const result =
    what === 'action'
      ? await load(server, seconds, 10, action)
      : await load(server, seconds, 10, () => ({ method: 'GET', path: PATHS[what] }));
  const cpu = result.cpuUs === null ? 'n/a' : `${Math.round(result.cpuUs)} µs`;
  process.stdout.write(
    `${what}: ${Math.round(result.rps)} requests/s, p99 ${result.p99} ms, server CPU per request ${cpu}, non-2xx or errors ${result.bad}\n`,
  );
} finally {
  await stop(server.child);
  scratch.remove();
}
