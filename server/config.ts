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
  /** How often the competition worker ticks (evaluations, races, hand-offs), in milliseconds; 0 turns it off. */
  CLASH_COMPETITION_TICK_MS: z.coerce.number().int().min(0).max(3_600_000).default(60_000),
  /** The origin users sign in to (SIWE domain and URI, JWT issuer). Must be https in production. */
  CLASH_PUBLIC_ORIGIN: z.url().default('http://localhost:3000'),
  /** The EIP-155 chain id SIWE messages must name. */
  CLASH_SIWE_CHAIN_ID: z.coerce.number().int().positive().default(1),
  /** How long a sign-in nonce stays usable, in seconds. */
  CLASH_SIWE_NONCE_TTL_SECONDS: z.coerce.number().int().min(10).max(3600).default(300),
  /** Allowed clock difference for SIWE issued-at, not-before and expiration checks, in seconds. */
  CLASH_SIWE_CLOCK_SKEW_SECONDS: z.coerce.number().int().min(0).max(600).default(60),
  /**
   * PKCS#8 PEM of the Ed25519 or P-256 key that signs access tokens (`\n` escapes allowed).
   * Unset: a fresh Ed25519 pair is generated at start-up (refused in production).
   */
  CLASH_JWT_PRIVATE_KEY: z.string().min(1).optional(),
  CLASH_ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(3600).default(900),
  /** A session's (refresh-token family's) absolute lifetime, in seconds; rotation does not extend it. */
  CLASH_REFRESH_TOKEN_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(300)
    .default(30 * 24 * 3600),
  /** Wallet addresses (comma-separated) whose users are admins. */
  CLASH_ADMIN_ADDRESSES: z
    .string()
    .default('')
    .transform((s, ctx) => {
      const addresses = s
        .split(',')
        .map((a) => a.trim().toLowerCase())
        .filter(Boolean);
      if (addresses.some((a) => !/^0x[0-9a-f]{40}$/.test(a))) {
        ctx.addIssue({ code: 'custom', message: 'expected comma-separated 0x-prefixed 20-byte addresses' });
      }
      return addresses;
    }),
  /**
   * Development fallback identity: `Authorization: Dev <address>` signs in as that wallet without
   * a signature, and the dev Starter entitlement grant exists. Never with NODE_ENV=production.
   */
  CLASH_DEV_IDENTITY: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
});

export type Config = z.output<typeof configSchema>;

/** Combinations that are fine in development and unsafe in production. */
const refuseUnsafeProduction = (c: Config, ctx: z.RefinementCtx) => {
  if (c.NODE_ENV !== 'production') return;
  const refuse = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
  if (c.CLASH_DEV_IDENTITY) refuse('CLASH_DEV_IDENTITY', 'the development fallback identity is refused with NODE_ENV=production');
  if (c.CLASH_JWT_PRIVATE_KEY === undefined) refuse('CLASH_JWT_PRIVATE_KEY', 'production needs a configured access-token key');
  if (!c.CLASH_PUBLIC_ORIGIN.startsWith('https://')) refuse('CLASH_PUBLIC_ORIGIN', 'production needs an https origin');
};

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  return parseEnv(configSchema.superRefine(refuseUnsafeProduction), env);
}
