/**
 * The Worker host (workerd through Miniflare): the settings arrive as the Worker's `vars`. The app
 * is built on the first request, not at module scope, where Workers forbid timers and random
 * numbers; it then lives as long as the isolate.
 */
import { Hono } from 'hono'
import { MOUNT, createRuntimeHostApp, type RuntimeHostSettings } from './host-app'

let host: Hono | undefined

export default {
  fetch(request: Request, env: RuntimeHostSettings) {
    if (!host) {
      host = new Hono()
      host.route(MOUNT, createRuntimeHostApp(env))
    }
    // Cloudflare's edge names the client in CF-Connecting-IP; the per-address limit reads it.
    return host.fetch(request, { clientAddress: request.headers.get('CF-Connecting-IP') })
  },
}
