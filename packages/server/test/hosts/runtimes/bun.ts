/** The Bun host: `bun run bun.js` with the settings in its environment and `PORT`. */
import { Hono } from 'hono'
import { MOUNT, createRuntimeHostApp, type RuntimeHostSettings } from './host-app'

const host = new Hono()
host.route(MOUNT, createRuntimeHostApp(process.env as unknown as RuntimeHostSettings))

const server = Bun.serve({
  hostname: '127.0.0.1',
  port: Number(process.env.PORT),
  // The per-address rate limit reads `clientAddress`; Bun knows the peer per request.
  fetch: (request, bun) =>
    host.fetch(request, { clientAddress: bun.requestIP(request)?.address ?? null }),
})
console.log(`listening on ${server.url}`)
