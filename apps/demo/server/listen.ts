import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'

export interface Listening {
  url: string
  port: number
  close(): Promise<void>
}

/**
 * Serves `fetch` on `hostname:port` (0 picks a free port). `close()` also drops idle keep-alive
 * connections, so a fixed port (Coinflow's page on 3000) is free again the moment it resolves.
 */
export function listen(
  fetch: (request: Request) => Response | Promise<Response>,
  { port, hostname = 'localhost' }: { port: number; hostname?: string },
): Promise<Listening> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch, port, hostname }, (info: AddressInfo) => {
      server.off('error', reject)
      resolve({
        url: `http://${hostname}:${info.port}`,
        port: info.port,
        close: () =>
          new Promise<void>((done, fail) => {
            server.close((error) => (error ? fail(error) : done()))
            if ('closeAllConnections' in server) server.closeAllConnections()
          }),
      })
    })
    server.once('error', reject)
  })
}
