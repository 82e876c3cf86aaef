import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { artifactJsonPath, compileSignedVault } from '../../../adapters/chain/compile.ts';
import { signedVaultAbi, signedVaultBytecode } from '../../../adapters/chain/signed-vault-artifact.ts';

test('the committed artifacts are what SignedVault.sol compiles to (else run npm run build:contract)', () => {
  const fresh = compileSignedVault();
  const committed: unknown = JSON.parse(readFileSync(artifactJsonPath, 'utf8'));
  assert.equal(committed, JSON.parse(JSON.stringify(fresh)));
  assert.equal(signedVaultAbi, fresh.abi);
  assert.is(signedVaultBytecode, fresh.bytecode);
});

test.run();
