/**
 * clash ledger verify | prove | checkpoint | rotate-key: the ledger's integrity from the command line
 * (doc/ledger-integrity.md). `verify` and `prove` open the file read-only and never write, so
 * they can run against a backup or a copy handed to an auditor.
 */
import type { KeyObject } from 'node:crypto';
import Database from 'better-sqlite3';
import { z } from 'zod';
import { vaultAnchors } from '../../adapters/chain/anchors.ts';
import { connectChain } from '../../adapters/chain/connect.ts';
import { configuredLedgerKey, existingLedgerPublicKey, ledgerKey, rotateDataDirLedgerKey } from '../../adapters/ledger-key/ledger-key.ts';
import { type LedgerCheckpoint, LedgerCheckpointSigned } from '../../commands/ledger/events.ts';
import { storedCheckpoints } from '../../commands/ledger/signed.ts';
import { verifyLedger } from '../../commands/ledger/verify.ts';
import { verifyAnchors } from '../../commands/ledger/verify-anchors.ts';
import { openDatabase } from '../../core/database.ts';
import { EventRegistry } from '../../core/event-registry.ts';
import { EventStore } from '../../core/event-store.ts';
import { verifyInclusion } from '../../core/merkle.ts';
import { publicKeyFromHex } from '../../core/signed-checkpoint.ts';
import { loadConfig } from '../../server/config.ts';
import { openLedger } from '../../server/context.ts';
import { type CliContext, commonFlags, defineCommand, existingDb, intFlag, UsageError } from './command.ts';
import { readBoundedText } from './input-file.ts';

/** `--public-key HEX`: the trusted ledger key as `GET /api/v1/ledger/key` serves it. */
export const publicKeyFlag = z
  .string()
  .regex(/^[0-9a-f]{64}$/, 'the raw Ed25519 public key: 64 lower-case hex digits (GET /api/v1/ledger/key)')
  .optional();

/** The trusted ledger public key: --public-key, else CLASH_LEDGER_SIGNING_KEY, else the development key file of the database. */
export function trustedLedgerKey(flag: string | undefined, ctx: CliContext, dbPath: string): KeyObject {
  const key = flag ? publicKeyFromHex(flag) : existingLedgerPublicKey(ctx.env.CLASH_LEDGER_SIGNING_KEY, dbPath);
  if (!key)
    throw new UsageError(
      "--public-key: no trusted ledger key (no CLASH_LEDGER_SIGNING_KEY, no ledger-key.pem in the database's .dev folder or beside it): give --public-key HEX",
    );
  return key;
}

/** The store over an existing file, read-only (no backfill, no projections): what an auditor reads. */
export function readOnlyStore(dbPath: string, ctx: CliContext): EventStore {
  const peek = new Database(dbPath, { readonly: true, fileMustExist: true });
  const hashed = peek.prepare("SELECT count(*) FROM pragma_table_info('events') WHERE name = 'leaf'").pluck().get() as number;
  peek.close();
  if (hashed === 0) {
    throw new UsageError(
      `--db: ${dbPath} predates the Merkle tree; open it once with this engine (e.g. clash ledger checkpoint) to hash it`,
    );
  }
  return new EventStore(openDatabase(dbPath, { readonly: true }), { registry: new EventRegistry(ctx.composition.events) });
}

/** The largest checkpoint file read (1 MiB): a checkpoint's JSON is well under a kilobyte. */
const MAX_CHECKPOINT_BYTES = 1024 * 1024;

