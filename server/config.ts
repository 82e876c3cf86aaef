/**
 * The process configuration, from the environment, validated at start-up. A bad value stops
 * the process with a message naming the variable. `clash serve` flags override these.
 */
import { getAddress } from 'viem';
import { z } from 'zod';
import { isArtifactStoreUrl, openArtifactStore } from '../adapters/artifacts/open.ts';
import type { ArtifactStore } from '../adapters/artifacts/store.ts';
import { EMBEDDED_CHAIN_ID } from '../adapters/chain/anvil.ts';
import { type LlamaFeed, parseFeed } from '../adapters/market/sources/defillama.ts';
import { DEFAULT_TAXONOMY_FILE } from '../adapters/market/taxonomy.ts';
import { zTierName } from '../commands/entitlements/tiers.ts';
import { parseEnv } from '../core/config.ts';
import { MAX_UINT256, zAmountUpTo } from '../core/money.ts';
import { backtestConfigShape } from './backtest-config.ts';
import { competitionConfigShape, refuseImpossibleCompetition } from './competition-config.ts';
import { CORS_ORIGIN_PATTERN, DEVELOPMENT_CORS_ORIGINS } from './cors.ts';
import { decisionConfigShape, refuseAnthropicWithoutKey } from './decision-config.ts';
import { isWorkerName, WORKER_NAMES } from './worker-names.ts';

const port = z.coerce.number().int().min(0).max(65535);
const seconds = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
/** A positive wei amount: at most 78 digits and below 2^256 (what the vault's uint256 holds). */
const wei = zAmountUpTo(MAX_UINT256).refine((w) => w > 0n, 'must be a positive integer number of wei');

/** A comma-separated list (blanks dropped), each item matching `item`, at most `max` items. */
const commaList = (item: RegExp, message: string, max: number) =>
  z
    .string()
    .max(4000)
    .transform((s) =>
      s
        .split(',')
        .map((a) => a.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().regex(item, message)).max(max));

