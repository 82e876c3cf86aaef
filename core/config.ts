/** Reading configuration from the environment through a zod schema, naming the bad variable. */
import type { z } from 'zod';
import { ClashError } from './errors.ts';

export class ConfigError extends ClashError {
  constructor(readonly problems: readonly string[]) {
    super('bad_configuration', 'invalid', `bad configuration:\n  ${problems.join('\n  ')}`, { problems });
  }
}

export function parseEnv<S extends z.ZodType>(schema: S, env: Record<string, string | undefined>): z.output<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((i) => {
      const name = i.path.map(String).join('.');
      const value = env[name];
      return `${name}=${value === undefined ? '(unset)' : JSON.stringify(value)}: ${i.message}`;
    }),
  );
}
