/**
 * What every Shareflow route finds on its request (`ShareflowEnv`), and the middleware that puts
 * it there: the app's services, a logger carrying the request id, a counter of the vendor calls
 * made for this request, and vendor clients that count on it. It also logs the request's one
 * line (status, duration, vendor calls) when the answer is ready.
 *
 * Persona calls a request leaves behind: once the browser has its answer (a timeout's 503
 * included) or has gone away, nobody waits for this request's own Persona calls still queued
 * behind the rate budget (`upstream/rate-budget.ts`), so they leave the queue unsent instead of
 * spending budget a user's retry needs. The KYC work a retry joins (`kyc/`) runs on calls of its
 * own and keeps its place.
 *
 * @module
 */
import type { MiddlewareHandler } from 'hono'
import { ApiError } from './errors'
import type { Logger } from './logger'
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
  }
}

/**
 * The signal this request's queued Persona calls leave on, and the function that fires it.
 * Built at the request's first Persona call: most requests (a verified user's session, quotes,
 * payouts) make none. A handler still running when it fires fails with its error, which only
 * reaches the log.
 */
function personaCallsLeftBehind(request: Request) {
  let controller: AbortController | undefined
  let reason: string | undefined
  const giveUp = (why: string) =>
    controller?.abort(
      new ApiError(
        'upstream_unavailable',
        'This is taking longer than it should. Nothing was lost; please try again in a moment.',
        { cause: new Error(`${why}; queued Persona calls not sent`) },
      ),
    )
  const clientGone = () => giveUp('client went away')
  return {
    signal(): AbortSignal {
      if (!controller) {
        controller = new AbortController()
        if (reason !== undefined) giveUp(reason)
        else if (request.signal.aborted) clientGone()
        else request.signal.addEventListener('abort', clientGone, { once: true })
      }
      return controller.signal
    },
    /** The request is answered: calls still queued for it leave. */
    answered() {
      if (controller) request.signal.removeEventListener('abort', clientGone)
      // On the next turn, after Hono has handed the answer over: a handler failing sooner
      // would still replace a timeout's 503 with its own error.
      setTimeout(() => {
        reason = 'request answered'
        giveUp(reason)
      }, 0)
    },
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