/** The feeds polled by default: global TVL, DEX volume, fees, revenue, open interest and the whole stablecoin supply. */
const DEFAULT_LLAMA_FEEDS = ['tvl:global', 'dex_volume:global', 'fees:global', 'revenue:global', 'open_interest:global', 'tvl:stablecoin'];

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
   * Service tokens for workers and internal callers, comma-separated `name:secret` pairs, split
   * at the first colon: names are letters, digits, `_` and `-`; secrets are 24+ printable ASCII
   * characters other than space and comma (so a secret may contain `:`). Empty by default: no
   * internal writes over HTTP.
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
          const colon = pair.indexOf(':');
          const name = colon < 0 ? pair : pair.slice(0, colon);
          const secret = colon < 0 ? '' : pair.slice(colon + 1);
          if (!/^[a-z0-9_-]+$/i.test(name) || !/^[\x21-\x2b\x2d-\x7e]{24,}$/.test(secret)) {
            ctx.addIssue({
              code: 'custom',
              message:
                'expected name:secret pairs: names of letters, digits, _ and -; secrets of 24+ printable characters, no space or comma',
            });
          }
          return { name, secret };
        }),
    ),
  /** The largest request body accepted, in bytes (default 1 MiB); larger bodies get 413 before they are read or parsed. */
  CLASH_MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(64 * 1024 * 1024)
    .default(1024 * 1024),
  /** The length of the rate-limit window, in seconds (fixed windows per key). */
  CLASH_RATE_LIMIT_WINDOW_SECONDS: seconds(1, 3600).default(60),
  /** Requests per window one client address may make to the anonymous sign-in routes (nonce, verify, refresh, logout); 0: no limit. */
  CLASH_RATE_LIMIT_ANONYMOUS: z.coerce.number().int().min(0).max(1_000_000).default(30),
  /** Writes (POST, PUT, PATCH, DELETE) per window one signed-in user may make; 0: no limit. Services are not limited. */
  CLASH_RATE_LIMIT_USER_WRITES: z.coerce.number().int().min(0).max(1_000_000).default(120),
  /** The most sign-in nonces kept at once (issued, not yet pruned); beyond it `GET /auth/nonce` answers 503 `sign_in_busy`. */
  CLASH_SIWE_MAX_NONCES: z.coerce.number().int().min(100).max(10_000_000).default(100_000),
  /** Most durable HTTP commands that share one transaction and one fsync (group commit, doc/event-store.md); 1 turns grouping off. */
  CLASH_GROUP_COMMIT_MAX_BATCH: z.coerce.number().int().min(1).max(1000).default(64),
  /** How long a queued durable command waits for requests already being read, in milliseconds (never longer than this). */
  CLASH_GROUP_COMMIT_WAIT_MS: z.coerce.number().int().min(0).max(100).default(2),
  /** How often the worker catches async projections up, in milliseconds. */
  CLASH_PROJECTION_POLL_MS: z.coerce.number().int().min(10).max(60_000).default(200),
  /** How often the competition worker ticks (evaluations, races, hand-offs), in milliseconds; 0 turns it off. */
  CLASH_COMPETITION_TICK_MS: z.coerce.number().int().min(0).max(3_600_000).default(60_000),
  /**
   * PKCS#8 PEM of the Ed25519 key that signs ledger checkpoints (`\n` escapes allowed). Unset:
   * `<db>.dev/ledger-key.pem` beside CLASH_DB, generated on first use (refused in production).
   */
  CLASH_LEDGER_SIGNING_KEY: z.string().min(1).max(10_000).optional(),
  /**
   * The key CLASH_LEDGER_SIGNING_KEY replaces (PKCS#8 PEM): when the log is still signed by it,
   * start records the rotation to the new key, signed by both (doc/ledger-integrity.md, "Rotation").
   */
  CLASH_LEDGER_PREVIOUS_SIGNING_KEY: z.string().min(1).max(10_000).optional(),
  /** A checkpoint is signed once this many events were appended since the last one. */
  CLASH_CHECKPOINT_EVERY_EVENTS: z.coerce.number().int().min(1).max(10_000_000).default(1000),
  /** …or once this many seconds passed since the last one, if anything was appended; 0 turns the checkpoint worker off. */
  CLASH_CHECKPOINT_INTERVAL_SECONDS: z.coerce.number().int().min(0).max(86_400).default(60),
  /** How often the `checkpoints` worker checks whether a checkpoint is due, in milliseconds. */
  CLASH_CHECKPOINT_POLL_MS: z.coerce.number().int().min(10).max(3_600_000).default(1000),
  /** Every this-many-th signed checkpoint is anchored on chain by the `anchors` worker (needs a chain); 0 turns anchoring off. */
  CLASH_ANCHOR_EVERY_CHECKPOINTS: z.coerce.number().int().min(0).max(1_000_000).default(10),
  /** How often the `anchors` worker looks for a checkpoint due for anchoring. */
  CLASH_ANCHOR_INTERVAL_SECONDS: z.coerce.number().int().min(1).max(86_400).default(60),
  /**
   * Browser origins allowed to call the API, comma-separated: `https://app.example`, or
   * `http://localhost:*` for any port. Unset: local origins in development and tests, none in
   * production (see `corsOrigins`).
   */
  CLASH_CORS_ORIGINS: z
    .string()
    .optional()
    .transform((s, ctx) => {
      if (s === undefined) return undefined;
      const origins = s
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean);
      if (origins.length > 50 || origins.some((o) => !CORS_ORIGIN_PATTERN.test(o))) {
        ctx.addIssue({
          code: 'custom',
          message: 'expected up to 50 comma-separated origins like https://app.example or http://localhost:*',
        });
      }
      return origins;
    }),
  /**
   * Where artifacts live (market archives, decision payloads, backups): `memory:`, `file:PATH`
   * or `s3://bucket/prefix` (`adapters/artifacts/`).
   */
  CLASH_ARTIFACTS_URL: z
    .string()
    .max(1024)
    .refine(isArtifactStoreUrl, 'expected memory:, file:PATH or s3://bucket/prefix')
    .default('file:./data/artifacts'),
  /** Market ingestion (Hyperliquid, Polymarket, DefiLlama) inside `npm start`: `on` or `off`; unset: on, except with NODE_ENV=test (tests never reach the network). */
  CLASH_INGESTION: z.enum(['on', 'off']).optional(),
  HYPERLIQUID_WS_URL: z.url().max(1024).default('wss://api.hyperliquid.xyz/ws'),
  HYPERLIQUID_API_URL: z.url().max(1024).default('https://api.hyperliquid.xyz/info'),
  /** Restricts the ingested coins (comma-separated); empty: every enabled asset of the registry. */
  HYPERLIQUID_ASSETS: commaList(/^[A-Za-z0-9]{1,20}$/, 'asset symbols such as BTC or kPEPE', 500).default([]),
  /** How often the registry and asset contexts (`metaAndAssetCtxs`) are polled, ms. */
  HYPERLIQUID_CONTEXTS_MS: z.coerce.number().int().min(1000).max(3_600_000).default(60_000),
  /** How often `predictedFundings` is polled, ms. */
  HYPERLIQUID_PREDICTED_FUNDING_MS: z.coerce.number().int().min(1000).max(3_600_000).default(60_000),
  /** Mids from `allMids` are stored at most once per this many ms per asset. */
  HYPERLIQUID_MIDS_EVERY_MS: z.coerce.number().int().min(0).max(3_600_000).default(10_000),
  /** How far back a restart backfills missed 1m candles, ms (default: the 24 h the 1m series is kept). */
  HYPERLIQUID_MAX_BACKFILL_MS: z.coerce
    .number()
    .int()
    .min(0)
    .max(30 * 86_400_000)
    .default(86_400_000),
  /** A market channel is `stale` when its newest row is older than this, ms. */
  CLASH_INGEST_STALE_MS: z.coerce.number().int().min(1000).max(86_400_000).default(120_000),
  POLYMARKET_API_URL: z.url().max(1024).default('https://gamma-api.polymarket.com'),
  POLYMARKET_POLL_MS: z.coerce.number().int().min(1000).max(86_400_000).default(300_000),
  DEFILLAMA_API_URL: z.url().max(1024).default('https://api.llama.fi'),
  DEFILLAMA_POLL_MS: z.coerce.number().int().min(1000).max(86_400_000).default(3_600_000),
  /** DefiLlama protocol slugs whose TVL is polled (comma-separated); shorthand for `tvl:protocol:SLUG` feeds. */
  DEFILLAMA_PROTOCOLS: commaList(/^[A-Za-z0-9 ._-]{1,100}$/, 'protocol slugs', 50).default(['hyperliquid-hlp']),
  /** The DefiLlama stablecoins host (`stablecoincharts`). */
  DEFILLAMA_STABLECOINS_URL: z.url().max(1024).default('https://stablecoins.llama.fi'),
  /** How often the daily dimensions (DEX volume, fees, revenue, open interest) are polled, ms. */
  DEFILLAMA_DIMENSIONS_POLL_MS: z.coerce.number().int().min(1000).max(86_400_000).default(3_600_000),
  /** DefiLlama feeds, comma-separated `metric:scope[:id]` (adapters/market/sources/defillama.ts, `parseFeed`). */
  DEFILLAMA_FEEDS: commaList(
    /^[a-z_]{1,20}:[a-z]{1,20}(:[A-Za-z0-9 ._-]{1,100})?$/,
    'feeds like dex_volume:global or fees:protocol:hyperliquid',
    100,
  )
    .default(DEFAULT_LLAMA_FEEDS)
    .transform((entries, ctx) => {
      const feeds: LlamaFeed[] = [];
      for (const entry of entries) {
        const feed = parseFeed(entry);
        if (typeof feed === 'string') ctx.addIssue({ code: 'custom', message: feed });
        else feeds.push(feed);
      }
      return feeds;
    }),
  /** How long 1m candles, indicators, mids and contexts stay in SQLite before they are archived, hours (seed default 24). */
  MARKET_RETENTION_1M_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 365)
    .default(24),
  /** How long 1h rollups stay in SQLite before they are archived, days (seed default 7). */
  MARKET_RETENTION_1H_DAYS: z.coerce.number().int().min(1).max(3650).default(7),
  /** How often retention runs (archive then delete), ms; 0 turns it off. */
  MARKET_ARCHIVE_EVERY_MS: z.coerce.number().int().min(0).max(86_400_000).default(3_600_000),
  /** The asset taxonomy file (categories and subcategories of Hyperliquid assets); default: the one in the repository. */
  CLASH_TAXONOMY_FILE: z.string().min(1).max(1024).default(DEFAULT_TAXONOMY_FILE),
  /** The S3-compatible endpoint for an `s3://` artifact store (R2, MinIO, …); unset: AWS S3. */
  CLASH_S3_ENDPOINT: z.url().optional(),
  CLASH_S3_REGION: z.string().min(1).max(64).default('us-east-1'),
  CLASH_S3_ACCESS_KEY_ID: z.string().min(1).max(256).optional(),
  CLASH_S3_SECRET_ACCESS_KEY: z.string().min(1).max(256).optional(),
  /** Path-style addressing (`endpoint/bucket/key`), what S3-compatible servers expect; `false` for virtual-host style. */
  CLASH_S3_FORCE_PATH_STYLE: z
    .enum(['true', 'false'])
    .default('true')
    .transform((v) => v === 'true'),
  /**
   * The workers `clash serve` runs beside the API: `all` (default), `none`, or a comma-separated
   * list of worker names (doc/runbook.md, "Production layout"); `clash worker NAME` runs one alone.
   */
  CLASH_SERVE_WORKERS: z
    .string()
    .max(400)
    .default('all')
    .transform((s) =>
      s
        .split(',')
        .map((w) => w.trim())
        .filter(Boolean),
    )
    .superRefine((ws, ctx) => {
      const unknown = ws.filter((w) => w !== 'all' && w !== 'none' && !isWorkerName(w));
      if (unknown.length > 0)
        ctx.addIssue({
          code: 'custom',
          message: `unknown worker ${unknown.join(', ')}: expected all, none or comma-separated names of ${WORKER_NAMES.join(', ')}`,
        });
    }),
  /** A worker is `stale` after this many missed beats (its interval each). */
  CLASH_WORKER_STALE_BEATS: z.coerce.number().int().min(2).max(100).default(3),
  /** How often the backups worker takes a backup into the artifact store, in seconds; 0 turns it off. */
  CLASH_BACKUP_INTERVAL_SECONDS: z.coerce
    .number()
    .int()
    .min(0)
    .max(7 * 86_400)
    .default(3600),
  /**
   * How often the marking worker values the running audition and race accounts, in seconds
   * (protective orders checked, marks, hourly funding; doc/prop-trading.md "Live marking"); 0 turns it off.
   */
  CLASH_MARK_INTERVAL_SECONDS: z.coerce.number().int().min(0).max(3600).default(60),
  /** How many backups the store keeps (the newest). */
  CLASH_BACKUP_RETAIN: z.coerce.number().int().min(1).max(10_000).default(48),
  /** The backup-age alert fires when the last good backup is older than this, in seconds. */
  CLASH_BACKUP_MAX_AGE_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .max(30 * 86_400)
    .default(3 * 3600),
  /** How often the reconciliation worker compares the vault's logs with the ledger, in seconds; 0 turns it off (needs a chain). */
  CLASH_RECONCILE_INTERVAL_SECONDS: z.coerce.number().int().min(0).max(86_400).default(300),
  /** Where alert notices are POSTed (JSON); unset: alerts are evaluated and logged only. */
  CLASH_ALERT_WEBHOOK_URL: z.url().max(2048).optional(),
  /** How often the alert rules are evaluated, in seconds. */
  CLASH_ALERT_INTERVAL_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
  /** The projection-lag alert fires when an async projection is more than this many events behind. */
  CLASH_ALERT_PROJECTION_LAG: z.coerce.number().int().min(1).max(100_000_000).default(10_000),
  /**
   * The origin users sign in to (SIWE domain and URI, JWT issuer). Required (https) in production;
   * unset elsewhere: the address the server listens on (`servingConfig`).
   */
  CLASH_PUBLIC_ORIGIN: z.url().max(2048).optional(),
  /**
   * The EIP-155 chain id SIWE messages must name. Required in production; unset elsewhere:
   * CHAIN_ID, else the embedded development chain's id (31337).
   */
  CLASH_SIWE_CHAIN_ID: z.coerce.number().int().positive().optional(),
  /** How long a sign-in nonce stays usable, in seconds. */
  CLASH_SIWE_NONCE_TTL_SECONDS: z.coerce.number().int().min(10).max(3600).default(300),
  /** Allowed clock difference for SIWE issued-at, not-before and expiration checks, in seconds. */
  CLASH_SIWE_CLOCK_SKEW_SECONDS: z.coerce.number().int().min(0).max(600).default(60),
  /**
   * PKCS#8 PEM of the Ed25519 or P-256 key that signs access tokens (`\n` escapes allowed).
   * Unset: generated (refused in production); in development kept in the state folder beside
   * the database (`server/dev-state.ts`), so sessions survive a restart.
   */
  CLASH_JWT_PRIVATE_KEY: z.string().min(1).optional(),
  CLASH_ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(3600).default(900),
  /** A session's (refresh-token family's) absolute lifetime, in seconds; rotation does not extend it. */
  CLASH_REFRESH_TOKEN_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(300)
    .default(30 * 24 * 3600),
  /**
   * How long after a refresh the token it rotated away still answers with the same successor,
   * in seconds (a retried or concurrent refresh); later reuse revokes the family. 0 turns it off.
   */
  CLASH_REFRESH_GRACE_SECONDS: z.coerce.number().int().min(0).max(120).default(10),
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
  /** JSON-RPC URL of the chain the vault lives on. Unset in development: an embedded anvil on 127.0.0.1. */
  CHAIN_RPC_URL: z.url().optional(),
  /** The chain id the RPC must answer (checked at start-up). Required with CHAIN_RPC_URL. */
  CHAIN_ID: z.coerce.number().int().positive().optional(),
  /** The SignedVault address. Required with CHAIN_RPC_URL. */
  VAULT_ADDRESS: z
    .string()
    .regex(/^0x[0-9a-fA-F]{40}$/, 'must be a 20-byte hex address')
    .transform((s) => getAddress(s.toLowerCase()))
    .optional(),
  /**
   * 0x-prefixed 32-byte hex key that signs quotes and withdrawals (the vault's signer). Unset in
   * development without CHAIN_RPC_URL: generated once and kept in the state folder (`server/dev-state.ts`).
   */
  CLASH_SIGNER_PRIVATE_KEY: z
    .string()
    .regex(/^0x[0-9a-fA-F]{64}$/, 'must be a 0x-prefixed 32-byte hex private key')
    .optional(),
  /** Blocks a deposit needs (its own included) before it is verified. Default 12; 1 on the embedded chain. */
  CHAIN_CONFIRMATIONS: z.coerce.number().int().min(1).max(1000).optional(),
  /**
   * The JSON-RPC URL clients are told to use (`GET /api/v1/economy/chain`). Unset: the embedded
   * chain's URL in development, else none (CHAIN_RPC_URL may carry a provider key and is never sent).
   */
  ECONOMY_PUBLIC_RPC_URL: z.url().max(2048).optional(),
  /** The block `clash economy reconcile` scans Deposit logs from (the vault's deployment block). */
  CHAIN_START_BLOCK: z.coerce.bigint().nonnegative().default(0n),
  /** How long a quote can be paid, in seconds. */
  ECONOMY_QUOTE_TTL_SECONDS: seconds(60, 86_400).default(900),
  /** How long a withdrawal authorization can be redeemed, in seconds. */
  ECONOMY_WITHDRAWAL_TTL_SECONDS: seconds(3600, 365 * 86_400).default(30 * 86_400),
  /** The audition fee, in wei (default 0.01 ETH). */
  ECONOMY_AUDITION_FEE_WEI: wei.default(10n ** 16n),
  /** The ticket price races open with, in wei (default 0.01 ETH); frozen into each race, whose own price quotes use. */
  ECONOMY_TICKET_PRICE_WEI: wei.default(10n ** 16n),
  /** The entitlement tier a verified audition fee grants its clone (never a downgrade); `none` grants nothing. */
  ECONOMY_AUDITION_GRANT_TIER: z.enum(['none', ...zTierName.options]).default('starter'),
  /** `clash economy reconcile` reports payments pending longer than this, in seconds. */
  ECONOMY_PENDING_BOUND_SECONDS: seconds(60, 30 * 86_400).default(3600),
  ...competitionConfigShape,
  ...backtestConfigShape,
  ...decisionConfigShape,
});

