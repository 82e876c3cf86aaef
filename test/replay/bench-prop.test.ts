import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runPropTradingBench } from '../../replay/bench/prop-trading.ts';

test('the prop trading bench runs small and reports each figure beside its baseline', () => {
  const r = runPropTradingBench({ actions: 40, accounts: 4, rebuildEvents: 3_000 });
  assert.equal(
    r.commandPath.map((f) => [f.synchronous, f.actions, f.events]),
    [
      ['FULL', 40, 40],
      ['NORMAL', 40, 40],
    ],
  );
  for (const f of r.commandPath) assert.ok(f.actionsPerSecond > 0 && f.rawCommandsPerSecond > 0 && f.ratio > 0);
  assert.ok(r.rebuild.events >= 3_000);
  assert.is(r.rebuild.projections.length, 6);
  assert.ok(r.rebuild.ratio > 0);
});

test.run();
