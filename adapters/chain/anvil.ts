/**
 * A real local chain: spawns the anvil binary from `@foundry-rs/anvil` (the platform package,
 * never the npx wrapper, whose child would outlive a kill) on 127.0.0.1 with a free port, waits
 * until it answers JSON-RPC, and stops it. A process that exits without calling `stop` still
 * kills its anvils.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer, Socket } from 'node:net';
import { dirname, join } from 'node:path';

export interface Anvil {
  readonly rpcUrl: string;
  readonly port: number;
  readonly chainId: number;
  stop(): Promise<void>;
}

/** The chain id of a local anvil unless told otherwise (anvil's own default). */
export const EMBEDDED_CHAIN_ID = 31337;

export interface AnvilOptions {
  /** Default EMBEDDED_CHAIN_ID (31337). */
  readonly chainId?: number;
  /** Milliseconds to wait for the first JSON-RPC answer (default 10 s). */
  readonly readyTimeoutMs?: number;
  /** The genesis block's timestamp in seconds (default: now); later blocks follow the wall clock from there. */
  readonly timestamp?: number;
  /**
   * A file the chain's state (accounts, contracts, storage, blocks) is loaded from when it exists
   * and dumped to on a graceful stop and every `stateIntervalSeconds` (anvil `--state`,
   * `--state-interval`). Unset: the chain lives in memory only.
   */
  readonly statePath?: string;
  /** How often a chain with `statePath` dumps its state while it runs, in seconds (default 2). */
  readonly stateIntervalSeconds?: number;
  /** The port to try first when it is free (a restarted development chain keeps its URL); otherwise any free port. */
  readonly port?: number;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** The anvil binary of this platform's `@foundry-rs/anvil-<os>-<arch>` package. */
export function anvilBinaryPath(): string {
  const arch = { x64: 'amd64', arm64: 'arm64' }[process.arch as string];
  if (!arch) throw new Error(`anvil: no binary package for architecture ${process.arch}`);
  const name = `@foundry-rs/anvil-${process.platform}-${arch}`;
  const packageJson = createRequire(import.meta.url).resolve(`${name}/package.json`);
  return join(dirname(packageJson), 'bin', process.platform === 'win32' ? 'anvil.exe' : 'anvil');
}

/** A port that was free a moment ago (`0`: the OS picks it); `startAnvil` retries if it is taken by then. */
function freePort(port = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function answersRpc(rpcUrl: string): Promise<boolean> {
  try {
    const response = await fetch(rpcUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
    });
    return response.ok;
  } catch {
    return false;
  }
}

/** anvil's command line for these options on `port`. */
function anvilArgs(port: number, chainId: number, options: AnvilOptions): string[] {
  const args = ['--host', '127.0.0.1', '--port', String(port), '--chain-id', String(chainId), '--silent'];
  if (options.timestamp !== undefined) args.push('--timestamp', String(options.timestamp));
  if (options.statePath !== undefined) {
    args.push('--state', options.statePath, '--state-interval', String(options.stateIntervalSeconds ?? 2));
  }
  return args;
}

async function startOnce(port: number, chainId: number, readyTimeoutMs: number, options: AnvilOptions): Promise<Anvil> {
  const args = anvilArgs(port, chainId, options);
  const child = spawn(anvilBinaryPath(), args, { stdio: ['ignore', 'ignore', 'pipe'] });
  running.add(child);
  // A forgotten stop must not keep this process alive; the exit hook above kills the child.
  child.unref();
  if (child.stderr instanceof Socket) child.stderr.unref();
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let spawnError: Error | undefined;
  child.once('error', (error) => {
    spawnError = error;
  });
  void exited.then(() => running.delete(child));

  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
    await exited;
    clearTimeout(timer);
  };

  const rpcUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + readyTimeoutMs;
  while (!(await answersRpc(rpcUrl))) {
    if (spawnError || child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`anvil exited before answering on port ${port}: ${spawnError?.message ?? stderr.trim()}`);
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`anvil did not answer on ${rpcUrl} within ${readyTimeoutMs} ms: ${stderr.trim()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  // Another process may have taken the port between the probe and the spawn, and answered.
  if (child.exitCode !== null || child.signalCode !== null) throw new Error(`anvil exited: port ${port} was taken`);
  return { rpcUrl, port, chainId, stop };
}

/** Starts anvil on 127.0.0.1 and resolves once it answers; throws (never skips) if it cannot. */
export async function startAnvil(options: AnvilOptions = {}): Promise<Anvil> {
  const chainId = options.chainId ?? EMBEDDED_CHAIN_ID;
  const readyTimeoutMs = options.readyTimeoutMs ?? 10_000;
  let lastError: unknown;
  const preferred = options.port === undefined ? undefined : await freePort(options.port).catch(() => undefined);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startOnce(attempt === 0 && preferred !== undefined ? preferred : await freePort(), chainId, readyTimeoutMs, options);
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}
