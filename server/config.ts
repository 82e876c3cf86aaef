/**
 * The process configuration, from the environment, validated at start-up. A bad value stops
 * the process with a message naming the variable. `clash serve` flags override these.
 */
import { z } from 'zod';
import { parseEnv } from '../core/config.ts';

const port = z.coerce.number().int().min(0).max(65535);

export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  /** The SQLite file holding the event log and the read models. */
  CLASH_DB: z.string().min(1).default('./data/clash.db'),
  /** FULL: an acknowledged append survives power loss. NORMAL: survives a process crash, faster. */
  CLASH_SYNCHRONOUS: z.enum(['FULL', 'NORMAL']).default('FULL'),
  PORT: port.default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /**
   * Service tokens for workers and internal callers, comma-separated `name:secret` pairs
   * (secrets at least 24 characters). Empty by default: no internal writes over HTTP.
   */
  CLASH_SERVICE_TOKENS: z
    .string()
    .default('')
    .transform((s, ctx) =>
      s
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean)
        .map((pair) => {
          const [name = '', secret = ''] = pair.split(':');
          if (!/^[a-z0-9_-]+$/i.test(name) || secret.length < 24) {
            ctx.addIssue({ code: 'custom', message: 'expected name:secret pairs with secrets of 24+ characters' });
          }
          return { name, secret };
        }),
    ),
  /** How often the worker catches async projections up, in milliseconds. */
  CLASH_PROJECTION_POLL_MS: z.coerce.number().int().min(10).max(60_000).default(200),
});

export type Config = z.output<typeof configSchema>;

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  return parseEnv(configSchema, env);
}
