/** Starting the real server on 127.0.0.1 (a free port) for HTTP tests. */
import pino from 'pino';
import type { RouteModule } from '../../server/app.ts';
import { productRoutes } from '../../server/app.ts';
import type { Composition } from '../../server/composition.ts';
import { loadConfig } from '../../server/config.ts';
import { type RunningServer, startServer } from '../../server/serve.ts';

export async function startTestServer(
  dbPath: string,
  options: { composition?: Composition; routes?: readonly RouteModule[]; env?: Record<string, string> } = {},
): Promise<RunningServer> {
  const config = loadConfig({
    NODE_ENV: 'test',
    CLASH_DB: dbPath,
    PORT: '0',
    HOST: '127.0.0.1',
    CLASH_SYNCHRONOUS: 'NORMAL',
    LOG_LEVEL: 'silent',
    ...options.env,
  });
  return startServer(config, {
    log: pino({ level: 'silent' }),
    ...(options.composition ? { composition: options.composition } : {}),
    routes: options.routes ?? productRoutes,
  });
}

export async function json(response: Response): Promise<{ status: number; body: Record<string, unknown> }> {
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}
