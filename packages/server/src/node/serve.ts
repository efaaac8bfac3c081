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
  close(): Promise<void>
}

/**
 * @example
 * const server = await serveShareflow({ app: hostApp, port: 8787 })
 * console.log(`listening on ${server.url}`)
 */
export function serveShareflow({
  app,
  port = 0,
  hostname = '127.0.0.1',
}: ServeOptions): Promise<ServingShareflow> {
  return new Promise((resolve) => {
    const server = serve({ fetch: (request) => app.fetch(request), port, hostname }, (info) => {
      const { port: bound } = info as AddressInfo
      resolve({
        url: `http://${hostname}:${bound}`,
        port: bound,
        close: () =>
          new Promise<void>((done, fail) =>
            server.close((error) => (error ? fail(error) : done())),
          ),
      })
    })
  })
}
