/**
 * @module
 * A stateful emulator of Persona's sandbox API (version 2025-12-08) as a Hono app whose routes live
 * under `/api/v1`, plus the hosted inquiry flow behind its one-time links. Web Standards only, so
 * it runs on Node, Workers and in a browser.
 *
 * @example
 * const world = createWorld({ seed: 1 })
 * const persona = createPersonaEmulator(world, { webhooks: [{ url, secret: 'wbhsec_test' }] })
 * const res = await persona.request('http://persona.test/api/v1/inquiries', {
 *   method: 'POST',
 *   headers: { Authorization: 'Bearer persona_sandbox_key', 'Content-Type': 'application/json' },
 *   body: JSON.stringify({ data: { attributes: { 'inquiry-template-id': 'itmpl_demo' } } }),
 * })
 */
import { Hono, type Context, type Next } from 'hono'
import { applyFaults } from '../faults'
import type { EmulatorWorld } from '../world'
import { accountRoutes } from './accounts'
import { caseRoutes } from './cases'
import { badRequest, conflict, notFound, PersonaError, unauthenticated } from './errors'
import { personaEmbeddedFlow } from './embedded'
import { personaHostedFlow } from './hosted'
import { commaList, type PersonaEnv } from './http'
import { inflectKeys, keyInflections, type KeyInflection } from './inflection'
import { inquiryRoutes } from './inquiries'
import { shareTokenRoutes } from './share-tokens'
import { createPersonaState, type PersonaState, type PersonaStateOptions } from './state'
import { transactionRoutes } from './transactions'

export type { PersonaWebhookTarget } from './state'
export { magicLastNames } from './magic'

/** The API versions Persona accepts in `Persona-Version` (its `api-version` enum). */
export const personaVersions = [
  '2025-12-08',
  '2025-10-27',
  '2023-01-05',
  '2022-09-01',
  '2021-08-18',
  '2021-07-05',
  '2021-02-21',
  '2020-05-18',
] as const

/** From this version on, related objects are serialised only when `?include=` asks for them. */
const INCLUDE_ON_REQUEST_SINCE = '2025-10-27'

export interface PersonaEmulatorOptions extends PersonaStateOptions {
  /** The environment-wide budget per fixed one-minute window. Default 300. */
  rateLimitPerMinute?: number
  /** Idempotency records are forgotten after this long (emulator clock). Default 24 h. */
  idempotencyTtlMs?: number
  /**
   * At most this many idempotency records are kept; past it the oldest go first, even inside
   * their 24 h. Default 10 000, so a load test's memory stays flat.
   */
  idempotencyKeysKept?: number
  /** Aborted when the emulator closes; releases requests hanging on a timeout fault. */
  closed?: AbortSignal
}

export type PersonaEmulator = Hono & {
  /**
   * The hosted inquiry flow (`/persona/verify?code=…`) and the embedded one (`/widget`, framed by
   * Persona's SDK), to serve on the hosted-pages origin.
   */
  hosted: Hono
  state: PersonaState
}

interface IdempotencyRecord {
  fingerprint: string
  status: number
  body: string
  storedAt: number
}

