/**
 * `@shareflow/server`: the backend-for-frontend a host mounts to pay its users out through
 * Coinflow, re-using the identity check they passed with Persona. Web Standards only; Node
 * helpers (`serveShareflow`, env config, the file and Redis stores) live in
 * `@shareflow/server/node`, the emulator in `@shareflow/server/emulator`.
 *
 * @example
 * import { createShareflowApp } from '@shareflow/server'
 * const shareflow = createShareflowApp({ getUser, persona, coinflow, store })
 * hostApp.route('/api/shareflow', shareflow)
 *
 * @module
 */
export { createShareflowApp, type ShareflowApp, type ShareflowAppOptions } from './app'
export type { CoinflowOptions, PersonaOptions, ShareflowOptions } from './options'
export type { ShareflowEnv } from './request-context'
export type {
  CoinflowWebhookEvent,
  CoinflowWebhookHandler,
  HookList,
  ShareflowServices,
} from './services'
export type { ShareflowModule } from './shareflow-module'
export { requireUser, signedIn, type GetUser, type ShareflowUser } from './user'
export { ApiError, errorResponse, optionalJsonBody, validate, type ApiErrorExtra } from './errors'
export {
  createJsonLogger,
  createMemoryLogger,
  redact,
  silentLogger,
  type JsonLoggerOptions,
  type LogFields,
  type Logger,
  type LogLevel,
} from './logger'
export { systemClock, type Clock } from './clock'
export {
  componentSchemas,
  createOpenApiDocument,
  errorResponses,
  jsonBody,
  jsonResponse,
  type OpenApiPaths,
} from './openapi'
export type { EventEntry, EventHub } from './event-hub'
export type { KycService } from './kyc'
export { createMemoryStore, type ShareflowStore, type StoreWriteOptions } from './store'
export {
  createPersonaClient,
  PERSONA_API_VERSION,
  type PersonaClient,
  type PersonaClientOptions,
} from './upstream/persona'
export {
  coinflowHosts,
  createCoinflowClient,
  type CoinflowClient,
  type CoinflowClientOptions,
} from './upstream/coinflow'
export { createCallCounter, type UpstreamCall, type UpstreamCallCounter } from './upstream/http'
export type {
  CachedSessionKey,
  SessionKeyCache,
  SessionKeyCacheOptions,
} from './upstream/session-key-cache'
export {
  createPayoutsModule,
  type PayoutsModule,
  type PayoutsModuleOptions,
} from './payouts/module'
export type { AuthorizePayoutResult, PayoutHostCall, PayoutHostLedger } from './payouts/host-ledger'
export {
  createSandboxShareflowApp,
  sandboxCredentials,
  type SandboxApp,
  type SandboxAppOptions,
} from './sandbox'
export {
  findLeaks,
  type KnownSensitiveValues,
  type LeakFinding,
  type RateLimit,
  type RateLimitOptions,
} from './security'
export { signWebhook, verifyWebhookSignature } from './webhooks/signature'
