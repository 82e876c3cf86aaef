/**
 * The decision runtime's configuration: the engine by name (`none` by default), `anthropic`
 * without its key refused naming `ANTHROPIC_API_KEY`, bad bounds named; the engine each name
 * builds, and `recorded` refused with the reason the worker prints.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadConfig } from '../../server/config.ts';
import { anthropicConfigOf, engineOf } from '../../server/decision-config.ts';
import { configProblems } from '../support/config.ts';

test('the engine by name, none by default; anthropic needs its key; bounds are named', () => {
  assert.is(loadConfig({}).DECISION_MODEL_PROVIDER, 'none');
  assert.equal(configProblems({ DECISION_MODEL_PROVIDER: 'gpt' }), ['DECISION_MODEL_PROVIDER']);
  assert.equal(configProblems({ DECISION_MODEL_PROVIDER: 'anthropic' }), ['ANTHROPIC_API_KEY']);
  assert.equal(configProblems({ DECISION_CONCURRENCY: '0' }), ['DECISION_CONCURRENCY']);
  assert.equal(configProblems({ DECISION_CADENCE_SEC: '0' }), ['DECISION_CADENCE_SEC']);
  assert.equal(configProblems({ ANTHROPIC_BASE_URL: 'not a url' }), ['ANTHROPIC_BASE_URL']);
});

test('each name builds its engine; the Anthropic settings come from the environment; recorded is refused with a reason', () => {
  assert.is((engineOf(loadConfig({})) as { name: string }).name, 'none');
  assert.is((engineOf(loadConfig({ DECISION_MODEL_PROVIDER: 'rules' })) as { name: string }).name, 'rules');
  const config = loadConfig({
    DECISION_MODEL_PROVIDER: 'anthropic',
    ANTHROPIC_API_KEY: 'k',
    ANTHROPIC_BASE_URL: 'http://127.0.0.1:9',
    ANTHROPIC_MODEL_BASIC: 'model-b',
    ANTHROPIC_TIMEOUT_MS: '1500',
  });
  assert.is((engineOf(config) as { name: string }).name, 'anthropic');
  const a = anthropicConfigOf(config);
  assert.equal([a.baseURL, a.models.basic, a.timeoutMs, a.maxRetries], ['http://127.0.0.1:9', 'model-b', 1500, 3]);
  assert.match(String(engineOf(loadConfig({ DECISION_MODEL_PROVIDER: 'recorded' }))), 'no reply archive');
});

test.run();
