/**
 * The `anthropic` engine against a local stub of the Messages API: what the SDK sends, the
 * scripted replies (valid, fenced, prose, unknown fields) through the action contract, and the
 * retry rule (429 then success, 529, 500, a timeout retried; 400 not).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { anthropicEngine, zAnthropicConfig } from '../../../adapters/models/anthropic.ts';
import type { DecisionRequest } from '../../../adapters/models/engine.ts';
import { parseReply } from '../../../commands/decisions/reply.ts';
import { ClashError } from '../../../core/errors.ts';
import { type AnthropicStub, startAnthropicStub } from '../../support/anthropic-stub.ts';

let stub: AnthropicStub;
const sleeps: number[] = [];

const request: DecisionRequest = {
  runId: 'run-1',
  asset: 'BTC',
  packetDigest: 'a'.repeat(64),
  system: 'You trade one asset.',
  prompt: 'Packet: {...}',
  modelStrength: 'standard',
  lastPrice: '100000',
  indicators: null,
  position: null,
  equityMicroUsd: 10_000_000_000n,
};

const action = {
  action: 'open',
  asset: 'BTC',
  side: 'long',
  notionalUsd: '2000',
  leverage: 3,
  confidence: 0.72,
  exitPlan: { takeProfitPrice: '104000', stopLossPrice: '98000', invalidation: 'a close below the 20 EMA' },
  reason: 'uptrend',
};

function engine(timeoutMs = 2000) {
  const config = zAnthropicConfig.parse({
    apiKey: 'sk-test-key',
    baseURL: stub.url,
    models: { basic: 'claude-basic-test', standard: 'claude-standard-test', advanced: 'claude-advanced-test' },
    prices: { 'claude-standard-test': { inputMicroUsdPerMTok: '3000000', outputMicroUsdPerMTok: '15000000' } },
    maxTokens: 700,
    timeoutMs,
    maxRetries: 2,
    backoffMs: 100,
  });
  return anthropicEngine(config, async (ms) => {
    sleeps.push(ms);
  });
}

async function refusal(run: () => Promise<unknown>): Promise<ClashError> {
  try {
    await run();
  } catch (error) {
    assert.instance(error, ClashError);
    return error as ClashError;
  }
  throw new Error('expected a refusal');
}

test.before(async () => {
  stub = await startAnthropicStub();
});
test.after(async () => {
  await stub.close();
});
test.before.each(() => {
  sleeps.length = 0;
});

test('a valid reply: the SDK sent the tier model, max_tokens, system and one user message; usage and cost come back', async () => {
  stub.script([{ text: JSON.stringify(action), inputTokens: 1200, outputTokens: 80 }]);
  const reply = await engine().decide(request);
  assert.is(stub.requests.length, 1);
  const sent = stub.requests[0];
  assert.is(sent?.path, '/v1/messages');
  assert.is(sent?.headers.authorization, 'Bearer sk-test-key');
  assert.equal(sent?.body, {
    model: 'claude-standard-test',
    max_tokens: 700,
    system: request.system,
    messages: [{ role: 'user', content: request.prompt }],
  });
  assert.is(reply.model, 'claude-standard-test');
  assert.equal(reply.usage, { inputTokens: 1200, outputTokens: 80 });
  // 1200 · 3 + 80 · 15 = 4800 micro-USD
  assert.is(reply.costMicroUsd, 4800n);
  assert.is(reply.attempts, 1);
  assert.equal(parseReply(reply.text), { status: 'valid', action });
});

test('fenced JSON is extracted and flagged; prose around JSON and unknown fields are refused', async () => {
  stub.script([{ text: `\`\`\`json\n${JSON.stringify(action)}\n\`\`\`` }]);
  assert.equal(parseReply((await engine().decide(request)).text), { status: 'extracted', action });
  stub.script([{ text: `Here is my decision: ${JSON.stringify(action)} Good luck.` }]);
  assert.is(parseReply((await engine().decide(request)).text).status, 'refused');
  stub.script([{ text: JSON.stringify({ ...action, stopLoss: 5 }) }]);
  const parsed = parseReply((await engine().decide(request)).text);
  assert.is(parsed.status === 'refused' && parsed.reason, 'contract_violation');
});

test('429 then success: retried once after the first backoff step', async () => {
  stub.script([{ status: 429 }, { text: JSON.stringify(action) }]);
  const reply = await engine().decide(request);
  assert.is(reply.attempts, 2);
  assert.is(stub.requests.length, 2);
  assert.equal(sleeps, [100]);
});

for (const status of [529, 500]) {
  test(`${status} on every attempt: retried with exponential backoff, then engine_unavailable`, async () => {
    stub.script([{ status }]);
    const error = await refusal(() => engine().decide(request));
    assert.is(error.code, 'engine_unavailable');
    assert.is(error.kind, 'unavailable');
    assert.is(error.info.status, status);
    assert.is(stub.requests.length, 3);
    assert.equal(sleeps, [100, 200]);
  });
}

test('a 400 is not retried: engine_refused', async () => {
  stub.script([{ status: 400 }]);
  const error = await refusal(() => engine().decide(request));
  assert.is(error.code, 'engine_refused');
  assert.is(stub.requests.length, 1);
  assert.equal(sleeps, []);
});

test('a timeout is retried, then engine_unavailable', async () => {
  stub.script([{ hang: 1000 }]);
  const error = await refusal(() => engine(50).decide(request));
  assert.is(error.code, 'engine_unavailable');
  assert.is(stub.requests.length, 3);
});

test('a timeout then a reply succeeds', async () => {
  stub.script([{ hang: 1000 }, { text: JSON.stringify(action) }]);
  const reply = await engine(100).decide(request);
  assert.is(reply.attempts, 2);
});

test('a model strength without a configured model is engine_refused before any call', async () => {
  stub.script([{ text: JSON.stringify(action) }]);
  const error = await refusal(() => engine().decide({ ...request, modelStrength: 'ultra' }));
  assert.is(error.code, 'engine_refused');
  assert.is(stub.requests.length, 0);
});

test.run();