export function createPersonaEmulator(
  world: EmulatorWorld,
  options: PersonaEmulatorOptions = {},
): PersonaEmulator {
  const {
    rateLimitPerMinute = 300,
    idempotencyTtlMs = 24 * 60 * 60 * 1000,
    idempotencyKeysKept = 10_000,
    closed,
  } = options
  const state = createPersonaState(world, options)
  world.personaConnect = {
    redeemShareToken: (tokenId, connectionId, destination) =>
      state.redeemForDestination(tokenId, connectionId, destination),
  }

  const environmentId = world.ids.next('env')
  const organizationId = world.ids.next('org')
  const window = { startedAt: Number.NEGATIVE_INFINITY, count: 0 }
  const idempotency = new Map<string, IdempotencyRecord>()
  const inFlight = new Set<string>()

  const api = new Hono<PersonaEnv>()

  api.onError((error, c) => {
    if (error instanceof PersonaError) return error.toResponse(c)
    // Anything else is an emulator bug; answer in Persona's shape without internals.
    return c.json({ errors: [{ title: 'Internal Server Error' }] }, 500)
  })

  // Authentication comes first and a 401 carries no rate-limit headers (nor counts against them).
  api.use('*', async (c, next) => {
    const match = /^Bearer\s+(\S.*)$/i.exec(c.req.header('Authorization') ?? '')
    if (!match?.[1]?.trim()) return unauthenticated().toResponse(c)
    return next()
  })

  // Every authenticated answer, errors and 429s included, carries these.
  api.use('*', async (c, next) => {
    await next()
    for (const [name, value] of Object.entries(c.get('responseHeaders') ?? {}))
      c.res.headers.set(name, value)
  })

  // Fixed one-minute window for the whole environment, as Persona documents.
  api.use('*', async (c, next) => {
    const now = world.clock.now()
    if (now >= window.startedAt + 60_000) {
      window.startedAt = now
      window.count = 0
    }
    window.count++
    c.set('responseHeaders', {
      'RateLimit-Limit': String(rateLimitPerMinute),
      'RateLimit-Remaining': String(Math.max(0, rateLimitPerMinute - window.count)),
      'RateLimit-Reset': String(Math.max(0, Math.ceil((window.startedAt + 60_000 - now) / 1000))),
      'Request-Id': world.ids.next('req'),
      'Persona-Environment-Id': environmentId,
      'Persona-Organization-Id': organizationId,
    })
    if (window.count <= rateLimitPerMinute) return next()
    return c.json(
      {
        errors: [
          {
            title: 'Rate limit exceeded',
            details: `You have hit your rate limit of ${rateLimitPerMinute} requests / min.`,
          },
        ],
      },
      429,
    )
  })

  // An injected 5xx is rolled behind the idempotency layer, below; the rest happen before Persona.
  api.use(
    '*',
    applyFaults(world, 'persona', { closed, only: ['latency', 'timeout', 'rate_limit'] }),
  )

  // Headers, query and body: validated once, so routes only see well-formed input.
  api.use('*', async (c, next) => {
    const version = c.req.header('Persona-Version')
    if (version !== undefined && !(personaVersions as readonly string[]).includes(version)) {
      throw badRequest(`Persona-Version must be one of ${personaVersions.join(', ')}`)
    }
    const inflection = (c.req.header('Key-Inflection') ?? 'kebab').toLowerCase()
    if (!(keyInflections as readonly string[]).includes(inflection)) {
      throw badRequest('Key-Inflection must be one of camel, kebab, snake')
    }
    c.set('inflection', inflection as KeyInflection)

    c.set(
      'include',
      commaList(c.req.query('include')) ??
        (version !== undefined && version < INCLUDE_ON_REQUEST_SINCE ? ['account'] : null),
    )

    if (c.req.method === 'POST' || c.req.method === 'PATCH' || c.req.method === 'PUT') {
      const text = await c.req.text()
      if (text.trim() !== '') {
        let parsed: unknown
        try {
          parsed = JSON.parse(text)
        } catch {
          throw badRequest('Request body must be valid JSON')
        }
        if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
          throw badRequest('Request body must be a JSON object')
        }
        c.set('body', inflectKeys(parsed, 'kebab'))
      }
    }
    await state.settleDue()
    await next()
  })

  // Persona stores the first answer for an Idempotency-Key (errors, 500s included) and replays it.
  // Answers are kept per key and path (persona.md §7): the same key on another path is a request
  // of its own, where the path is not one of the parameters Persona compares.
  api.use('*', async (c, next) => {
    const header = c.req.header('Idempotency-Key')
    if (c.req.method !== 'POST' || !header) return next()
    const now = world.clock.now()
    const url = new URL(c.req.url)
    const key = JSON.stringify([url.pathname, header])
    const fingerprint = JSON.stringify([url.search, c.get('inflection'), c.get('body') ?? null])
    const stored = idempotency.get(key)
    if (stored && now - stored.storedAt < idempotencyTtlMs) {
      if (stored.fingerprint !== fingerprint) {
        throw conflict('Idempotency-Key was already used with different parameters')
      }
      return new Response(stored.body, {
        status: stored.status,
        headers: { 'Content-Type': 'application/json' },
      })
    }
    if (inFlight.has(key)) throw conflict('A request with this Idempotency-Key is in progress')
    return remember(c, next, key, { fingerprint, storedAt: now })
  })

  api.use('*', applyFaults(world, 'persona', { closed, only: ['error'] }))

  /**
   * Keeps a long-running emulator's memory flat: keys past Persona's 24 h are dropped, and the
   * oldest beyond `idempotencyKeysKept`. The map is in the order keys were stored, so this stops
   * at the first key it keeps instead of reading them all on every request.
   */
  function forgetOldKeys(now: number) {
    for (const [key, record] of idempotency) {
      const expired = now - record.storedAt >= idempotencyTtlMs
      if (!expired && idempotency.size < idempotencyKeysKept) return
      idempotency.delete(key)
    }
  }

  async function remember(
    c: Context<PersonaEnv>,
    next: Next,
    key: string,
    request: Pick<IdempotencyRecord, 'fingerprint' | 'storedAt'>,
  ): Promise<void> {
    inFlight.add(key)
    try {
      await next()
      forgetOldKeys(request.storedAt)
      const body = await c.res.clone().text()
      // Deleted first so a reused (expired) key moves to the end, keeping the map in stored order.
      idempotency.delete(key)
      idempotency.set(key, { ...request, status: c.res.status, body })
    } finally {
      inFlight.delete(key)
    }
  }

  api.route('/inquiries', inquiryRoutes(state))
  api.route('/connect/share-tokens', shareTokenRoutes(state))
  api.route('/cases', caseRoutes(state))
  api.route('/accounts', accountRoutes(state))
  api.route('/transactions', transactionRoutes(state))
  // Unknown paths still pass authentication and the rate limit, as on Persona.
  api.all('*', () => {
    throw notFound()
  })

  const app = new Hono()
  app.route('/api/v1', api)
  // The one-time link's flow, and the page Persona's SDK frames (`/widget`).
  const hosted = new Hono()
    .route('/', personaHostedFlow(state))
    .route('/', personaEmbeddedFlow(state))
  return Object.assign(app, { hosted, state })
}
