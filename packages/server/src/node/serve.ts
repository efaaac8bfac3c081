/**
 * Serves a Shareflow app (or a host app that mounts it) on Node with `@hono/node-server`.
 *
 * @module
 */
import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'

export interface ServeOptions {
  /** Anything with a Web-standard `fetch(request)`: the Shareflow app or the host's app. */
  app: { fetch: (request: Request) => Response | Promise<Response> }
  /** Default 0: a free port. */
  port?: number
  /** Default `127.0.0.1`. */
  hostname?: string
}

export interface ServingShareflow {
  url: string
  port: number
  /**
   * Stops listening and drops every open connection, so it resolves even while a browser holds
   * an `/events` stream or an idle keep-alive socket, and the port is free again once it has.
   */
  close(): Promise<void>
}

/**
 * Rejects when the port cannot be bound (e.g. `EADDRINUSE`), so a caller can wait and retry.
 *
 * @example
 * const server = await serveShareflow({ app: hostApp, port: 8787 })
 * console.log(`listening on ${server.url}`)
 */
export function serveShareflow({
  app,
  port = 0,
  hostname = '127.0.0.1',
}: ServeOptions): Promise<ServingShareflow> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: (request) => app.fetch(request), port, hostname }, (info) => {
      server.off('error', reject)
      const { port: bound } = info as AddressInfo
      resolve({
        url: `http://${hostname}:${bound}`,
        port: bound,
        close: () =>
          new Promise<void>((done, fail) => {
            server.close((error) => (error ? fail(error) : done()))
            // `close` alone waits for every open response to end, and an SSE stream never does.
            if ('closeAllConnections' in server) server.closeAllConnections()
          }),
      })
    })
    server.once('error', reject)
  })
}
