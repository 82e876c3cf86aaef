/**
 * Decision runs with the artifact store on a real S3-compatible server (`s3rver` on 127.0.0.1):
 * Given runs that order, hold and refuse a prose reply, When their packet, prompt and reply are
 * read back by the references their events recorded — through a second client, so the bytes
 * come from the server — Then each matches its sha-256 and is exactly what the run stored.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { type ArtifactRef, getContent } from '../../../adapters/artifacts/content.ts';
import { openArtifactStore } from '../../../adapters/artifacts/open.ts';
import type { DecisionEngine } from '../../../adapters/models/engine.ts';
import { noneEngine } from '../../../commands/decisions/engines/none.ts';
import { rulesEngine } from '../../../commands/decisions/engines/rules.ts';
import { decisionEvents } from '../../../commands/decisions/events.ts';
import { DecisionRuns, decisionStream } from '../../../commands/decisions/handlers.ts';
import { canonicalJson, sha256Hex } from '../../../core/canonical-json.ts';
import { ManualClock } from '../../../core/clock.ts';
import { EventRegistry } from '../../../core/event-registry.ts';
import { EventStore } from '../../../core/event-store.ts';
import { artifactSink } from '../../../server/decisions.ts';
import { btcRunContext } from '../../support/decision-context.ts';
import { startS3Server } from '../../support/s3rver.ts';
import { tempDir } from '../../support/store.ts';

const dir = tempDir();
const s3 = await startS3Server('decisions');
const PROSE = 'BTC looks strong, I would buy.';
const prose: DecisionEngine = {
  name: 'recorded',
  decide: async () => ({ text: PROSE, model: 'm', usage: { inputTokens: 1, outputTokens: 1 }, costMicroUsd: 0n, attempts: 1 }),
};

test('packets, prompts and replies of decision runs round-trip through s3rver by digest', async () => {
  const clock = new ManualClock(Date.UTC(2026, 0, 5));
  const store = EventStore.open(dir.file('s3.db'), { registry: new EventRegistry(decisionEvents), clock, synchronous: 'NORMAL' });
  const context = btcRunContext();
  const writer = openArtifactStore(`s3://${s3.bucket}/runs`, s3.options);
  const replies = new Map<string, string>();
  for (const [i, engine] of [rulesEngine, noneEngine, prose].entries()) {
    const runs = new DecisionRuns({
      store,
      clock,
      engine: {
        name: engine.name,
        decide: async (request) => {
          const reply = await engine.decide(request);
          replies.set(request.runId, reply.text);
          return reply;
        },
      },
      context: { compile: async () => context },
      artifacts: artifactSink(writer),
      orders: { submit: (_account, runId) => ({ orderId: `order-${runId}`, status: 'executed', code: null }) },
    });
    await runs.run({ runId: `run-${i}`, propAccountId: 'acc', cloneId: 'clone-1', asset: 'BTC', dueAt: Date.UTC(2026, 0, 5) + i * 60_000 });
  }
  const reader = openArtifactStore(`s3://${s3.bucket}/runs`, s3.options);
  const text = async (ref: ArtifactRef) => {
    const bytes = await getContent(reader, ref);
    assert.ok(bytes, `${ref.key} is on the server`);
    assert.is(sha256Hex(bytes), ref.sha256);
    assert.is(bytes.byteLength, ref.size);
    return new TextDecoder().decode(bytes);
  };
  const events = store.readStream(decisionStream('acc'));
  const started = events.filter((e) => e.type === 'DecisionRunStarted');
  const recorded = events.filter((e) => e.type === 'DecisionReplyRecorded');
  assert.is(started.length, 3);
  assert.is(recorded.length, 3);
  for (const e of started) {
    const d = e.data as { packet: ArtifactRef; prompt: ArtifactRef; packetDigest: string };
    assert.is(await text(d.packet), canonicalJson(context.packet));
    assert.is(d.packetDigest, d.packet.sha256);
    assert.equal(JSON.parse(await text(d.prompt)), { system: context.system, prompt: context.prompt });
  }
  for (const e of recorded) {
    const d = e.data as { runId: string; reply: ArtifactRef; parse: { status: string } };
    assert.is(await text(d.reply), replies.get(d.runId));
  }
  assert.equal(
    recorded.map((e) => (e.data as { parse: { status: string } }).parse.status),
    ['valid', 'valid', 'refused'],
  );
  store.close();
});

test.after(async () => {
  await s3.close();
  dir.remove();
});
test.run();
