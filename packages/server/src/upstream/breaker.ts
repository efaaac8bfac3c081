/**
 * A circuit breaker per vendor. While a vendor fails (network errors, timeouts, 5xx), every user
 * request would otherwise spend its whole retry schedule on it (four calls each: twenty users,
 * eighty calls) and wait out the backoff before hearing anything. After `failureThreshold`
 * failed attempts in a row the breaker opens: calls fail at once, unsent, and the user hears
 * `503 upstream_unavailable` with `Retry-After` saying when the vendor is tried again. After
 * `openMs` one probe goes out (every other call still fails at once); its success closes the
 * breaker, its failure opens it again.
 *
 * A call refused by the breaker was never sent, so a payout's journal treats it like any call
 * that did not leave. 429s are the rate budget's business, not a failure. Per instance.
 *
 * @module
 */
import type { Clock } from '../clock'

export type BreakerState = 'closed' | 'open' | 'half_open'

export interface CircuitBreakerOptions {
  /** Failed attempts in a row that open the breaker. Default 5 (one call's retries and one more). */
  failureThreshold?: number
  /** How long it stays open before one probe. Default 10 000 ms. */
  openMs?: number
}

/** What an attempt turned out to be, for the breaker. */
export type AttemptOutcome = 'success' | 'failure' | 'neutral'

export type Admission = { allowed: true; probe: boolean } | { allowed: false; retryAfterMs: number }

export interface CircuitBreaker {
  /** Asked before each attempt. */
  admit(): Admission
  /** Told how the admitted attempt went (`neutral`: it was not sent, or it met a 429). */
  settle(admission: Admission & { allowed: true }, outcome: AttemptOutcome): void
  state(): BreakerState
}

export const defaultBreaker = { failureThreshold: 5, openMs: 10_000 } as const

/** While a probe is out, other calls are asked back this much later. */
const PROBE_RETRY_AFTER_MS = 1_000

/** @example const breaker = createCircuitBreaker({ clock }) */
export function createCircuitBreaker(
  {
    failureThreshold = defaultBreaker.failureThreshold,
    openMs = defaultBreaker.openMs,
  }: CircuitBreakerOptions,
  clock: Clock,
): CircuitBreaker {
  if (!Number.isSafeInteger(failureThreshold) || failureThreshold < 1) {
    throw new RangeError(
      `breaker.failureThreshold must be a positive whole number; got ${failureThreshold}`,
    )
  }
  if (!Number.isFinite(openMs) || openMs <= 0) {
    throw new RangeError(`breaker.openMs must be a positive number of milliseconds; got ${openMs}`)
  }
  let failures = 0
  let openedAt: number | null = null
  let probing = false

  const open = () => {
    openedAt = clock.now()
    probing = false
  }

  return {
    admit() {
      if (openedAt === null) return { allowed: true, probe: false }
      const waitMs = openedAt + openMs - clock.now()
      if (waitMs > 0) return { allowed: false, retryAfterMs: waitMs }
      if (probing) return { allowed: false, retryAfterMs: PROBE_RETRY_AFTER_MS }
      probing = true
      return { allowed: true, probe: true }
    },
    settle(admission, outcome) {
      if (outcome === 'neutral') {
        if (admission.probe) probing = false
        return
      }
      if (outcome === 'success') {
        failures = 0
        // Only the probe's answer closes an open breaker; a straggler from before does not.
        if (admission.probe || openedAt === null) {
          openedAt = null
          probing = false
        }
        return
      }
      failures++
      if (admission.probe) open()
      else if (openedAt === null && failures >= failureThreshold) open()
    },
    state() {
      if (openedAt === null) return 'closed'
      return probing || clock.now() >= openedAt + openMs ? 'half_open' : 'open'
    },
  }
}
