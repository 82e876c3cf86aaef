import { rmSync, mkdirSync } from 'node:fs';
import { backtestLedger } from './test/support/backtest-jobs.ts';
rmSync('/tmp/p2/dbg', { recursive: true, force: true }); mkdirSync('/tmp/p2/dbg');
const limits = { BACKTEST_STARTER_REPLAY_STEPS: '1000', BACKTEST_CONCURRENCY: '4', BACKTEST_CONCURRENCY_PER_USER: '4' };
const t = Date.now();
const r = await backtestLedger('/tmp/p2/dbg/l.db', 'file:/tmp/p2/dbg/art', '/work/shared/data', ['u1'], limits, { stepMs: 60000 });
console.log(r.backtestIds, Date.now() - t, 'ms setup');
