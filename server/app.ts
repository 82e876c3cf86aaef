/**
 * The Hono application: request ids, CORS, JSON access logs, request limits (body size, URL
 * length, rate limits; `limits.ts`), zod validation that fails as a 400 naming every bad field
 * (after each route's access check, `routes/access.ts`), one error shape, the OpenAPI document,
 * and the module routes.
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import { requestId } from 'hono/request-id';
import { ValidationError } from '../core/errors.ts';
import { issuesOf } from '../core/event-registry.ts';
import { authenticate } from './auth.ts';
import { corsOrigins } from './config.ts';
import { corsFor } from './cors.ts';
import { errorResponse } from './errors.ts';
import { anonymousRateLimit, bodySizeLimit, urlLengthLimit, userWriteRateLimit } from './limits.ts';
import { OPENAPI_PATH, openApiDocument } from './openapi.ts';
import type { App, AppDeps, AppEnv, RouteModule } from './route-module.ts';
import { backtestRoutes } from './routes/backtests.ts';
import { cloneLifecycleRoutes } from './routes/clone-lifecycle.ts';
import { cloneProfileRoutes } from './routes/clone-profiles.ts';
import { cloneRoutes } from './routes/clones.ts';
import { competitionRoutes } from './routes/competition.ts';
import { competitionAuditionRoutes } from './routes/competition-auditions.ts';
import { decisionControlRoutes } from './routes/decision-controls.ts';
import { decisionRoutes } from './routes/decisions.ts';
import { economyRoutes } from './routes/economy.ts';
import { economyChainRoutes } from './routes/economy-chain.ts';
import { entitlementRoutes } from './routes/entitlements.ts';
import { healthRoutes } from './routes/health.ts';
import { identityRoutes } from './routes/identity.ts';
import { ingestionRoutes } from './routes/ingestion.ts';
import { ledgerRoutes } from './routes/ledger.ts';
import { moderationQueueRoutes } from './routes/moderation-queue.ts';
import { operationsRoutes } from './routes/operations.ts';
import { pipelineRoutes } from './routes/pipeline.ts';
import { propTradingRoutes } from './routes/prop-trading.ts';

/**
 * A client's `X-Request-Id` is used (logged and echoed) only when it is 1–128 characters of
 * letters, digits, `_`, `-` and `=` (hono's request-id pattern); otherwise a new UUID is made.
 */
export const MAX_REQUEST_ID_LENGTH = 128;

export const productRoutes: readonly RouteModule[] = [
  healthRoutes,
  operationsRoutes,
  identityRoutes,
  cloneRoutes,
  cloneProfileRoutes,
  cloneLifecycleRoutes,
  moderationQueueRoutes,
  entitlementRoutes,
  propTradingRoutes(),
  competitionRoutes,
  competitionAuditionRoutes,
  economyRoutes,
  ingestionRoutes,
  pipelineRoutes,
  decisionControlRoutes,
  decisionRoutes,
  economyChainRoutes,
  backtestRoutes,
  ledgerRoutes,
];

export function createApp(deps: AppDeps, routes: readonly RouteModule[] = productRoutes): App {
  const app: App = new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) throw new ValidationError(`request ${result.target}`, issuesOf(result.error, result.target));
    },
  });
  app.use('*', requestId({ limitLength: MAX_REQUEST_ID_LENGTH }));
  app.use('*', corsFor(corsOrigins(deps.config)));
  app.use('*', async (c, next) => {
    const started = performance.now();
    await next();
    const seconds = (performance.now() - started) / 1000;
    deps.ops.metrics.request(
      c.req.method,
      c.req.routePath === '/*' || c.req.routePath === '*' ? 'unmatched' : c.req.routePath,
      c.res.status,
      seconds,
    );
    deps.log.info(
      {
        reqId: c.get('requestId'),
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        ms: Math.round(seconds * 1000),
      },
      'request',
    );
  });
  app.use('*', urlLengthLimit);
  app.use('*', bodySizeLimit(deps.config));
  app.use('*', anonymousRateLimit(deps.config));
  app.use('*', authenticate(deps.auth));
  app.use('*', userWriteRateLimit(deps.config));
  app.onError((error, c) => {
    const response = errorResponse(c, error);
    if (response.status >= 500) deps.log.error({ reqId: c.get('requestId'), err: error }, 'unhandled error');
    return response;
  });
  app.notFound((c) => c.json({ error: { code: 'not_found', message: `no route ${c.req.method} ${c.req.path}`, details: {} } }, 404));
  for (const register of routes) register(app, deps);
  const document = openApiDocument(app);
  app.get(OPENAPI_PATH, (c) => c.json(document as object));
  return app;
}
