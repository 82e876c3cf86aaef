/** Running the `clash` CLI in-process with captured output. */

import { main } from '../../replay/main.ts';
import type { Composition } from '../../server/composition.ts';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export async function clash(argv: string[], composition?: Composition, env: Record<string, string> = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    sinks: {
      stdout: (t) => {
        stdout += t;
      },
      stderr: (t) => {
        stderr += t;
      },
      stderrIsTTY: false,
    },
    ...(composition ? { composition } : {}),
    env,
  });
  return { code, stdout, stderr };
}
