#!/usr/bin/env node
// The `clash` executable: loads the TypeScript sources through tsx and runs one command.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv.slice(2));
