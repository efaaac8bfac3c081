/**
 * The instance's shutdown, as the routes see it. An adapter that drains (`serveShareflow`'s
 * `close`) passes an `AbortSignal` as `shutdown` in the bindings (`c.env`) and aborts it when it
 * stops accepting: `/readyz` then answers 503 so the load balancer sends traffic elsewhere, and
 * open `/events` streams end with a reconnect hint so their pages reconnect to another instance.
 *
 * @module
 */
import type { Context } from 'hono'

/** The adapter's shutdown signal for this request, if it passed one. */
export function shutdownSignal(c: Context): AbortSignal | undefined {
  const env = typeof c.env === 'object' ? (c.env as { shutdown?: unknown } | null) : null
  return env?.shutdown instanceof AbortSignal ? env.shutdown : undefined
}
