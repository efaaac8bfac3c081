/**
 * The bridge from a Node framework's request to the Shareflow app: `@hono/node-server`'s listener,
 * handed the client's address the host framework worked out (its own trust-proxy setting) and,
 * where a framework kept the request body for itself, those bytes as they arrived.
 *
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { getRequestListener } from '@hono/node-server'
import type { NodeClientBindings } from '../security/rate-limit'

/**
 * The Shareflow app (`createShareflowApp`, `createSandboxShareflowApp().app`, …) or a Hono app of
 * yours wrapping it: anything with a Web-standard `fetch` that takes the Node bindings as `c.env`.
 */
export interface ShareflowFetchApp {
  fetch(request: Request, env: NodeClientBindings): Response | Promise<Response>
  /** A Shareflow app's own services; the body ceiling is read from them. */
  readonly shareflow?: { readonly settings: { readonly maxBodyBytes: number } }
}

/** What the app sees as `c.env` when a host framework serves it: Node's request and response too. */
export interface HostedBindings extends NodeClientBindings {
  incoming: IncomingMessage
  outgoing: ServerResponse
}

/** The BFF's default ceiling (`maxBodyBytes`), for an app that does not say its own. */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024

export const maxBodyBytesOf = (app: ShareflowFetchApp) =>
  app.shareflow?.settings.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES

/**
 * `request.rawBody` as `@hono/node-server` reads it: when set (a Buffer), the app reads these
 * bytes instead of the stream, which a host's body parser may already have drained.
 */
export type WithRawBody = IncomingMessage & { rawBody?: Buffer }

/**
 * A Node `(req, res)` listener over `app`. `clientAddress(req)` is the client as the host sees
 * it; `extra(req)` adds bindings (e.g. Fastify's request, for `getUser`). Like `serveShareflow`, it
 * leaves the host's global `Request`/`Response` alone (`@hono/node-server` would put its own there).
 */
export function shareflowListener(
  app: ShareflowFetchApp,
  clientAddress: (incoming: IncomingMessage) => string | null | undefined,
  extra: (incoming: IncomingMessage) => object = () => ({}),
): (incoming: IncomingMessage, outgoing: ServerResponse) => Promise<void> {
  const listener = getRequestListener(
    (request, env) => {
      // Express and Fastify serve HTTP/1 here: the request is always Node's IncomingMessage.
      const incoming = env.incoming as IncomingMessage
      return app.fetch(request, {
        ...env,
        ...extra(incoming),
        clientAddress: clientAddress(incoming) ?? null,
      })
    },
    { overrideGlobalObjects: false },
  )
  return (incoming, outgoing) => listener(incoming, outgoing)
}