export type Config = z.output<typeof configSchema>;

/** Combinations that are fine in development and unsafe in production. */
const refuseUnsafeProduction = (c: Config, ctx: z.RefinementCtx) => {
  if (c.NODE_ENV !== 'production') return;
  const refuse = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
  if (c.CLASH_DEV_IDENTITY) refuse('CLASH_DEV_IDENTITY', 'the development fallback identity is refused with NODE_ENV=production');
  if (c.CLASH_JWT_PRIVATE_KEY === undefined) refuse('CLASH_JWT_PRIVATE_KEY', 'production needs a configured access-token key');
  if (c.CLASH_LEDGER_SIGNING_KEY === undefined) refuse('CLASH_LEDGER_SIGNING_KEY', 'production needs a configured ledger checkpoint key');
  if (!c.CLASH_PUBLIC_ORIGIN?.startsWith('https://')) refuse('CLASH_PUBLIC_ORIGIN', 'production needs an https origin');
  if (c.CLASH_SIWE_CHAIN_ID === undefined) refuse('CLASH_SIWE_CHAIN_ID', 'production needs the chain id sign-in messages name');
  for (const name of ['CHAIN_RPC_URL', 'CHAIN_ID', 'VAULT_ADDRESS', 'CLASH_SIGNER_PRIVATE_KEY'] as const) {
    if (c[name] === undefined) refuse(name, 'production needs a configured chain, vault and signer');
  }
};

