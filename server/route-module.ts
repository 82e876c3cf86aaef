/**
 * What the app and its route modules share: the Hono environment, the dependencies every
 * module is registered with, and the shape of a module. `app.ts` assembles modules and each
 * `routes/*` module registers itself; both import this file and never each other.
 */
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Logger } from 'pino';
import type { CompetitionEconomy } from '../commands/competition/ports.ts';
import type { Authenticator, Principal } from './auth.ts';
import type { ServingConfig } from './config.ts';
import type { Ledger } from './context.ts';
import type { Economy } from './economy.ts';
import type { Identity } from './identity.ts';
import type { Operations } from './operations.ts';

/** Per-request variables: the request id and the authenticated principal (null when anonymous). */
export interface AppEnv {
  Variables: { requestId: string; principal: Principal | null };
}

export type App = OpenAPIHono<AppEnv>;

export interface AppDeps {
  readonly ledger: Ledger;
  readonly log: Logger;
  readonly auth: Authenticator;
  /** The configuration with the sign-in defaults resolved for the address the server listens on. */
  readonly config: ServingConfig;
  readonly identity: Identity;
  /** The Economy module; null when no chain is configured (tests that configure none): its routes answer 503. */
  readonly economy: Economy | null;
  /** What the competition module asks of the Economy (credits, refunds, withdrawals). */
  readonly competitionEconomy: CompetitionEconomy;
  /** Heartbeats, dead letters, alerts, backups and metrics. */
  readonly ops: Operations;
}

/** A module's routes: registered on the app with the shared dependencies. */
export type RouteModule = (app: App, deps: AppDeps) => void;
