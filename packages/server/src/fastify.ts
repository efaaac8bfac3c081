/**
 * `@shareflow/server/fastify`: the BFF as a Fastify (5) plugin, registered under a prefix.
 *
 * A webhook's signature is over its exact bytes, so inside the plugin's own scope every content
 * type parser is replaced by one that reads nothing: the BFF reads the request stream itself, as
 * it arrived, with its own body ceiling and error envelope. Fastify scopes parsers to the plugin,
 * so the host's JSON parser (and any other) keeps working everywhere else, and the host's hooks
 * (sessions, auth) still run first; `getUser` finds Fastify's request at `c.env.request`.
 *
 * @example
 * const host = Fastify({ trustProxy: '10.0.0.2' }) // your proxy's address
 * await host.register(shareflowFastify, { prefix: '/api/shareflow', shareflow: app })
 *
 * @module
 */
import type { IncomingMessage } from 'node:http'
import type { FastifyPluginCallback, FastifyRequest } from 'fastify'
import { shareflowListener, type ShareflowFetchApp } from './hosts/listener'

export type { HostedBindings, ShareflowFetchApp } from './hosts/listener'

export interface ShareflowFastifyOptions {
  /** The Shareflow app, or a Hono app of yours that wraps it. */
  shareflow: ShareflowFetchApp
}

/** What `getUser` finds at `c.env` beside Node's request and response. */
export interface FastifyBindings {
  /** Fastify's request, with whatever the host's hooks decorated it with. */
  request: FastifyRequest
}

/**
 * Register it with the prefix the browser kit calls (`baseUrl`). The per-address rate limit reads
 * `request.ip`, so set Fastify's `trustProxy` to your own proxies.
 */
export const shareflowFastify: FastifyPluginCallback<ShareflowFastifyOptions> = (
  fastify,
  { shareflow },
  done,
) => {
  const requests = new WeakMap<IncomingMessage, FastifyRequest>()
  const listener = shareflowListener(
    shareflow,
    (incoming) => requests.get(incoming)?.ip,
    (incoming): Partial<FastifyBindings> => ({ request: requests.get(incoming) }),
  )
  const prefix = fastify.prefix

  fastify.removeAllContentTypeParsers()
  // Leaves the stream unread (Fastify's documented way to pipe a request on).
  fastify.addContentTypeParser('*', (_request, _payload, parsed) => parsed(null))

  fastify.all('/*', (request, reply) => {
    const incoming = request.raw
    requests.set(incoming, request)
    // The BFF's routes are relative to its mount point.
    const url = incoming.url ?? '/'
    incoming.url = url.startsWith(prefix) ? url.slice(prefix.length) || '/' : url
    reply.hijack()
    return listener(incoming, reply.raw)
  })
  done()
}