/** A configured chain names its vault and chain id; without an RPC URL, they mean nothing. */
const refuseHalfChain = (c: Config, ctx: z.RefinementCtx) => {
  if (c.CHAIN_RPC_URL === undefined || c.NODE_ENV === 'production') return;
  for (const name of ['CHAIN_ID', 'VAULT_ADDRESS'] as const) {
    if (c[name] === undefined) ctx.addIssue({ code: 'custom', path: [name], message: 'required with CHAIN_RPC_URL' });
  }
};

/** The allowed CORS origins: as configured, else the development defaults outside production. */
export function corsOrigins(c: Config): readonly string[] {
  return c.CLASH_CORS_ORIGINS ?? (c.NODE_ENV === 'production' ? [] : DEVELOPMENT_CORS_ORIGINS);
}

/** The configuration of a listening server: the sign-in origin and chain id resolved. */
export type ServingConfig = Config & { readonly CLASH_PUBLIC_ORIGIN: string; readonly CLASH_SIWE_CHAIN_ID: number };

/**
 * Fills the sign-in defaults once the server listens at `listeningUrl` (`http://HOST:PORT`, the
 * real port when PORT=0): the public origin defaults to that address, so the README's
 * `http://127.0.0.1:3000` is the SIWE domain a default development server expects; the SIWE
 * chain id defaults to CHAIN_ID, else the embedded development chain's id. Production never
 * reaches a default (`loadConfig` refuses it unset).
 */
