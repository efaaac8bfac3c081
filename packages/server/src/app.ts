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
import { REQUEST_ID_HEADER, routes } from '@shareflow/contract'
import { Hono, type Context, type MiddlewareHandler } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { requestId } from 'hono/request-id'
import {
  createShareflowCore,
  type ShareflowCore,
  type ShareflowEnv,
  type ShareflowOptions,
} from './core'
import { ApiError, createErrorHandler, errorResponse, notFound } from './errors'
import { createOpenApiDocument, type OpenApiPaths } from './openapi'
import { registerEventRoutes } from './routes/events'
import { registerKycRoutes } from './routes/kyc'
import { registerSessionRoutes } from './routes/session'
import { registerWebhookRoutes } from './routes/webhooks'
import {
  apiSecurityHeaders,
  corsAllowlist,
  rateLimits,
  requestTimeout,
  type RateLimitOptions,
} from './security'
import { createCallCounter } from './upstream/http'

export type ShareflowApp = Hono<ShareflowEnv> & {
  /** The shared core (clients, store, event hub, KYC service, hooks), for tests and modules. */
  readonly shareflow: ShareflowCore
}

const isWebhook = (path: string) =>
  path.endsWith(routes.webhooksPersona) || path.endsWith(routes.webhooksCoinflow)

/**
 * Browsers mark cross-site requests; a write from another site (a forged form or fetch riding on
 * the host's session cookie) is refused. Webhooks come from servers and carry their own proof.
 */
function sameSiteWrites(trustedOrigins: readonly string[]): MiddlewareHandler<ShareflowEnv> {
  return async function sameSiteWrites(c, next) {
    if (c.req.method === 'GET' || c.req.method === 'HEAD' || isWebhook(c.req.path)) return next()
    const origin = c.req.header('Origin')
    const fromAnotherSite =
      c.req.header('Sec-Fetch-Site') === 'cross-site' ||
      (!!origin && origin !== new URL(c.req.url).origin)
    if (fromAnotherSite && !(origin && trustedOrigins.includes(origin))) {
      throw new ApiError('forbidden', 'This request must come from the app itself.')
    }
    return next()
  }
}

/**
 * Refuses bodies over `maxSize` (413 in the envelope). Hono's `bodyLimit` reads
 * `c.req.raw.body`, which makes `@hono/node-server` build a full `Request` (headers copied, an
 * `AbortController`) for every request, reads included; so reads, which carry no body, skip it,
 * and a declared `Content-Length` is checked from the header alone. Only a chunked body is
 * counted as it streams in.
 */
function limitBodies(maxSize: number): MiddlewareHandler<ShareflowEnv> {
  const tooLarge = (c: Context<ShareflowEnv>) =>
    errorResponse(c, new ApiError('payload_too_large', 'The request body is too large.'))
  const streamed = bodyLimit({ maxSize, onError: tooLarge })
  return async function limitBodies(c, next) {
    const method = c.req.method
    if (method === 'GET' || method === 'HEAD') return next()
    const declared = c.req.header('Content-Length')
    if (declared !== undefined && c.req.header('Transfer-Encoding') === undefined) {
      return Number.parseInt(declared, 10) > maxSize ? tooLarge(c) : next()
    }
    return streamed(c, next)
  }
}

export interface ShareflowAppOptions extends ShareflowOptions {
  /** Origins besides the BFF's own whose pages may make writes (e.g. a separate front-end host). */
  trustedOrigins?: readonly string[]
  /** Per-user and per-address request budgets (`security/rate-limit.ts`); `false` turns them off. */
  rateLimits?: RateLimitOptions | false
  /** Longest a request may keep the browser waiting. Default 25 000 ms. */
  requestTimeoutMs?: number
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
  const core = createShareflowCore(options)
  const app = new Hono<ShareflowEnv>()

  app.use(
    requestId({
      headerName: REQUEST_ID_HEADER,
      limitLength: 64,
      generator: () => `req_${crypto.randomUUID().replace(/-/g, '')}`,
    }),
  )
  app.use(apiSecurityHeaders())
  app.use(corsAllowlist(options.trustedOrigins ?? []))
  app.use(async function shareflowContext(c, next) {
    const started = core.clock.now()
    const calls = createCallCounter()
    const logger = core.logger.child({ requestId: c.get('requestId') })
    c.set('shareflow', core)
    c.set('logger', logger)
    c.set('calls', calls)
    // Once the browser has its answer (a timeout's 503 included) or has gone away, nobody waits
    // for this request's own Persona calls still queued behind the rate budget: they leave the
    // queue unsent instead of spending budget a user's retry needs. (The KYC service's kept work,
    // which a retry joins, runs on calls of its own and keeps its place.) The handler still running then
    // fails with this error, which only reaches the log. Built at the request's first Persona
    // call: most requests (a verified user's session, quotes, payouts) make none.
    let answered: AbortController | undefined
    let over: string | undefined
    const giveUp = (why: string) =>
      answered?.abort(
        new ApiError(
          'upstream_unavailable',
          'This is taking longer than it should. Nothing was lost; please try again in a moment.',
          { cause: new Error(`${why}; queued Persona calls not sent`) },
        ),
      )
    const clientGone = () => giveUp('client went away')
    const personaSignal = () => {
      if (!answered) {
        answered = new AbortController()
        if (over !== undefined) giveUp(over)
        else if (c.req.raw.signal.aborted) clientGone()
        else c.req.raw.signal.addEventListener('abort', clientGone, { once: true })
      }
      return answered.signal
    }
    c.set('persona', core.persona.withCalls(calls, personaSignal))
    c.set('coinflow', core.coinflow.withCalls(calls))
    try {
      await next()
    } finally {
      if (answered) c.req.raw.signal.removeEventListener('abort', clientGone)
      // On the next turn, after Hono has handed the answer over: a handler failing sooner
      // would still replace a timeout's 503 with its own error.
      setTimeout(() => {
        over = 'request answered'
        giveUp(over)
      }, 0)
    }
    logger.info('request', {
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      durationMs: core.clock.now() - started,
      upstream: calls.summary(),
    })
  })
  app.use(limitBodies(core.settings.maxBodyBytes))
  app.use(sameSiteWrites(options.trustedOrigins ?? []))
  app.use(rateLimits(options.rateLimits))
  app.use(requestTimeout(options.requestTimeoutMs))

  registerSessionRoutes(app)
  registerKycRoutes(app)
  registerEventRoutes(app, routes.events, {
    heartbeatMs: core.settings.heartbeatMs,
    currentKyc: (userId) => core.kyc.current(userId),
  })
  registerWebhookRoutes(app)

  const modules = options.modules ?? []
  for (const module of modules) module.register(app, core)

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

  app.onError(createErrorHandler(core.logger))
  app.notFound(notFound)
  return Object.assign(app, { shareflow: core })
}
