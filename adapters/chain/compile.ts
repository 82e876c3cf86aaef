/**
 * Compiles SignedVault.sol with solc-js (standard JSON, `paris` for anvil's defaults) and returns
 * its ABI and creation bytecode. Used by the build script and by the test that checks the
 * committed artifact still matches the source.
 */
import { readFileSync } from 'node:fs';
import solc from 'solc';
import type { Abi, Hex } from 'viem';
import { z } from 'zod';

export const contractSourcePath = new URL('./contracts/SignedVault.sol', import.meta.url);
/** The committed outputs of `npm run build:contract`. */
export const artifactJsonPath = new URL('./contracts/SignedVault.artifact.json', import.meta.url);
export const artifactModulePath = new URL('./signed-vault-artifact.ts', import.meta.url);

export const compilerSettings = {
  evmVersion: 'paris',
  optimizer: { enabled: true, runs: 200 },
} as const;

export interface ContractArtifact {
  readonly contractName: 'SignedVault';
  readonly compiler: string;
  readonly settings: typeof compilerSettings;
  readonly abi: Abi;
  readonly bytecode: Hex;
}

const solcOutput = z.object({
  errors: z.array(z.object({ severity: z.string(), formattedMessage: z.string() })).optional(),
  contracts: z
    .record(
      z.string(),
      z.record(
        z.string(),
        z.object({
          abi: z.array(z.record(z.string(), z.unknown())),
          evm: z.object({ bytecode: z.object({ object: z.string().regex(/^[0-9a-f]+$/) }) }),
        }),
      ),
    )
    .optional(),
});

export function compileSignedVault(): ContractArtifact {
  const input = {
    language: 'Solidity',
    sources: { 'SignedVault.sol': { content: readFileSync(contractSourcePath, 'utf8') } },
    settings: { ...compilerSettings, outputSelection: { '*': { SignedVault: ['abi', 'evm.bytecode.object'] } } },
  };
  const output = solcOutput.parse(JSON.parse(solc.compile(JSON.stringify(input))));
  const problems = output.errors ?? [];
  const fatal = problems.filter((e) => e.severity === 'error');
  if (fatal.length > 0) throw new Error(`SignedVault.sol does not compile:\n${fatal.map((e) => e.formattedMessage).join('\n')}`);
  if (problems.length > 0)
    throw new Error(`SignedVault.sol compiles with warnings:\n${problems.map((e) => e.formattedMessage).join('\n')}`);
  const contract = output.contracts?.['SignedVault.sol']?.SignedVault;
  if (!contract) throw new Error('solc produced no SignedVault contract');
  return {
    contractName: 'SignedVault',
    compiler: solc.version(),
    settings: compilerSettings,
    abi: contract.abi as unknown as Abi,
    bytecode: `0x${contract.evm.bytecode.object}`,
  };
}