export function servingConfig(config: Config, listeningUrl: string): ServingConfig {
  return {
    ...config,
    CLASH_PUBLIC_ORIGIN: config.CLASH_PUBLIC_ORIGIN ?? new URL(listeningUrl).origin,
    CLASH_SIWE_CHAIN_ID: config.CLASH_SIWE_CHAIN_ID ?? config.CHAIN_ID ?? EMBEDDED_CHAIN_ID,
  };
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  return parseEnv(
    configSchema
      .superRefine(refuseUnsafeProduction)
      .superRefine(refuseHalfChain)
      .superRefine(refuseImpossibleCompetition)
      .superRefine(refuseAnthropicWithoutKey),
    env,
  );
}

/** The artifact store the configuration names (`CLASH_ARTIFACTS_URL` and the `CLASH_S3_*` settings). */
export function openConfiguredArtifactStore(config: Config): ArtifactStore {
  return openArtifactStore(config.CLASH_ARTIFACTS_URL, {
    endpoint: config.CLASH_S3_ENDPOINT,
    region: config.CLASH_S3_REGION,
    accessKeyId: config.CLASH_S3_ACCESS_KEY_ID,
    secretAccessKey: config.CLASH_S3_SECRET_ACCESS_KEY,
    forcePathStyle: config.CLASH_S3_FORCE_PATH_STYLE,
  });
}
