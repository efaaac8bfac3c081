/**
 * `createShareflowApp(options)`: the Hono app a host mounts under any prefix (the demo uses
 * `/api/shareflow`). Web Standards only, so it runs on Node (`@shareflow/server/node`), Bun, Deno,
 * Workers, or in a browser beside the emulator.
 *
 * Every response carries a request id (`X-Request-Id`); every error answers in the contract's
 * envelope; every request logs one line with its status, duration and upstream calls.
 *
 * @module
 */
import { routes } from '@shareflow/contract'
import { Hono } from 'hono'
import { createErrorHandler, notFound } from './errors'
import { createOpenApiDocument, type OpenApiPaths } from './openapi'
import type { ShareflowOptions } from './options'
import { requestContext, shareflowRequestId, type ShareflowEnv } from './request-context'
import { defaultStreamCaps, registerEventRoutes } from './routes/events'
import { registerHealthRoutes } from './routes/health'
import { registerKycRoutes } from './routes/kyc'
import { registerSessionRoutes } from './routes/session'
import { registerWebhookRoutes } from './routes/webhooks'
import {
  apiSecurityHeaders,
  corsAllowlist,
  limitBodies,
  rateLimits,
  requestTimeout,
  sameSiteWrites,
  type RateLimitOptions,
} from './security'
import { createShareflowServices, type ShareflowServices } from './services'
import type { ShareflowModule } from './shareflow-module'

export type ShareflowApp = Hono<ShareflowEnv> & {
  /** The app's shared services (clients, store, event hub, KYC service, hooks), for tests. */
  readonly shareflow: ShareflowServices
}

export interface ShareflowAppOptions extends ShareflowOptions {
  /** Origins besides the BFF's own whose pages may make writes (e.g. a separate front-end host). */
  trustedOrigins?: readonly string[]
  /** Per-user and per-address request budgets (`security/rate-limit.ts`); `false` turns them off. */
  rateLimits?: RateLimitOptions | false
  /**
   * Longest a request may keep the browser waiting, rate limits, store and vendor calls included.
   * Default 25 000 ms.
   */
  requestTimeoutMs?: number
  /** Extra route modules (payouts). */
  modules?: readonly ShareflowModule[]
}

/**
 * @example
 * const app = createShareflowApp({
 *   getUser: (c) => sessionUser(c), // the host's own auth
 *   persona: { apiKey, templateId, connectionId, webhookSecrets: [secret] },
 *   coinflow: { apiKey, merchantId, env: 'sandbox', webhookKey },
 *   store: createFileStore({ directory: '.shareflow' }),
 * })
 * hostApp.route('/api/shareflow', app)
 */
export function createShareflowApp(options: ShareflowAppOptions): ShareflowApp {
  const services = createShareflowServices(options)
  const app = new Hono<ShareflowEnv>()

  app.use(shareflowRequestId())
  app.use(apiSecurityHeaders())
  app.use(corsAllowlist(options.trustedOrigins ?? []))
  // Probes answer before the request log and the rate limits: polled every few seconds, they
  // would fill the one and spend the other.
  registerHealthRoutes(app, services)
  app.use(requestContext(services))
  // One deadline for everything after this: the rate limits wait on the store too.
  app.use(requestTimeout(options.requestTimeoutMs))
  app.use(limitBodies(services.settings.maxBodyBytes))
  app.use(sameSiteWrites(options.trustedOrigins ?? []))
  app.use(rateLimits(options.rateLimits))

  registerSessionRoutes(app)
  registerKycRoutes(app)
  registerEventRoutes(app, routes.events, {
    heartbeatMs: services.settings.heartbeatMs,
    currentKyc: (userId) => services.kyc.current(userId),
    maxStreamsPerUser: options.events?.maxStreamsPerUser ?? defaultStreamCaps.maxStreamsPerUser,
    maxStreams: options.events?.maxStreams ?? defaultStreamCaps.maxStreams,
  })
  registerWebhookRoutes(app)

  const modules = options.modules ?? []
  for (const module of modules) module.register(app, services)

  const modulePaths = modules.flatMap((m) => (m.openapi ? [m.openapi] : [])) as OpenApiPaths[]
  let document: Record<string, unknown> | undefined
  app.get(routes.openapi, (c) => {
    const mount = c.req.path.slice(0, -routes.openapi.length) || '/'
    document ??= createOpenApiDocument({ paths: modulePaths })
    return c.json({ ...document, servers: [{ url: mount }] })
  })

  // Mounted with `hostApp.route(prefix, app)`, unknown paths under the prefix would get the
  // host's plain-text 404 (a sub-app's notFound is not used); this keeps them in the envelope.
  app.all('*', notFound)

  app.onError(createErrorHandler(services.logger))
  app.notFound(notFound)
  return Object.assign(app, { shareflow: services })
}
