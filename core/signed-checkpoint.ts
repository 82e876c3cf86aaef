/**
 * Signed checkpoints of a Merkle log (RFC 9162's signed tree head, in the text form of a C2SP
 * tlog checkpoint note): the log's origin, its tree size, its root hash and the signing time,
 * one per line, signed with Ed25519 (RFC 8032) through node:crypto. Hashes, keys and signatures
 * are lower-case hex. The signed message, byte for byte (UTF-8, each line ending in "\n"):
 *
 *   <origin>\n<tree size, decimal>\n<root hash, 64 hex digits>\n<signing time, ms since the epoch, decimal>\n
 */
import { createHash, createPublicKey, type KeyObject, sign, verify } from 'node:crypto';

export interface CheckpointBody {
  /** Names the log (one key may sign for one origin only). */
  readonly origin: string;
  readonly treeSize: number;
  /** MTH of the first treeSize leaves, 64 lower-case hex digits. */
  readonly rootHash: string;
  /** ms since the epoch. */
  readonly signedAt: number;
}

const HEX32 = /^[0-9a-f]{64}$/;
const HEX64 = /^[0-9a-f]{128}$/;

function checkOrigin(origin: string): void {
  if (!/^[\x21-\x7e]{1,100}$/.test(origin)) throw new RangeError('origin must be 1..100 printable ASCII characters without spaces');
}

/** The exact bytes an Ed25519 checkpoint signature covers (the layout above). RangeError on a malformed body. */
export function checkpointMessage(b: CheckpointBody): Buffer {
  checkOrigin(b.origin);
  if (!Number.isSafeInteger(b.treeSize) || b.treeSize < 0) throw new RangeError(`tree size ${b.treeSize} is not a non-negative integer`);
  if (!HEX32.test(b.rootHash)) throw new RangeError('root hash must be 64 lower-case hex digits');
  if (!Number.isSafeInteger(b.signedAt) || b.signedAt < 0) throw new RangeError(`signing time ${b.signedAt} is not ms since the epoch`);
  return Buffer.from(`${b.origin}\n${b.treeSize}\n${b.rootHash}\n${b.signedAt}\n`, 'utf8');
}

/** The Ed25519 signature of the checkpoint, 128 hex digits. */
export function signCheckpoint(privateKey: KeyObject, b: CheckpointBody): string {
  return signMessage(privateKey, checkpointMessage(b));
}

/** True when `signature` (hex) is `publicKey`'s Ed25519 signature of exactly this checkpoint; never throws. */
export function verifyCheckpointSignature(publicKey: KeyObject, b: CheckpointBody, signature: string): boolean {
  try {
    return verifyMessage(publicKey, checkpointMessage(b), signature);
  } catch {
    return false;
  }
}

/**
 * A key rotation: the log's signing key changes from one key to the next at a time (ms since the
 * epoch). Both keys sign these UTF-8 bytes (doc/ledger-integrity.md, "Rotation"):
 *
 *   <origin> key rotation\n<previous public key, 64 hex digits>\n<next public key, 64 hex digits>\n<time, ms>\n
 *
 * The previous key's signature hands the log over; the next key's proves its holder accepted it,
 * so trust in either key of a rotation extends to the other.
 */
export interface KeyRotationBody {
  readonly origin: string;
  readonly previousPublicKey: string;
  readonly publicKey: string;
  readonly rotatedAt: number;
}

/** The exact bytes both signatures of a rotation cover. RangeError on a malformed body. */
export function keyRotationMessage(b: KeyRotationBody): Buffer {
  checkOrigin(b.origin);
  if (!HEX32.test(b.previousPublicKey) || !HEX32.test(b.publicKey)) throw new RangeError('public keys must be 64 lower-case hex digits');
  if (!Number.isSafeInteger(b.rotatedAt) || b.rotatedAt < 0) throw new RangeError(`rotation time ${b.rotatedAt} is not ms since the epoch`);
  return Buffer.from(`${b.origin} key rotation\n${b.previousPublicKey}\n${b.publicKey}\n${b.rotatedAt}\n`, 'utf8');
}

/** The Ed25519 signature of `message` by `privateKey`, 128 hex digits. */
export function signMessage(privateKey: KeyObject, message: Buffer): string {
  return sign(null, message, privateKey).toString('hex');
}

/** True when `signature` (hex) is `publicKey`'s Ed25519 signature of `message`; never throws. */
export function verifyMessage(publicKey: KeyObject, message: Buffer, signature: string): boolean {
  if (!HEX64.test(signature)) return false;
  try {
    return verify(null, message, publicKey, Buffer.from(signature, 'hex'));
  } catch {
    return false;
  }
}

/** The raw 32-byte Ed25519 public key, hex (RFC 8032 encoding). */
export function publicKeyHex(key: KeyObject): string {
  const jwk = key.export({ format: 'jwk' });
  if (jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string') throw new RangeError('not an Ed25519 key');
  return Buffer.from(jwk.x, 'base64url').toString('hex');
}

/** An Ed25519 public key from its raw 32 bytes in hex. RangeError otherwise. */
export function publicKeyFromHex(hex: string): KeyObject {
  if (!HEX32.test(hex)) throw new RangeError('an Ed25519 public key is 64 lower-case hex digits');
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(hex, 'hex').toString('base64url') }, format: 'jwk' });
}

/** A short name of a public key: the first 8 bytes of SHA-256(raw key), hex. */
export function keyIdOf(publicKey: KeyObject): string {
  return createHash('sha256')
    .update(Buffer.from(publicKeyHex(publicKey), 'hex'))
    .digest('hex')
    .slice(0, 16);
}
