/**
 * Serves a Shareflow app (or a host app that mounts it) on Node with `@hono/node-server`.
 *
 * @module
 */
import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'
import { forwardedOrigin } from '../security/public-origin'
import { forwardedClientAddress, type NodeClientBindings } from '../security/rate-limit'

export interface ServeOptions {
  /**
   * Anything with a Web-standard `fetch(request)`: the Shareflow app or the host's app. It also
   * gets the connection's bindings as its second argument (Hono's `c.env`), which is how the
   * per-address rate limit learns who is asking; a wrapper that drops them turns that limit off.
   */
  app: {
    fetch: (request: Request, env: NodeClientBindings) => Response | Promise<Response>
  }
  /** Default 0: a free port. */
  port?: number
  /** Default `127.0.0.1`. */
  hostname?: string
  /**
   * How many proxies of your own (load balancer, CDN, reverse proxy) stand between the internet
   * and this server, each appending the address it heard from to `X-Forwarded-For`. The client
   * is then the entry that many hops from the right. Default 0: the client is the socket's peer
   * and `X-Forwarded-For` is ignored, since a browser can send any value in it. Count exactly:
   * one too many lets a client name its own address (and so dodge its rate limit), one too few
   * puts every user behind your proxy's address.
   *
   * With a proxy trusted, the origin the browser sees is also the proxy's word: the scheme in
   * `X-Forwarded-Proto` and the host in `X-Forwarded-Host`, so a proxy that ends TLS does not
   * make every same-origin write look cross-site.
   */
  trustProxy?: number
}

export interface ServingShareflow {
  url: string
  port: number
  /**
   * Drains, then stops: accepts no new connection, tells the app it is shutting down (`/readyz`
   * answers 503, open `/events` streams end with a reconnect hint so their pages reconnect to
   * another instance), lets requests in flight finish (a payout under way included) for up to
   * `drainMs` (default 10 000), then drops whatever connection is left. Resolves once the port is
   * free. Call it on SIGTERM.
   */
  close(options?: { drainMs?: number }): Promise<void>
}

const DEFAULT_DRAIN_MS = 10_000

/**
 * Rejects when the port cannot be bound (e.g. `EADDRINUSE`), so a caller can wait and retry.
 *
 * @example
 * // Behind one load balancer that sets X-Forwarded-For:
 * const server = await serveShareflow({ app: hostApp, port: 8787, hostname: '0.0.0.0', trustProxy: 1 })
 * console.log(`listening on ${server.url}`)
 */
export function serveShareflow({
  app,
  port = 0,
  hostname = '127.0.0.1',
  trustProxy = 0,
}: ServeOptions): Promise<ServingShareflow> {
  if (!Number.isSafeInteger(trustProxy) || trustProxy < 0) {
    return Promise.reject(
      new RangeError('trustProxy must be the number of your own proxies in front: 0, 1, 2, …'),
    )
  }
  // Aborted when `close` starts draining; the app reads it as `c.env.shutdown` (`lifecycle.ts`).
  const shutdown = new AbortController()
  return new Promise((resolve, reject) => {
    const server = serve(
      {
        fetch: (request, bindings) => {
          const peer = bindings.incoming.socket.remoteAddress
          const clientAddress =
            peer === undefined
              ? null
              : trustProxy === 0
                ? peer
                : forwardedClientAddress(peer, request.headers.get('x-forwarded-for'), trustProxy)
          return app.fetch(request, {
            ...bindings,
            clientAddress,
            shutdown: shutdown.signal,
            ...(trustProxy === 0
              ? {}
              : { publicOrigin: forwardedOrigin(request.url, request.headers, trustProxy) }),
          })
        },
        port,
        hostname,
        // By default `@hono/node-server` puts its own Request/Response on the global object, and a
        // host that checks its responses against its own (Next.js: "Expected an instance of
        // Response") breaks. Nothing here needs them there (see `security/body-limit.ts`).
        overrideGlobalObjects: false,
      },
      (info) => {
        server.off('error', reject)
        const { port: bound } = info as AddressInfo
        resolve({
          url: `http://${hostname.includes(':') ? `[${hostname}]` : hostname}:${bound}`,
          port: bound,
          close: ({ drainMs = DEFAULT_DRAIN_MS } = {}) =>
            new Promise<void>((done, fail) => {
              shutdown.abort()
              const connections = 'closeAllConnections' in server ? server : null
              // A keep-alive socket goes idle once its last response is sent: close it then.
              const idle = setInterval(() => connections?.closeIdleConnections(), 50)
              // Past the deadline, whatever still holds a connection is cut off.
              const deadline = setTimeout(() => connections?.closeAllConnections(), drainMs)
              server.close((error) => {
                clearInterval(idle)
                clearTimeout(deadline)
                if (error) fail(error)
                else done()
              })
              connections?.closeIdleConnections()
            }),
        })
      },
    )
    server.once('error', reject)
  })
}
