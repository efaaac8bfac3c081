import { z } from 'zod'

/** `GET /healthz`: the process is up and answering. A load balancer's liveness probe. */
export const Health = z.strictObject({ status: z.literal('ok') })
export type Health = z.infer<typeof Health>

/** A vendor's circuit breaker: `off` when the host turned breakers off. */
export const BreakerState = z.enum(['closed', 'open', 'half_open', 'off'])
export type BreakerState = z.infer<typeof BreakerState>

/**
 * `GET /readyz`: this instance can serve, so a load balancer may send it traffic. Not ready
 * (the store unreachable, the instance draining) answers `503 upstream_unavailable` in the
 * error envelope instead.
 */
export const Readiness = z.strictObject({
  status: z.literal('ready'),
  checks: z.strictObject({
    store: z.literal('ok'),
    /**
     * Each vendor's circuit breaker, for dashboards; an open one does not make the instance
     * unready, since every instance shares the vendor and taking them all out helps nobody.
     */
    persona: BreakerState,
    coinflow: BreakerState,
  }),
})
export type Readiness = z.infer<typeof Readiness>
