import { z } from 'zod'

/** `GET /healthz`: the process is up and answering. A load balancer's liveness probe. */
export const Health = z.strictObject({ status: z.literal('ok') })
export type Health = z.infer<typeof Health>

/**
 * `GET /readyz`: this instance can serve, so a load balancer may send it traffic. Not ready
 * (the store unreachable, the instance draining) answers `503 upstream_unavailable` in the
 * error envelope instead.
 */
export const Readiness = z.strictObject({
  status: z.literal('ready'),
  checks: z.strictObject({ store: z.literal('ok') }),
})
export type Readiness = z.infer<typeof Readiness>
