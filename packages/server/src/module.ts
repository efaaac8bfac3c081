/**
 * `@shareflow/server/module`: writing a route module of the BFF, as payouts is one. A module is
 * handed the app's shared services in `register` and mounts its routes on the app, where every
 * request carries `ShareflowEnv` (the services, a request logger, counted vendor clients, the
 * user). The pieces a host also uses (`ApiError`, `ShareflowUser`, `Logger` …) come from
 * `@shareflow/server`.
 *
 * @example
 * import type { ShareflowModule } from '@shareflow/server/module'
 * import { requireUser } from '@shareflow/server/module'
 * const rewards: ShareflowModule = {
 *   name: 'rewards',
 *   register(app) {
 *     app.get('/rewards', async (c) => c.json({ user: (await requireUser(c)).id }))
 *   },
 * }
 *
 * @module
 */
export type { ShareflowModule } from './shareflow-module'
export type {
  CoinflowWebhookEvent,
  CoinflowWebhookHandler,
  HookList,
  ShareflowServices,
} from './services'
export type { ShareflowEnv } from './request-context'
export { requireUser, signedIn } from './user'
export { errorResponse, optionalJsonBody, validate } from './errors'
export {
  componentSchemas,
  errorResponses,
  jsonBody,
  jsonResponse,
  type OpenApiPaths,
} from './openapi'
export type { EventEntry, EventHub } from './event-hub'
export type { KycService } from './kyc'
export type {
  CachedSessionKey,
  SessionKeyCache,
  SessionKeyCacheOptions,
} from './upstream/session-key-cache'
