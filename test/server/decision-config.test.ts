/**
 * The decision runtime's configuration: the engine by name (`none` by default), `anthropic`
 * without its key refused naming `ANTHROPIC_API_KEY`, bad bounds named; the engine each name
 * builds (`recorded` over the reply archive it is given); Anthropic prices from the defaults
 * with `ANTHROPIC_PRICES` over them, malformed entries and unpriced models refused.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadConfig } from '../../server/config.ts';
import { anthropicConfigOf, anthropicPricesOf, engineOf } from '../../server/decision-config.ts';
import { configProblems } from '../support/config.ts';

test('the engine by name, none by default; anthropic needs its key; bounds are named', () => {
  assert.is(loadConfig({}).DECISION_MODEL_PROVIDER, 'none');
  assert.equal(configProblems({ DECISION_MODEL_PROVIDER: 'gpt' }), ['DECISION_MODEL_PROVIDER']);
  assert.equal(configProblems({ DECISION_MODEL_PROVIDER: 'anthropic' }), ['ANTHROPIC_API_KEY']);
  assert.equal(configProblems({ DECISION_CONCURRENCY: '0' }), ['DECISION_CONCURRENCY']);
  assert.equal(configProblems({ DECISION_CADENCE_SEC: '0' }), ['DECISION_CADENCE_SEC']);
  assert.equal(configProblems({ ANTHROPIC_BASE_URL: 'not a url' }), ['ANTHROPIC_BASE_URL']);
});

const noReplies = { get: async () => undefined };

test('each name builds its engine; the Anthropic settings come from the environment; recorded replays its archive', async () => {
  assert.is(engineOf(loadConfig({}), noReplies).name, 'none');
  assert.is(engineOf(loadConfig({ DECISION_MODEL_PROVIDER: 'rules' }), noReplies).name, 'rules');
  const config = loadConfig({
    DECISION_MODEL_PROVIDER: 'anthropic',
    ANTHROPIC_API_KEY: 'k',
    ANTHROPIC_BASE_URL: 'http://127.0.0.1:9',
    ANTHROPIC_MODEL_BASIC: 'model-b',
    ANTHROPIC_TIMEOUT_MS: '1500',
    ANTHROPIC_PRICES: 'model-b=250000:1250000',
  });
  assert.is(engineOf(config, noReplies).name, 'anthropic');
  const a = anthropicConfigOf(config);
  assert.equal([a.baseURL, a.models.basic, a.timeoutMs, a.maxRetries], ['http://127.0.0.1:9', 'model-b', 1500, 3]);
  assert.equal(a.prices['model-b'], { inputMicroUsdPerMTok: 250_000n, outputMicroUsdPerMTok: 1_250_000n });
  const recorded = engineOf(loadConfig({ DECISION_MODEL_PROVIDER: 'recorded' }), {
    get: async (digest) => (digest === 'd1' ? { text: 'stored', model: 'm' } : undefined),
  });
  assert.is(recorded.name, 'recorded');
  const reply = await recorded.decide({ packetDigest: 'd1' } as Parameters<typeof recorded.decide>[0]);
  assert.equal([reply.text, reply.model, reply.costMicroUsd], ['stored', 'm', 0n]);
});

test('prices: the default models priced by default, ANTHROPIC_PRICES over them; malformed entries and unpriced models refused', () => {
  const defaults = anthropicPricesOf(loadConfig({}));
  assert.equal(defaults['claude-sonnet-4-5'], { inputMicroUsdPerMTok: 3_000_000n, outputMicroUsdPerMTok: 15_000_000n });
  assert.equal(defaults['claude-3-5-haiku-latest'], { inputMicroUsdPerMTok: 800_000n, outputMicroUsdPerMTok: 4_000_000n });
  assert.equal(defaults['claude-opus-4-1'], { inputMicroUsdPerMTok: 15_000_000n, outputMicroUsdPerMTok: 75_000_000n });
  const over = anthropicPricesOf(loadConfig({ ANTHROPIC_PRICES: ' claude-sonnet-4-5=1:2 , other=3:4' }));
  assert.equal(
    [over['claude-sonnet-4-5']?.outputMicroUsdPerMTok, over.other?.inputMicroUsdPerMTok, over['claude-opus-4-1']?.inputMicroUsdPerMTok],
    [2n, 3n, 15_000_000n],
  );
  for (const bad of ['m=1', 'm=1.5:2', '=1:2', 'm=-1:2', 'm=1:2000000001', 'm 1:2']) {
    assert.equal(configProblems({ ANTHROPIC_PRICES: bad }), ['ANTHROPIC_PRICES'], bad);
  }
  const anthropic = { DECISION_MODEL_PROVIDER: 'anthropic', ANTHROPIC_API_KEY: 'k' };
  assert.equal(configProblems(anthropic), []);
  assert.equal(configProblems({ ...anthropic, ANTHROPIC_MODEL_ADVANCED: 'unpriced' }), ['ANTHROPIC_PRICES']);
  assert.equal(configProblems({ ...anthropic, ANTHROPIC_MODEL_ADVANCED: 'unpriced', ANTHROPIC_PRICES: 'unpriced=1:1' }), []);
  assert.equal(
    configProblems({ ANTHROPIC_API_KEY: 'k', ANTHROPIC_MODEL_BASIC: 'unpriced' }),
    ['ANTHROPIC_PRICES'],
    'a key alone serves backtests',
  );
  assert.equal(configProblems({ ANTHROPIC_MODEL_BASIC: 'unpriced' }), [], 'no key, no Anthropic engine');
});

test.run();
