/**
 * The ledger key: the Ed25519 key that signs checkpoints of the ledger's Merkle tree
 * (doc/ledger-integrity.md, "Keys"). In production it is configured (`CLASH_LEDGER_SIGNING_KEY`,
 * PKCS#8 PEM); elsewhere it is generated once and kept in the database's development state folder
 * (`<db>.dev/ledger-key.pem`, mode 0600, like the other development secrets of
 * `server/dev-state.ts`), so checkpoints keep verifying across restarts. A key kept by an older
 * engine beside the database (`ledger-key.pem` in the database's directory) is copied there on
 * first use. An in-memory database gets a key that lives as long as the process.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { developmentStateDir } from '../../core/database.ts';
import { writePrivateFile } from '../../core/private-file.ts';
import { keyIdOf, publicKeyHex } from '../../core/signed-checkpoint.ts';

export interface LedgerKey {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** The raw 32-byte public key, hex. */
  readonly publicKeyHex: string;
  /** First 8 bytes of SHA-256(raw public key), hex. */
  readonly keyId: string;
  /** Where it came from: configuration, the development state folder, or generated for this process. */
  readonly source: 'configured' | 'data_dir' | 'ephemeral';
}

/** The development ledger key file of a database: `<dir>/<name>.dev/ledger-key.pem`. */
export function ledgerKeyFile(dbPath: string): string {
  return join(developmentStateDir(dbPath) ?? '.', 'ledger-key.pem');
}

/** Where engines before the development state folder kept the key: `ledger-key.pem` beside the database, shared by its directory. */
export const legacyLedgerKeyFile = (dbPath: string) => join(dirname(dbPath), 'ledger-key.pem');

function ledgerKeyOf(privateKey: KeyObject, source: LedgerKey['source']): LedgerKey {
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error(`the ledger key must be Ed25519, not ${privateKey.asymmetricKeyType}`);
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKey, publicKeyHex: publicKeyHex(publicKey), keyId: keyIdOf(publicKey), source };
}

/** A configured key: PKCS#8 PEM (`\n` escapes allowed). Throws on anything but Ed25519. */
export function configuredLedgerKey(pem: string): LedgerKey {
  return ledgerKeyOf(createPrivateKey(pem.replaceAll('\\n', '\n')), 'configured');
}

const newKeyPem = () => generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();

/**
 * The development key file of `dbPath`, after moving in a key an older engine kept beside the
 * database (copied, not moved: other databases of that directory may have signed with it too).
 */
function keptKeyFile(dbPath: string): string {
  const file = ledgerKeyFile(dbPath);
  const legacy = legacyLedgerKeyFile(dbPath);
  if (!existsSync(file) && existsSync(legacy)) writePrivateFile(file, readFileSync(legacy));
  return file;
}

/** The development key of the database, created on first use (after the migration above); ephemeral for ':memory:'. */
export function dataDirLedgerKey(dbPath: string): LedgerKey {
  if (dbPath === ':memory:') return ledgerKeyOf(generateKeyPairSync('ed25519').privateKey, 'ephemeral');
  const file = keptKeyFile(dbPath);
  if (!existsSync(file)) writePrivateFile(file, newKeyPem(), 'wx');
  return ledgerKeyOf(createPrivateKey(readFileSync(file, 'utf8')), 'data_dir');
}

/** The configured key when there is one, else the development key of the database. */
export function ledgerKey(configuredPem: string | undefined, dbPath: string): LedgerKey {
  return configuredPem === undefined ? dataDirLedgerKey(dbPath) : configuredLedgerKey(configuredPem);
}

/**
 * Replaces the development key of `dbPath` with a new one (`clash ledger rotate-key`). The new
 * key is written as `ledger-key.pem.next`; `record(retired, next)` records the rotation in the
 * log; only then does the new key become `ledger-key.pem`, the retired one staying in the folder
 * as `ledger-key.<keyId>.retired.pem` (it signed the log's earlier checkpoints). When `record`
 * throws, the new key is deleted and the old one stays in use.
 */
export function rotateDataDirLedgerKey<T>(dbPath: string, record: (retired: LedgerKey, next: LedgerKey) => T): T {
  if (dbPath === ':memory:') throw new Error('an in-memory ledger has no kept key to rotate');
  const retired = dataDirLedgerKey(dbPath);
  const file = ledgerKeyFile(dbPath);
  const pem = newKeyPem();
  writePrivateFile(`${file}.next`, pem);
  let result: T;
  try {
    result = record(retired, ledgerKeyOf(createPrivateKey(pem), 'data_dir'));
  } catch (error) {
    rmSync(`${file}.next`, { force: true });
    throw error;
  }
  renameSync(file, join(dirname(file), `ledger-key.${retired.keyId}.retired.pem`));
  renameSync(`${file}.next`, file);
  return result;
}

/**
 * The public key a verifier trusts, without ever creating one: the configured key's public half,
 * else the development key of the database (its state folder, else the older place beside it)
 * if it exists, else undefined.
 */
export function existingLedgerPublicKey(configuredPem: string | undefined, dbPath: string): KeyObject | undefined {
  if (configuredPem !== undefined) return configuredLedgerKey(configuredPem).publicKey;
  if (dbPath === ':memory:') return undefined;
  const file = [ledgerKeyFile(dbPath), legacyLedgerKeyFile(dbPath)].find((f) => existsSync(f));
  return file ? createPublicKey(createPrivateKey(readFileSync(file, 'utf8'))) : undefined;
}
