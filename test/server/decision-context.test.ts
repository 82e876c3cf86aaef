/**
 * The decision context source and the packet's account section on a real SQLite file with the
 * recorded market imported: Given an owner's clone with a published version and a prop account
 * holding a BTC long, When a due unit of BTC is compiled and the owner previews, Then the run
 * context carries the packet with the account section (the position with entry, liquidation
 * price and PnL, the fill, the ledger summary, headroom), the held asset as a candidate with
 * reason `open_position`, the caps, equity, last price and indicators; a rules run through it
 * completes; and an unknown account or a closed one fails typed.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MemoryArtifactStore } from '../../adapters/artifacts/memory.ts';
import { MarketMemory } from '../../adapters/market/market-memory.ts';
import { DEFAULT_TAXONOMY_FILE } from '../../adapters/market/taxonomy.ts';
import type { ContextPacket } from '../../commands/ai-trading/packet.ts';
import { rulesEngine } from '../../commands/decisions/engines/rules.ts';
import { DecisionRuns, decisionStream } from '../../commands/decisions/handlers.ts';
import { PropTrading } from '../../commands/prop-trading/handlers.ts';
import { ClashError } from '../../core/errors.ts';
import { decisionContextSource } from '../../server/decision-context.ts';
import { artifactSink, propTradingOrders } from '../../server/decisions.ts';
import { givenAHeldPosition } from '../support/held-position.ts';
import { sharedData } from '../support/prop-trading.ts';

const data = sharedData();

test('a due unit compiles to the run context: packet with the account, held asset a candidate, caps, headroom, price, indicators', async () => {
  if (!data) return;
  const { server, cloneId, decisionTime } = await givenAHeldPosition(data as string);
  try {
    const source = decisionContextSource(server.ledger.store.db, { CLASH_TAXONOMY_FILE: DEFAULT_TAXONOMY_FILE });
    const unit = { runId: 'run-1', propAccountId: 'acc-1', cloneId, asset: 'BTC', dueAt: decisionTime };
    const ctx = await source.compile(unit);
    const packet = ctx.packet as ContextPacket;
    assert.is(packet.symbol, 'BTC');
    assert.is(packet.decisionTime, new Date(decisionTime).toISOString());
    const account = packet.account;
    assert.ok(account, 'the packet has the account section');
    assert.is(account.propAccountId, 'acc-1');
    const position = account.positions[0];
    assert.is(position?.asset, 'BTC');
    assert.is(position?.side, 'long');
    assert.ok(Number(position?.entryPrice) > 100_000 && Number(position?.entryPrice) < 110_000, position?.entryPrice);
    assert.ok(
      position?.liquidationPrice && Number(position.liquidationPrice) < Number(position.entryPrice),
      String(position?.liquidationPrice),
    );
    assert.is(account.recentFills.length, 1);
    assert.is(account.recentFills[0]?.side, 'buy');
    assert.is(account.ledger.trades, 1);
    assert.ok(BigInt(account.ledger.feesMicroUsd) > 0n, 'the taker fee is booked');
    assert.is(account.headroomMicroUsd.positionNotional, '100000000000');
    assert.ok(BigInt(account.headroomMicroUsd['positionNotional.BTC'] ?? '0') < 100_000_000_000n, 'the held notional is used');
    assert.equal(ctx.candidates[0], 'BTC', 'the held asset ranks first');
    assert.ok(ctx.candidates.includes('ETH'));
    assert.is(ctx.modelStrength, 'basic');
    assert.is(ctx.promptTemplateVersion, 'prompt-v1');
    assert.ok(ctx.prompt.includes('## Account') && ctx.prompt.includes('BTC|long|'), 'the prompt renders the position');
    assert.ok(ctx.assetEnabled);
    assert.is(ctx.confidenceThreshold, 0.5, 'no minConfidence on the trading prompt: the default');
    assert.is(ctx.tierMaxLeverage, 20);
    assert.ok(ctx.assetMaxLeverage >= 1);
    assert.equal(ctx.position, { side: 'long', entryPrice: position?.entryPrice });
    assert.ok(ctx.equityMicroUsd > 9_000_000_000n && ctx.equityMicroUsd < 10_100_000_000n, String(ctx.equityMicroUsd));
    assert.ok(ctx.headroomMicroUsd > 0n && ctx.headroomMicroUsd <= BigInt(account.headroomMicroUsd['positionNotional.BTC'] ?? '0'));
    assert.ok(Number(ctx.lastPrice) > 0);
    assert.ok(ctx.indicators && ctx.indicators.ema20 !== null, 'the newest indicator row at T');
    const again = await source.compile(unit);
    assert.is((again.packet as ContextPacket).digest, packet.digest, 'same inputs, same digest');

    const runs = new DecisionRuns({
      store: server.ledger.store,
      clock: server.clock,
      engine: rulesEngine,
      context: source,
      artifacts: artifactSink(new MemoryArtifactStore()),
      orders: propTradingOrders(
        new PropTrading({
          store: server.ledger.store,
          clock: server.clock,
          ids: server.ledger.ids,
          market: new MarketMemory(server.ledger.store.db),
        }),
      ),
    });
    await runs.run(unit);
    const types = server.ledger.store.readStream(decisionStream('acc-1')).map((e) => e.type);
    assert.ok(types.includes('DecisionRunCompleted'), types.join(','));
  } finally {
    await server.stop();
  }
});

test('the owner preview shows the position and the held asset as a candidate with reason open_position', async () => {
  if (!data) return;
  const { server, cloneId, auth } = await givenAHeldPosition(data as string);
  try {
    const res = await server.call('POST', `/api/v1/clones/${cloneId}/pipeline/preview`, { auth, body: { asset: 'BTC' } });
    assert.is(res.status, 200, JSON.stringify(res.body));
    const body = res.body as {
      branches: { candidates: { symbol: string; reason: string }[] }[];
      context: { packet: ContextPacket };
    };
    assert.equal(body.branches[0]?.candidates[0], { symbol: 'BTC', rank: 1, reason: 'open_position' });
    assert.is(body.context.packet.account?.positions[0]?.asset, 'BTC');
    assert.is(body.context.packet.account?.ledger.trades, 1);
  } finally {
    await server.stop();
  }
});

test("the trading prompt's minConfidence is the run's confidence threshold", async () => {
  if (!data) return;
  const { server, cloneId, decisionTime } = await givenAHeldPosition(data as string, {}, { minConfidence: 0.9 });
  try {
    const source = decisionContextSource(server.ledger.store.db, { CLASH_TAXONOMY_FILE: DEFAULT_TAXONOMY_FILE });
    const unit = { runId: 'run-1', propAccountId: 'acc-1', cloneId, asset: 'BTC', dueAt: decisionTime };
    const ctx = await source.compile(unit);
    assert.is(ctx.confidenceThreshold, 0.9);
  } finally {
    await server.stop();
  }
});

test('an unknown account and a closed one fail typed', async () => {
  if (!data) return;
  const { server, cloneId, decisionTime, prop } = await givenAHeldPosition(data as string);
  try {
    const source = decisionContextSource(server.ledger.store.db, { CLASH_TAXONOMY_FILE: DEFAULT_TAXONOMY_FILE });
    const codeOf = (e: unknown) => (e instanceof ClashError ? e.code : String(e));
    const unknown = await source.compile({ runId: 'r', propAccountId: 'nope', cloneId, asset: 'BTC', dueAt: decisionTime }).catch(codeOf);
    assert.is(unknown, 'account_not_found');
    prop.close('acc-1', { reason: 'admin ended it' }, 'service:test');
    const closed = await source.compile({ runId: 'r', propAccountId: 'acc-1', cloneId, asset: 'BTC', dueAt: decisionTime }).catch(codeOf);
    assert.is(closed, 'account_not_running');
  } finally {
    await server.stop();
  }
});

test.run();