/** A published checkpoint as the API serves it (signedAt ISO), read from a file. */
function publishedCheckpoint(file: string): LedgerCheckpoint {
  const text = readBoundedText('--checkpoint', file, MAX_CHECKPOINT_BYTES);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--checkpoint: cannot read ${file}: ${(error as Error).message}`);
  }
  const signedAt = (raw as { signedAt?: unknown } | null)?.signedAt;
  const ms = typeof signedAt === 'string' ? Date.parse(signedAt) : signedAt;
  const { position: _position, ...fields } = { ...(raw as object), signedAt: ms } as Record<string, unknown>;
  const parsed = LedgerCheckpointSigned.schema.safeParse(fields);
  if (!parsed.success) throw new UsageError(`--checkpoint: ${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}

export const ledgerVerify = defineCommand({
  words: ['ledger', 'verify'],
  usage: 'clash ledger verify [--db PATH] [--public-key HEX] [--checkpoint FILE] [--chain] [--json]',
  summary:
    're-hash every event, recompute and check every signed checkpoint and their consistency (--chain: and every anchor against the vault); exit 1 naming the first position that differs',
  options: { 'public-key': { type: 'string' }, checkpoint: { type: 'string' }, chain: { type: 'boolean' } },
  schema: z.object({
    ...commonFlags,
    'public-key': publicKeyFlag,
    checkpoint: z.string().min(1).optional(),
    chain: z.boolean().default(false),
    positionals: z.array(z.string()).max(0),
  }),
  run: async (flags, ctx) => {
    const dbPath = existingDb(flags.db, ctx.env);
    const trusted = trustedLedgerKey(flags['public-key'], ctx, dbPath);
    const published = flags.checkpoint ? [publishedCheckpoint(flags.checkpoint)] : [];
    const chain = flags.chain ? await configuredAnchors(ctx) : null;
    const store = readOnlyStore(dbPath, ctx);
    try {
      const progress = ctx.out.progress('verify');
      const head = store.headPosition();
      const started = performance.now();
      const result = verifyLedger(store, trusted, { published, onProgress: (done) => progress.update(done, head) });
      progress.stop();
      const anchors = chain && verifyAnchors(store, { vault: chain.vault, anchors: await chain.all(chain.fromBlock) });
      const ms = Math.round(performance.now() - started);
      const problems = [...result.problems, ...(anchors?.problems ?? [])].sort((a, b) => a.position - b.position);
      const ok = result.ok && (anchors?.ok ?? true);
      const firstProblem = result.firstProblem ?? problems[0] ?? null;
      ctx.out.data({ ...result, ok, problems, firstProblem, anchors, ms });
      if (ok) {
        const anchored = anchors ? `, ${anchors.recorded} anchor(s) match the chain's ${anchors.onChain}` : '';
        ctx.out.line(
          `ledger verified: ${result.events} events re-hashed, ${result.checkpoints} signed checkpoint(s) match, consistent and signed by the trusted key${anchored} (${ms} ms)`,
        );
        return 0;
      }
      ctx.out.error(`ledger differs at position ${firstProblem?.position}: ${firstProblem?.problem}`);
      for (const p of problems) ctx.out.line(`  position ${p.position}: ${p.problem}`);
      return 1;
    } finally {
      store.close();
    }
  },
});

/** The vault's anchors on the configured chain (CHAIN_RPC_URL, CHAIN_ID, VAULT_ADDRESS; from CHAIN_START_BLOCK). */
async function configuredAnchors(ctx: CliContext) {
  const config = loadConfig(ctx.env);
  const { CHAIN_RPC_URL: rpcUrl, CHAIN_ID: chainId, VAULT_ADDRESS: vault } = config;
  if (rpcUrl === undefined || chainId === undefined || vault === undefined) {
    throw new UsageError('--chain: the anchors are read from the vault: set CHAIN_RPC_URL, CHAIN_ID and VAULT_ADDRESS');
  }
  const client = await connectChain(rpcUrl, chainId);
  return { ...vaultAnchors({ client, chainId, vault, fromBlock: config.CHAIN_START_BLOCK }), fromBlock: config.CHAIN_START_BLOCK };
}

export const ledgerProve = defineCommand({
  words: ['ledger', 'prove'],
  usage: 'clash ledger prove POSITION [--tree-size N] [--db PATH] [--json]',
  summary: 'the RFC 9162 inclusion proof of the event at POSITION in the tree of N events (default: the latest checkpoint, else the head)',
  options: { 'tree-size': { type: 'string' } },
  schema: z.object({
    ...commonFlags,
    'tree-size': intFlag(1).optional(),
    positionals: z.array(z.coerce.number().int().min(1)).length(1, 'give one POSITION'),
  }),
  run: (flags, ctx) => {
    const store = readOnlyStore(existingDb(flags.db, ctx.env), ctx);
    try {
      const position = flags.positionals[0] as number;
      const signed = storedCheckpoints(store).flatMap((c) => ('treeSize' in c.checkpoint ? [c.checkpoint.treeSize] : []));
      const treeSize = flags['tree-size'] ?? signed.at(-1) ?? store.merkle.size();
      if (position > treeSize) throw new UsageError(`argument: position ${position} is not in a tree of ${treeSize} events`);
      if (treeSize > store.merkle.size())
        throw new UsageError(`--tree-size: ${treeSize} is beyond the log (${store.merkle.size()} events)`);
      const leaf = store.merkle.recomputedLeaf(position) as Buffer;
      const proof = store.merkle.inclusionProof(position, treeSize);
      const root = store.merkle.rootAt(treeSize);
      const verified = verifyInclusion(leaf, position - 1, treeSize, proof, root);
      const hex = (h: Buffer) => h.toString('hex');
      ctx.out.data({
        position,
        leafIndex: position - 1,
        treeSize,
        leafHash: hex(leaf),
        rootHash: hex(root),
        inclusionPath: proof.map(hex),
        verified,
      });
      ctx.out.line(`event ${position} in the tree of ${treeSize} events (root ${hex(root)})`);
      ctx.out.line(`leaf hash (re-hashed from the stored event) ${hex(leaf)}`);
      for (const [i, p] of proof.entries()) ctx.out.line(`  path[${i}] ${hex(p)}`);
      ctx.out.line(verified ? 'the proof verifies against the root' : 'the proof does NOT verify: the stored event differs from its leaf');
      return verified ? 0 : 1;
    } finally {
      store.close();
    }
  },
});

export const ledgerCheckpoint = defineCommand({
  words: ['ledger', 'checkpoint'],
  usage: 'clash ledger checkpoint [--db PATH] [--json]',
  summary: 'sign and record a checkpoint of the log as it is now (with CLASH_LEDGER_SIGNING_KEY, else the development key file)',
  schema: z.object({ ...commonFlags, positionals: z.array(z.string()).max(0) }),
  run: (flags, ctx) => {
    const dbPath = existingDb(flags.db, ctx.env);
    const ledger = openLedger({
      dbPath,
      composition: ctx.composition,
      ledgerKey: () => ledgerKey(ctx.env.CLASH_LEDGER_SIGNING_KEY, dbPath),
    });
    try {
      const c = ledger.checkpoints.record();
      ctx.out.data({ ...c, signedAt: new Date(c.signedAt).toISOString() });
      ctx.out.line(`checkpoint: tree size ${c.treeSize}, root ${c.rootHash}, key ${c.keyId}`);
      return 0;
    } finally {
      ledger.close();
    }
  },
});

export const ledgerRotateKey = defineCommand({
  words: ['ledger', 'rotate-key'],
  usage: 'clash ledger rotate-key [--db PATH] [--json]',
  summary:
    'record a new ledger signing key in the log, signed by the old key and the new (development: a new key file; configured: CLASH_LEDGER_SIGNING_KEY replacing CLASH_LEDGER_PREVIOUS_SIGNING_KEY)',
  schema: z.object({ ...commonFlags, positionals: z.array(z.string()).max(0) }),
  run: (flags, ctx) => {
    const dbPath = existingDb(flags.db, ctx.env);
    const configured = ctx.env.CLASH_LEDGER_SIGNING_KEY;
    const previous = ctx.env.CLASH_LEDGER_PREVIOUS_SIGNING_KEY;
    if (configured !== undefined && previous === undefined) {
      throw new UsageError(
        'CLASH_LEDGER_PREVIOUS_SIGNING_KEY: a configured key is rotated by configuring the new key and the one it replaces',
      );
    }
    const ledger = openLedger({ dbPath, composition: ctx.composition, ledgerKey: () => ledgerKey(configured, dbPath) });
    try {
      const rotation =
        configured === undefined
          ? rotateDataDirLedgerKey(dbPath, (retired, next) => ledger.checkpoints.rotateKey(retired, next))
          : ledger.checkpoints.adopt(configuredLedgerKey(configured), configuredLedgerKey(previous as string));
      if (!rotation) {
        ctx.out.data({ rotated: false });
        ctx.out.line('the log is already signed by the configured key: nothing to rotate');
        return 0;
      }
      ctx.out.data({ rotated: true, ...rotation, rotatedAt: new Date(rotation.rotatedAt).toISOString() });
      ctx.out.line(`ledger key rotated: ${rotation.previousKeyId} -> ${rotation.keyId} (public key ${rotation.publicKey})`);
      ctx.out.line('restart the server so that it signs with the new key');
      return 0;
    } finally {
      ledger.close();
    }
  },
});
