/**
 * The asymmetric key that signs access tokens: an Ed25519 or P-256 private key in PKCS#8 PEM
 * from configuration, or, when none is configured (development and tests only, the
 * configuration refuses that in production), a fresh Ed25519 pair generated at start-up, so
 * tokens from a previous process stop verifying after a restart. (A development server keeps
 * a generated key on disk and configures it: `server/dev-state.ts`.)
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';

export interface SigningKey {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly alg: 'EdDSA' | 'ES256';
  /** True when the pair was generated at start-up rather than configured. */
  readonly generated: boolean;
}

export function signingKey(pem: string | undefined): SigningKey {
  if (pem === undefined) {
    const pair = generateKeyPairSync('ed25519');
    return { privateKey: pair.privateKey, publicKey: pair.publicKey, alg: 'EdDSA', generated: true };
  }
  const privateKey = createPrivateKey(pem.replaceAll('\\n', '\n'));
  return { privateKey, publicKey: createPublicKey(privateKey), alg: algorithmOf(privateKey), generated: false };
}

function algorithmOf(key: KeyObject): 'EdDSA' | 'ES256' {
  if (key.asymmetricKeyType === 'ed25519') return 'EdDSA';
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ES256';
  throw new Error(`unsupported access-token key type ${key.asymmetricKeyType}: use Ed25519 or EC P-256`);
}
