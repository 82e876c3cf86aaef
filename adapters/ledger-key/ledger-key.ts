/**
 * The ledger key: the Ed25519 key that signs checkpoints of the ledger's Merkle tree
 * (doc/ledger-integrity.md, "Keys"). In production it is configured (`CLASH_LEDGER_SIGNING_KEY`,
 * PKCS#8 PEM); in development and tests it is generated once and kept beside the database, in
 * `ledger-key.pem` (mode 0600), so checkpoints keep verifying across restarts. An in-memory
 * database gets a key that lives as long as the process.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { keyIdOf, publicKeyHex } from '../../core/signed-checkpoint.ts';

export interface LedgerKey {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** The raw 32-byte public key, hex. */
  readonly publicKeyHex: string;
  /** First 8 bytes of SHA-256(raw public key), hex. */
  readonly keyId: string;
  /** Where it came from: configuration, the file beside the database, or generated for this process. */
  readonly source: 'configured' | 'data_dir' | 'ephemeral';
}

/** The file beside the database that holds the development ledger key. */
export const ledgerKeyFile = (dbPath: string) => join(dirname(dbPath), 'ledger-key.pem');

function ledgerKeyOf(privateKey: KeyObject, source: LedgerKey['source']): LedgerKey {
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error(`the ledger key must be Ed25519, not ${privateKey.asymmetricKeyType}`);
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKey, publicKeyHex: publicKeyHex(publicKey), keyId: keyIdOf(publicKey), source };
}

/** A configured key: PKCS#8 PEM (`\n` escapes allowed). Throws on anything but Ed25519. */
export function configuredLedgerKey(pem: string): LedgerKey {
  return ledgerKeyOf(createPrivateKey(pem.replaceAll('\\n', '\n')), 'configured');
}

/** The development key kept beside the database, created on first use; ephemeral for ':memory:'. */
export function dataDirLedgerKey(dbPath: string): LedgerKey {
  if (dbPath === ':memory:') return ledgerKeyOf(generateKeyPairSync('ed25519').privateKey, 'ephemeral');
  const file = ledgerKeyFile(dbPath);
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    const pem = generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    writeFileSync(file, pem, { mode: 0o600, flag: 'wx' });
  }
  return ledgerKeyOf(createPrivateKey(readFileSync(file, 'utf8')), 'data_dir');
}

/** The configured key when there is one, else the development key beside the database. */
export function ledgerKey(configuredPem: string | undefined, dbPath: string): LedgerKey {
  return configuredPem === undefined ? dataDirLedgerKey(dbPath) : configuredLedgerKey(configuredPem);
}

/**
 * The public key a verifier trusts, without ever creating one: the configured key's public half,
 * else the development key file beside the database if it exists, else undefined.
 */
export function existingLedgerPublicKey(configuredPem: string | undefined, dbPath: string): KeyObject | undefined {
  if (configuredPem !== undefined) return configuredLedgerKey(configuredPem).publicKey;
  const file = ledgerKeyFile(dbPath);
  return dbPath !== ':memory:' && existsSync(file) ? createPublicKey(createPrivateKey(readFileSync(file, 'utf8'))) : undefined;
}
