/**
 * What every Shareflow route finds on its request (`ShareflowEnv`), and the middleware that puts
 * it there: the app's services, a logger carrying the request id, a counter of the vendor calls
 * made for this request, and vendor clients that count on it. It also logs the request's one
 * line (status, duration, vendor calls) when the answer is ready.
 *
 * The request's Persona client leaves Persona's queue with the request: once the browser has its
 * answer or has gone away, its calls still queued are not sent (`personaCallsLeftBehind`; the
 * whole queue policy is in `kyc/work-queue.ts`).
 *
 * @module
 */
import { REQUEST_ID_HEADER } from '@shareflow/contract'
import type { MiddlewareHandler } from 'hono'
import { requestId } from 'hono/request-id'
import type { Logger } from './logger'
import { personaCallsLeftBehind } from './kyc/work-queue'
import type { WebhookBudget } from './security/rate-limit'
import type { ShareflowServices } from './services'
import type { CoinflowApi } from './upstream/coinflow'
import { createCallCounter } from './upstream/http'
import type { PersonaApi } from './upstream/persona'
import type { ShareflowUser } from './user'

/** The Hono environment every Shareflow route runs in. */
export interface ShareflowEnv {
  Variables: {
    requestId: string
    shareflow: ShareflowServices
    /** Request-scoped logger (carries `requestId`). */
    logger: Logger
    /** Upstream calls made while serving this request. */
    calls: ReturnType<typeof createCallCounter>
    /** Persona client counting on `calls`. */
    persona: PersonaApi
    /** Coinflow client counting on `calls`. */
    coinflow: CoinflowApi
    user: ShareflowUser | undefined
    /** On webhook routes while rate limits are on: where the route reports its verdict. */
    webhookBudget: WebhookBudget | undefined
  }
}

/** Middleware: sets `ShareflowEnv`'s variables for the request and logs its line. */
export function requestContext(services: ShareflowServices): MiddlewareHandler<ShareflowEnv> {
  return async function requestContext(c, next) {
    const started = services.clock.now()
    const calls = createCallCounter()
    const logger = services.logger.child({ requestId: c.get('requestId') })
    const leftBehind = personaCallsLeftBehind(c.req.raw)
    c.set('shareflow', services)
    c.set('logger', logger)
    c.set('calls', calls)
    c.set('persona', services.persona.withCalls(calls, leftBehind.signal))
    c.set('coinflow', services.coinflow.withCalls(calls))
    try {
      await next()
    } finally {
      leftBehind.answered()
    }
    logger.info('request', {
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      durationMs: services.clock.now() - started,
      upstream: calls.summary(),
    })
  }
}

/**
 * Middleware: the request's id, from a short `X-Request-Id` the caller sent or a new one, on the
 * response and in every log line and error body.
 */
export const shareflowRequestId = () =>
  requestId({
    headerName: REQUEST_ID_HEADER,
    limitLength: 64,
    generator: () => `req_${crypto.randomUUID().replace(/-/g, '')}`,
  })
