/**
 * Authenticate before validating (issue 10): a route that documents a 401 needs credentials,
 * so an anonymous call is answered 401 before its path, query or body is read — never a 400
 * that describes the body to someone who may not call the route. The route is declared with
 * `security: [{ bearer: [] }]` in the OpenAPI document. A route whose 401 is about credentials
 * inside the body (sign-in, refresh, logout) says so with `security: []` and stays open.
 */
import type { MiddlewareHandler } from 'hono';
import { Unauthorized } from './auth.ts';
import type { App, AppEnv } from './route-module.ts';

type RouteConfig = Parameters<App['openapi']>[0];

/** Refuses a request without a principal (any user or service); the handler checks the kind. */
export const requirePrincipal: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (!c.get('principal')) throw new Unauthorized();
  await next();
};

/** True when the route answers 401 and has not declared itself open (`security: []`). */
function needsCredentials(route: RouteConfig): boolean {
  return '401' in (route.responses ?? {}) && route.security === undefined;
}

/**
 * Makes every route registered on `app` afterwards that documents a 401 require a principal
 * before its validators run, and declares the bearer scheme it uses in the OpenAPI document.
 */
export function authenticateBeforeValidating(app: App): void {
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description: 'An access JWT from POST /api/v1/auth/verify, or a service token (CLASH_SERVICE_TOKENS)',
  });
  const register = app.openapi.bind(app);
  app.openapi = ((route: RouteConfig, ...rest: unknown[]) => {
    if (!needsCredentials(route)) return (register as (...args: unknown[]) => App)(route, ...rest);
    const middleware = route.middleware === undefined ? [] : Array.isArray(route.middleware) ? route.middleware : [route.middleware];
    const secured = { ...route, security: [{ bearer: [] }], middleware: [requirePrincipal, ...middleware] };
    return (register as (...args: unknown[]) => App)(secured, ...rest);
  }) as App['openapi'];
}
