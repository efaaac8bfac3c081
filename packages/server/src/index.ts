/**
 * `@shareflow/server`: the backend-for-frontend a host mounts to pay its users out through
 * Coinflow, re-using the identity check they passed with Persona. What a host needs to mount it
 * and nothing else: no emulator code is reachable from here. Web Standards only.
 *
 * The other entries, by audience:
 * - `@shareflow/server/sandbox`: the app on the in-process emulator, for a host without keys yet;
 * - `@shareflow/server/module`: writing a route module of the BFF (payouts is one);
 * - `@shareflow/server/vendors`: the Persona and Coinflow clients on their own;
 * - `@shareflow/server/testing`: helpers for a host's own tests;
 * - `@shareflow/server/node`: serving on Node, env config, the file and Redis stores;
 * - `@shareflow/server/emulator`: the emulator of both vendors' sandboxes.
 *
 * @example
 * import { createShareflowApp } from '@shareflow/server'
 * const shareflow = createShareflowApp({ getUser, persona, coinflow, store })
 * hostApp.route('/api/shareflow', shareflow)
 *
 * @module
 */
export { createShareflowApp, type ShareflowApp, type ShareflowAppOptions } from './app'
export {
  shareflowRouteHandlers,
  type RouteHandler,
  type RouteHandlerOptions,
  type ShareflowRouteHandlers,
} from './route-handlers'
export type { CoinflowOptions, PersonaOptions, ShareflowOptions } from './options'
export type { GetUser, ShareflowUser } from './user'
export { ApiError, type ApiErrorExtra } from './errors'
export {
  consoleLogger,
  createJsonLogger,
  createLogger,
  pinoLogger,
  redact,
  SHAREFLOW_LOGGER,
  silentLogger,
  type ConsoleLike,
  type ConsoleLoggerOptions,
  type JsonLoggerOptions,
  type LogFields,
  type Logger,
  type LoggerOptions,
  type LogLevel,
  type LogWrite,
  type PinoLike,
} from './logger'
export { systemClock, type Clock } from './clock'
export { createOpenApiDocument } from './openapi'
export {
  createMemoryStore,
  StoreUnavailableError,
  type ShareflowStore,
  type StoreWriteOptions,
} from './store'
export type { RateLimit, RateLimitOptions } from './security/rate-limit'
export type { BreakerState, CircuitBreakerOptions } from './upstream/breaker'
export type { TelemetryOptions } from './telemetry'
export {
  createPayoutsModule,
  type PayoutsModule,
  type PayoutsModuleOptions,
} from './payouts/module'
export type { AuthorizePayoutResult, PayoutHostCall, PayoutHostLedger } from './payouts/host-ledger'
export { createKybModule, type KybModule, type KybModuleOptions } from './kyb/module'
