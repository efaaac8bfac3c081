/** The Deno host: `deno run --allow-net --allow-env deno.js` with the settings in its environment. */
import { Hono } from 'hono'
import { MOUNT, createRuntimeHostApp, type RuntimeHostSettings } from './host-app'

const host = new Hono()
host.route(MOUNT, createRuntimeHostApp(Deno.env.toObject() as unknown as RuntimeHostSettings))

Deno.serve(
  {
    hostname: '127.0.0.1',
    port: Number(Deno.env.get('PORT')),
    onListen: ({ port }) => console.log(`listening on http://127.0.0.1:${port}`),
  },
  // The per-address rate limit reads `clientAddress`; Deno hands the peer with each request.
  (request, info) => host.fetch(request, { clientAddress: info.remoteAddr.hostname }),
)
