/**
 * Property-based fuzzing of every BFF route (and of routes that do not exist) with hostile
 * input: bodies broken one field at a time, malformed and arbitrary JSON, raw Unicode, oversized
 * payloads, wrong content types, bad Idempotency-Keys, odd path segments and queries, foreign
 * origins and unknown sessions. `sendHostile` checks each answer, against the OpenAPI document the
 * running BFF serves too (status listed, body matching); the count is printed at the end. Two
 * spec-driven passes reach what the fuzz cannot: tight rate limits (429) and a store outage (503).
 */
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BFF_ORIGIN, MOUNT } from '../journeys/harness'
import { withShownFee } from '../payouts/shown-fee'
import { createVerifiedWorld, jane, type VerifiedWorld } from '../security/world'
import { headerValue, hostileBody, idempotencyKey, nastyString, pathSegment } from './arbitraries'
import { createMemoryStore } from '../../src/store/memory'
import { StoreUnavailableError } from '../../src/store/types'
import { expectResponseMatchesSpec } from '../openapi'
import {
  createTally,
  loadServedDocument,
  sendHostile,
  summarize,
  type ServedOperation,
} from './harness'

const RUNS = Number(process.env.SHAREFLOW_FUZZ_RUNS ?? 400)
const ghost = { id: 'user-ghost', email: 'ghost@example.com' }

let world: VerifiedWorld
let payoutId = ''
const tally = createTally()

beforeAll(async () => {
  // The limits would answer most of these 429 long before the routes saw them.
  world = await createVerifiedWorld({ app: { rateLimits: false } })
  world.harness.signIn(ghost)
  payoutId = (await world.payout(12_00, 'fuzz-known-payout-1')).id
  // Let the payout's own Withdraw Pending webhook land first, so it is not mistaken for a trace.
  await world.harness.advance(0)
  await loadServedDocument(world)
}, 60_000)

afterAll(() => {
  console.log(`fuzz (BFF routes): ${summarize(tally)}`)
  world?.harness.close()
})

/** Who the request claims to be, where it claims to come from, and how its body is labelled. */
const context = fc.record({
  session: fc.oneof(
    { weight: 6, arbitrary: fc.constant(jane.id) },
    { weight: 1, arbitrary: fc.constant(ghost.id) },
    { weight: 1, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: headerValue },
  ),
  origin: fc.oneof(
    { weight: 5, arbitrary: fc.constant(undefined) },
    { weight: 2, arbitrary: fc.constant(BFF_ORIGIN) },
    {
      weight: 1,
      arbitrary: fc.constantFrom('https://evil.test', 'null', `${BFF_ORIGIN}.evil.test`),
    },
  ),
  site: fc.constantFrom(undefined, undefined, 'same-origin', 'cross-site', 'none'),
  contentType: fc.constantFrom(
    'application/json',
    'application/json',
    undefined,
    'text/plain',
    'application/json; charset=utf-16',
    'multipart/form-data; boundary=x',
    'application/x-www-form-urlencoded',
  ),
  oversized: fc.oneof(
    { weight: 19, arbitrary: fc.constant(false) },
    { weight: 1, arbitrary: fc.constant(true) },
  ),
})

type Context = typeof context extends fc.Arbitrary<infer T> ? T : never

const headersOf = (ctx: Context, extra: Record<string, string | undefined> = {}) => ({
  'x-host-session': ctx.session,
  Origin: ctx.origin,
  'Sec-Fetch-Site': ctx.site,
  'Content-Type': ctx.contentType,
  ...extra,
})

const padded = (body: string | undefined, ctx: Context) =>
  ctx.oversized ? `${body ?? ''}${' '.repeat(70 * 1024)}` : body

/** Runs `RUNS` hostile requests at one route. */
async function fuzzRoute(
  method: string,
  path: () => fc.Arbitrary<string>,
  validBody?: () => Parameters<typeof hostileBody>[0],
  extraHeaders: fc.Arbitrary<Record<string, string | undefined>> = fc.constant({}),
) {
  await fc.assert(
    fc.asyncProperty(
      path(),
      hostileBody(validBody?.()),
      context,
      extraHeaders,
      async (where, body, ctx, extra) => {
        await sendHostile(
          world,
          tally,
          {
            method,
            path: where,
            body: method === 'GET' || method === 'DELETE' ? undefined : padded(body, ctx),
            headers: headersOf(ctx, extra),
          },
          matchesDocument,
        )
      },
    ),
    { numRuns: RUNS },
  )
}

