/** The variables a configuration is refused for (empty when it loads). */
import * as assert from 'uvu/assert';
import { ConfigError } from '../../core/config.ts';
import { loadConfig } from '../../server/config.ts';

export function configProblems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    assert.instance(error, ConfigError);
    return (error as ConfigError).problems.map((p) => p.split('=')[0] as string);
  }
}
