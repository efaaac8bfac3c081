/**
 * A ceiling on how long any BFF request keeps the browser waiting, from the moment the app has
 * its request context: the rate limits' store reads, the route's store calls and its vendor calls
 * all run inside it (`app.ts` mounts it before them). Vendor calls have their own
 * per-attempt timeouts, but retries with backoff can add up; past the ceiling the user hears
 * `upstream_unavailable` ("nothing was lost, try again") in the envelope instead of a proxy's bare
 * 504. The work itself is not abandoned: a payout already accepted carries on under its journal,
 * and the client's retry with the same Idempotency-Key finds it.
 *
 * @module
 */
import type { Context, MiddlewareHandler } from 'hono'
import { ApiError } from '../errors'

/** Below the 30 s most load balancers and proxies allow, so our answer reaches the user first. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 25_000

/** A request that ran out of time is asked back this much later, once the work may be done. */
const RETRY_AFTER_CEILING_SECONDS = 5

/** When each request's ceiling falls (real time, `Date.now()`), for handlers that answer early. */
const deadlines = new WeakMap<Context, number>()

/**
 * Real milliseconds left before `c`'s request ceiling, or `undefined` outside `requestTimeout`.
 * A handler that can tell the user something better than the ceiling's 503 (when to come back,
 * say) answers before it.
 */
export function timeLeftMs(c: Context): number | undefined {
  const deadline = deadlines.get(c)
  return deadline === undefined ? undefined : Math.max(0, deadline - Date.now())
}

/**
 * @example app.use(requestTimeout(25_000))
 */
export function requestTimeout(timeoutMs: number = DEFAULT_REQUEST_TIMEOUT_MS): MiddlewareHandler {
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new RangeError(
      `requestTimeoutMs must be a positive number of milliseconds; got ${timeoutMs}`,
    )
  }
  return async function requestTimeout(c, next) {
    // The timer below is real time too (the ceiling is about the browser's wait, not the clock).
    deadlines.set(c, Date.now() + timeoutMs)
    let timer: ReturnType<typeof setTimeout> | undefined
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new ApiError(
              'upstream_unavailable',
              'This is taking longer than it should. Nothing was lost; please try again in a moment.',
              {
                retryAfterSeconds: RETRY_AFTER_CEILING_SECONDS,
                cause: new Error(`request still running after ${timeoutMs} ms`),
              },
            ),
          ),
        timeoutMs,
      )
    })
    try {
      // An event stream returns its Response at once and streams afterwards, so it is not cut.
      await Promise.race([next(), expired])
    } finally {
      clearTimeout(timer)
    }
  }
}