/** Every answer must be one the BFF's own OpenAPI document lists, with a body matching it. */
const matchesDocument = { matchesDocument: true }

const fixed = (path: string) => () => fc.constant(path)
const money = (cents: number) => ({ cents, currency: 'USD' })

describe('fuzzing every BFF route', () => {
  it('GET /session', () => fuzzRoute('GET', fixed('/session')))

  it('GET /events, with any Last-Event-ID', () =>
    fuzzRoute(
      'GET',
      fixed('/events'),
      undefined,
      fc.record({ 'Last-Event-ID': fc.option(headerValue, { nil: undefined }) }),
    ))

  it('POST /kyc/share', () => fuzzRoute('POST', fixed('/kyc/share'), () => ({})))

  it('POST /kyc/inquiry', () => fuzzRoute('POST', fixed('/kyc/inquiry'), () => ({})))

  it('GET /destinations', () => fuzzRoute('GET', fixed('/destinations')))

  it('POST /destinations/iban', () =>
    fuzzRoute('POST', fixed('/destinations/iban'), () => ({
      number: 'DE89370400440532013000',
      alias: 'Euro',
    })))

  it('POST /destinations/pix', () =>
    fuzzRoute('POST', fixed('/destinations/pix'), () => ({ pixKey: '40882598074' })))

  it('POST /destinations/card', () =>
    fuzzRoute('POST', fixed('/destinations/card'), () => ({
      cardToken: 'tok_fuzz',
      expMonth: '12',
      expYear: '30',
    })))

  it('DELETE /destinations/:id', () =>
    fuzzRoute('DELETE', () => pathSegment.map((id) => `/destinations/${id}`)))

  it('POST /quotes', () =>
    fuzzRoute('POST', fixed('/quotes'), () => ({
      amount: money(100_00),
      destinationId: world.bank.id,
    })))

  it('POST /payouts, with any Idempotency-Key', async () => {
    // A valid request to mutate: at the fee the quote shows, as the kit sends it.
    const valid = await withShownFee((quote) => world.harness.as(jane.id).post('/quotes', quote), {
      amount: money(1_00),
      speed: 'asap',
      destinationId: world.bank.id,
    })
    await fuzzRoute(
      'POST',
      fixed('/payouts'),
      () => structuredClone(valid) as Parameters<typeof hostileBody>[0],
      fc.record({ 'Idempotency-Key': idempotencyKey }),
    )
  })

  it('GET /payouts, with any query', () =>
    fuzzRoute('GET', () =>
      fc
        .record({
          before: fc.option(nastyString, { nil: undefined }),
          limit: fc.option(fc.oneof(nastyString, fc.integer().map(String)), { nil: undefined }),
          extra: fc.option(nastyString, { nil: undefined }),
        })
        .map(({ before, limit, extra }) => {
          const query = new URLSearchParams()
          const safe = (s: string) => s.replace(/[\ud800-\udfff]/g, '?')
          if (before !== undefined) query.set('before', safe(before))
          if (limit !== undefined) query.set('limit', safe(limit))
          if (extra !== undefined) query.set(safe(extra) || 'x', '1')
          return `/payouts?${query}`
        }),
    ))

  it('GET /payouts/:id', () =>
    fuzzRoute('GET', () =>
      fc.oneof(
        pathSegment.map((id) => `/payouts/${id}`),
        fc.constant(`/payouts/${payoutId}`),
        fc.constant(`/payouts/${payoutId}%00`),
      ),
    ))

  it('any method at any path', () =>
    fuzzRoute(
      'POST',
      () =>
        fc
          .tuple(fc.array(pathSegment, { minLength: 1, maxLength: 4 }), fc.boolean())
          .map(([segments, trailing]) => `/${segments.join('/')}${trailing ? '/' : ''}`),
      () => ({}),
    ).then(async () => {
      for (const method of ['PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD', 'QUERY']) {
        for (const path of ['/session', '/payouts', '/kyc/share', '/webhooks/persona']) {
          await sendHostile(
            world,
            tally,
            {
              method,
              path,
              headers: { 'x-host-session': jane.id },
            },
            matchesDocument,
          )
        }
      }
    }))

  it('left the prototype of every object alone', () => {
    expect(Object.keys(Object.prototype)).toEqual([])
    expect(({} as Record<string, unknown>).admin).toBeUndefined()
    expect(tally.requests).toBeGreaterThanOrEqual(RUNS * 14)
  })
})

