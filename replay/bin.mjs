#!/usr/bin/env node
// The `clash` executable: loads the TypeScript sources through tsx and runs one command.
import { register } from 'tsx/esm/api';

// A reader that stops early (`clash events tail | head -1`) closes the pipe: stop quietly, as
// Unix tools do, instead of dying on the unhandled EPIPE with a stack trace (doc/cli.md).
process.stdout.on('error', (error) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(0);
});
register();
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv.slice(2));
