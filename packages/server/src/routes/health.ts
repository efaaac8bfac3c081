/**
 * `GET /healthz` and `GET /readyz`, the probes a load balancer or orchestrator polls. Mounted
 * ahead of the rate limits (a probe every few seconds from one address must never be refused)
 * and of the request log (which they would fill).
 *
 * - `/healthz`: the process answers. Nothing else is checked, so a store outage does not get
 *   every instance restarted at once.
 * - `/readyz`: this instance can serve: the store answers within `READY_WITHIN_MS`, and the
 *   instance is not draining. The body also says where each vendor's circuit breaker stands. Otherwise `503 upstream_unavailable` with `Retry-After`, in the
 *   one error envelope, so traffic goes to the other instances.
 *
 * @module
 */
import { Health, Readiness, routes } from '@shareflow/contract'
import type { Hono } from 'hono'
import type { ShareflowEnv } from '../request-context'
import { ApiError } from '../errors'
import { shutdownSignal } from '../lifecycle'
import type { ShareflowServices } from '../services'
import type { ShareflowStore } from '../store/types'

/** Longer than a healthy store ever takes, well inside the usual probe timeout (5 s). */
const READY_WITHIN_MS = 2_000

const notReady = (message: string, cause: unknown) =>
  new ApiError('upstream_unavailable', message, { retryAfterSeconds: 5, cause })

/** Resolves once `store` answers a read; rejects when it fails or takes over `READY_WITHIN_MS`. */
async function storeAnswers(store: ShareflowStore): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`the store did not answer within ${READY_WITHIN_MS} ms`)),
      READY_WITHIN_MS,
    )
  })
  try {
    await Promise.race([store.get('health:ready'), late])
  } finally {
    clearTimeout(timer)
  }
}

/** Mounts both probes on the app's store and breakers. */
export function registerHealthRoutes(
  app: Hono<ShareflowEnv>,
  { store, breakers }: Pick<ShareflowServices, 'store' | 'breakers'>,
): void {
  app.get(routes.healthz, (c) => c.json(Health.parse({ status: 'ok' })))

  app.get(routes.readyz, async (c) => {
    if (shutdownSignal(c)?.aborted) {
      throw notReady('This instance is shutting down.', new Error('draining'))
    }
    try {
      await storeAnswers(store)
    } catch (cause) {
      throw notReady('This instance cannot reach its store.', cause)
    }
    return c.json(
      Readiness.parse({
        status: 'ready',
        checks: {
          store: 'ok',
          persona: breakers.persona?.state() ?? 'off',
          coinflow: breakers.coinflow?.state() ?? 'off',
        },
      }),
    )
  })
}