describe('under tight rate limits, every operation the served document has', () => {
  const ADDRESS_HEADER = 'x-fuzz-address'
  let limited: VerifiedWorld
  let operations: ServedOperation[] = []
  const limitedTally = createTally()

  beforeAll(async () => {
    // One request per address per minute; the world's own setup carries no address, so only the
    // requests below are counted.
    limited = await createVerifiedWorld({
      app: {
        rateLimits: {
          perUser: false,
          perAddress: { limit: 1, windowMs: 60_000 },
          clientAddress: (c) => c.req.header(ADDRESS_HEADER) ?? null,
        },
      },
    })
    operations = await loadServedDocument(limited)
  }, 60_000)

  afterAll(() => limited?.harness.close())

  it('answers a second request from the same address 429, as the document lists, or is a probe the limits do not see', async () => {
    const limitedOnes = operations.filter((o) => o.statuses.includes('429'))
    expect(limitedOnes.length).toBeGreaterThan(10)
    for (const [n, operation] of operations.entries()) {
      const request = operation.request({
        'x-host-session': jane.id,
        [ADDRESS_HEADER]: `203.0.113.${n + 1}`,
      })
      await sendHostile(limited, limitedTally, request, matchesDocument)
      const second = await sendHostile(limited, limitedTally, request, matchesDocument)
      expect(second.status === 429, `${operation.method} ${operation.template}`).toBe(
        limitedOnes.includes(operation),
      )
    }
  })
})

describe('with the store down, every operation the served document has', () => {
  let down = false
  const memory = createMemoryStore()
  // Every store call fails as a lost Redis connection does, for as long as `down` is set.
  const store = new Proxy(memory, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver) as unknown
      if (typeof value !== 'function') return value
      return (...args: unknown[]) =>
        down
          ? Promise.reject(new StoreUnavailableError('connection lost', { retryAfterSeconds: 2 }))
          : (value as (...a: unknown[]) => unknown).apply(target, args)
    },
  })
  let outage: VerifiedWorld
  let operations: ServedOperation[] = []

  beforeAll(async () => {
    outage = await createVerifiedWorld({ store, app: { rateLimits: false } })
    operations = await loadServedDocument(outage)
  }, 60_000)

  afterAll(() => {
    down = false
    outage?.harness.close()
  })

  it('answers as the document lists, 503 wherever it needs the store', async () => {
    const statuses = new Map<string, number>()
    down = true
    for (const operation of operations) {
      // Not `sendHostile`: its before-and-after snapshots read the store, which is down.
      const { method, path, headers, body } = operation.request({ 'x-host-session': jane.id })
      const answer = await outage.harness.host.request(`${BFF_ORIGIN}${MOUNT}${path}`, {
        method,
        headers: headers as Record<string, string>,
        ...(body === undefined ? {} : { body }),
      })
      const isStream = answer.headers.get('Content-Type')?.startsWith('text/event-stream')
      if (isStream) await answer.body?.cancel()
      const text = isStream ? '' : await answer.text()
      expectResponseMatchesSpec('shareflow', {
        method,
        path: `${MOUNT}${path}`,
        status: answer.status,
        body: text === '' ? undefined : JSON.parse(text),
      })
      statuses.set(`${method} ${operation.template}`, answer.status)
    }
    down = false
    // The user's own records are in the store; the probes and this document are not.
    expect(statuses.get('GET /session')).toBe(503)
    expect(statuses.get('GET /payouts')).toBe(503)
    expect(statuses.get('GET /readyz')).toBe(503)
    expect(statuses.get('GET /healthz')).toBe(200)
  })
})
