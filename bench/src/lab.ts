/**
 * The bench's world: the emulator of both vendors, the Shareflow BFF wired to it, and a host app
 * that mounts the BFF under `/api/shareflow` beside a naive integration under `/api/naive` that
 * follows the vendors' guides step by step. Both integrations reach the same emulator through the
 * same counting `fetch`, with the same injected latency, so their figures compare.
 *
 * @module
 */
import { Hono, type Context } from 'hono'
import { getCookie } from 'hono/cookie'
import {
  createPayoutsModule,
  type Clock,
  type LogFields,
  type Logger,
  type PayoutsModule,
  type ShareflowApp,
  type ShareflowAppOptions,
  createShareflowApp,
  SHAREFLOW_LOGGER,
} from '@shareflow/server'
import {
  createEmulator,
  inquiryFieldsOf,
  kycInfoOf,
  sandboxAccounts,
  sandboxPeople,
  type Emulator,
  type EmulatorClock,
  type SandboxPerson,
} from '@shareflow/server/emulator'

export const PERSONA_API = 'https://api.withpersona.com/api/v1'
export const COINFLOW_API = 'https://api-sandbox.coinflow.cash/api'
export const HOSTED_ORIGIN = 'http://localhost:3000'
export const BFF_ORIGIN = 'http://bench.host'
export const BFF_PREFIX = '/api/shareflow'
export const NAIVE_PREFIX = '/api/naive'

const PERSONA_KEY = 'persona_sandbox_bench'
const PERSONA_WEBHOOK_SECRET = 'wbhsec_bench'
const TEMPLATE_ID = 'itmpl_BenchTemplate0000000001'
const CONNECTION_ID = 'cxn_CoinflowEmulatorConnect01'
const COINFLOW_KEY = 'sk_sandbox_bench'
const COINFLOW_WEBHOOK_KEY = 'whsec_bench'
const MERCHANT_ID = 'shareflow-emulator'

/** The host's own auth: who is signed in comes from its cookie (or, for load tools, a header). */
export const USER_COOKIE = 'bench_user'
export const USER_HEADER = 'x-bench-user'

/** What one BFF request cost upstream, from the BFF's own request log line. */
export interface BffRequestLine {
  method: string
  path: string
  status: number
  upstream: { persona: number; coinflow: number }
}

/** Upstream HTTP attempts as the emulator saw them (retries included). */
export interface EmulatorTraffic {
  persona: number
  coinflow: number
  persona429: number
  coinflow429: number
}

export interface LabOptions {
  /** Added by the emulator to every vendor API answer. */
  vendorLatencyMs?: number
  /** Added by the host to every `/api/*` request: the browser's round trip to the host. */
  hostLatencyMs?: number
  /** How long Coinflow reviews a shared identity, and Persona takes to redeem a token. */
  reviewMs?: number
  /** A clock the bench moves (burst); the system clock otherwise. */
  clock?: EmulatorClock
  /** How the BFF waits (rate budget, retries); paired with `clock` for virtual time. */
  sleep?: (ms: number) => Promise<void>
  /** Emulator heartbeat; off when the bench drives a virtual clock itself. */
  heartbeatMs?: number | false
  /** How often the naive integration polls Coinflow for approval. */
  naivePollMs?: number
  /**
   * Reach the emulator over HTTP at these origins (filled in once its servers listen) instead of
   * in-process, so the BFF pays a real network hop like any other client.
   */
  vendorOrigins?: { persona?: string; coinflow?: string }
  /** The BFF's limit on one request, and on one vendor call (default: the BFF's own). */
  requestTimeoutMs?: number
  upstreamTimeoutMs?: number
  /** The BFF's per-user and per-address request budgets (default: the BFF's own defaults). */
  rateLimits?: ShareflowAppOptions['rateLimits']
}

/** A vendor request the BFF or the naive integration made, as sent. */
export interface RecordedRequest {
  vendor: 'persona' | 'coinflow'
  method: string
  /** Path and query below the vendor's origin. */
  path: string
  headers: Record<string, string>
  body: string | undefined
}

export interface Lab {
  emulator: Emulator
  bff: ShareflowApp
  payouts: PayoutsModule
  /** The host app: `/api/shareflow/*` (BFF), `/api/naive/*` (naive), plus any `extra` routes. */
  host: Hono
  /** Every BFF request line since the last `resetCounters()`. */
  bffLines: BffRequestLine[]
  traffic: EmulatorTraffic
  /** Vendor requests since the last `resetCounters()` (the first 100). */
  vendorRequests: RecordedRequest[]
  resetCounters(): void
  naivePollMs: number
  /** A user with a completed Persona inquiry (reference id = user id), not yet known to Coinflow. */
  seedCompletedInquiry(userId: string): Promise<string>
  /**
   * A user Coinflow verified through its own KYC (no Persona call): the BFF takes Coinflow's
   * approval as it finds it. For load tests, which need many verified users quickly.
   */
  seedVerifiedWithdrawer(userId: string): Promise<void>
  /** A US bank account on the user's Coinflow withdrawer (the user must be registered). */
  seedBankAccount(userId: string): Promise<void>
  /** Calls the host app as `userId` would from a browser on the host's own origin. */
  call(userId: string, path: string, init?: RequestInit): Promise<Response>
  close(): void
}

/** A logger that keeps each request line's upstream counters and drops everything else. */
function createCountingLogger(lines: BffRequestLine[]): Logger {
  const logger: Logger = {
    [SHAREFLOW_LOGGER]: true,
    debug: () => {},
    warn: () => {},
    error: () => {},
    info(message: string, fields?: LogFields) {
      if (message !== 'request' || !fields) return
      const upstream = fields.upstream as BffRequestLine['upstream'] | undefined
      lines.push({
        method: String(fields.method),
        path: String(fields.path),
        status: Number(fields.status),
        upstream: { persona: upstream?.persona ?? 0, coinflow: upstream?.coinflow ?? 0 },
      })
    },
    child: () => logger,
  }
  return logger
}

/** Every bench user is the sandbox's verified US person, with an e-mail of their own. */
const benchPerson = (userId: string): SandboxPerson => ({
  ...sandboxPeople.usVerified,
  email: `${userId}@bench.example`,
})

/** A US identity that passes every check, as Persona's form fields. */
export const identityFields = (userId: string): Record<string, string> =>
  inquiryFieldsOf(benchPerson(userId))

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

export const userOf = (c: Context) => c.req.header(USER_HEADER) ?? getCookie(c, USER_COOKIE)

export function createLab(options: LabOptions = {}): Lab {
  const {
    vendorLatencyMs = 0,
    hostLatencyMs = 0,
    reviewMs = 300,
    naivePollMs = 500,
    clock,
    sleep,
  } = options
  const bffLines: BffRequestLine[] = []
  const traffic: EmulatorTraffic = { persona: 0, coinflow: 0, persona429: 0, coinflow429: 0 }

  let host: Hono
  const emulator = createEmulator({
    seed: 7,
    ...(clock ? { clock } : {}),
    heartbeatMs: options.heartbeatMs ?? (clock ? false : 50),
    hostedOrigin: HOSTED_ORIGIN,
    faults: {
      persona: { latencyMs: vendorLatencyMs },
      coinflow: { latencyMs: vendorLatencyMs },
    },
    persona: {
      webhooks: [
        { url: `${BFF_ORIGIN}${BFF_PREFIX}/webhooks/persona`, secret: PERSONA_WEBHOOK_SECRET },
      ],
      redeemDelayMs: reviewMs,
    },
    coinflow: {
      merchantId: MERCHANT_ID,
      personaConnectionId: CONNECTION_ID,
      shareTokenReviewMs: reviewMs,
      webhook: {
        url: `${BFF_ORIGIN}${BFF_PREFIX}/webhooks/coinflow`,
        validationKey: COINFLOW_WEBHOOK_KEY,
      },
    },
    // Webhooks reach the host in-process, as a vendor's POST would.
    webhookFetch: (input, init) => Promise.resolve(host.fetch(new Request(input, init))),
    webhookRetryTimeScale: 0.001,
  })

  const vendorRequests: RecordedRequest[] = []
  // Cheap on purpose: under load it sits on every vendor call the BFF makes.
  const countingFetch: typeof fetch = async (input, init = {}) => {
    const url = new URL(input instanceof Request ? input.url : input)
    if (input instanceof Request)
      init = {
        method: input.method,
        headers: input.headers,
        body: await input.text(),
        signal: input.signal,
        ...init,
      }
    const vendor = url.href.startsWith(PERSONA_API) ? 'persona' : 'coinflow'
    traffic[vendor]++
    if (vendorRequests.length < 100) {
      vendorRequests.push({
        vendor,
        method: init.method ?? 'GET',
        path: url.pathname + url.search,
        headers: Object.fromEntries(new Headers(init.headers)),
        body: typeof init.body === 'string' ? init.body : undefined,
      })
    }
    const origin = options.vendorOrigins?.[vendor]
    const response = await (origin
      ? fetch(`${origin}${url.pathname}${url.search}`, init)
      : emulator.fetch(url, init))
    if (response.status === 429) traffic[`${vendor}429`]++
    return response
  }

  const clockForBff: Clock | undefined = clock
  // The host's ledger always has the balance: the bench measures the kit, not the host's rules.
  const payouts = createPayoutsModule({
    ledger: {
      authorizePayout: () => ({ ok: true }),
      settlePayout: () => {},
      reversePayout: () => {},
    },
  })
  const bff = createShareflowApp({
    getUser: (c) => {
      const id = userOf(c)
      return id ? { id, email: `${id}@bench.example`, country: 'US' } : null
    },
    persona: {
      apiKey: PERSONA_KEY,
      templateId: TEMPLATE_ID,
      connectionId: CONNECTION_ID,
      baseUrl: PERSONA_API,
      webhookSecrets: [PERSONA_WEBHOOK_SECRET],
    },
    coinflow: {
      apiKey: COINFLOW_KEY,
      merchantId: MERCHANT_ID,
      env: 'sandbox',
      baseUrl: COINFLOW_API,
      uiOrigin: HOSTED_ORIGIN,
      webhookKey: COINFLOW_WEBHOOK_KEY,
    },
    fetch: countingFetch,
    logger: createCountingLogger(bffLines),
    ...(clockForBff ? { clock: clockForBff } : {}),
    upstream: {
      ...(sleep ? { sleep } : {}),
      ...(options.upstreamTimeoutMs === undefined ? {} : { timeoutMs: options.upstreamTimeoutMs }),
    },
    ...(options.requestTimeoutMs === undefined
      ? {}
      : { requestTimeoutMs: options.requestTimeoutMs }),
    kyc: { recheckAfterMs: 60_000 },
    ...(options.rateLimits === undefined ? {} : { rateLimits: options.rateLimits }),
    events: { heartbeatMs: 60_000 },
    modules: [payouts],
  })

  host = new Hono()
  if (hostLatencyMs > 0) {
    // The browser's round trip to the host, on every API request alike (webhooks excluded).
    host.use('/api/*', async (c, next) => {
      if (!c.req.path.includes('/webhooks/')) await delay(hostLatencyMs)
      return next()
    })
  }
  host.route(BFF_PREFIX, bff)
  host.route(NAIVE_PREFIX, createNaiveIntegration(countingFetch))

  const persona = (path: string, init: RequestInit = {}) =>
    emulator.fetch(`${PERSONA_API}${path}`, {
      ...init,
      headers: {
        Authorization: `Bearer ${PERSONA_KEY}`,
        'Content-Type': 'application/json',
        ...init.headers,
      },
    })

  const coinflowSeed = async (userId: string, path: string, body: unknown) => {
    const response = await emulator.fetch(`${COINFLOW_API}${path}`, {
      method: 'POST',
      headers: {
        Authorization: COINFLOW_KEY,
        'x-coinflow-auth-user-id': userId,
        'Content-Type': 'application/json',
      },
      body: JSON.stringify(body),
    })
    if (!response.ok) {
      throw new Error(`seeding ${path} failed: ${response.status} ${await response.text()}`)
    }
  }

  return {
    emulator,
    bff,
    payouts,
    host,
    bffLines,
    traffic,
    vendorRequests,
    naivePollMs,
    resetCounters() {
      bffLines.length = 0
      vendorRequests.length = 0
      Object.assign(traffic, { persona: 0, coinflow: 0, persona429: 0, coinflow429: 0 })
    },
    async seedCompletedInquiry(userId) {
      const created = await persona('/inquiries', {
        method: 'POST',
        body: JSON.stringify({
          data: {
            attributes: {
              'inquiry-template-id': TEMPLATE_ID,
              'reference-id': userId,
              fields: identityFields(userId),
            },
          },
        }),
      })
      if (created.status !== 201 && created.status !== 200) {
        throw new Error(`seeding an inquiry failed: ${created.status} ${await created.text()}`)
      }
      const id = ((await created.json()) as { data: { id: string } }).data.id
      const done = await persona(`/inquiries/${id}/perform-simulate-actions`, {
        method: 'POST',
        body: JSON.stringify({
          meta: { 'simulate-actions': [{ type: 'start_inquiry' }, { type: 'complete_inquiry' }] },
        }),
      })
      if (!done.ok)
        throw new Error(`completing an inquiry failed: ${done.status} ${await done.text()}`)
      return id
    },
    async seedVerifiedWithdrawer(userId) {
      await coinflowSeed(userId, '/withdraw/kyc', {
        info: kycInfoOf(benchPerson(userId)),
      })
    },
    async seedBankAccount(userId) {
      // Another bank than the tests' account: any routing number with a valid checksum links.
      await coinflowSeed(userId, '/withdraw/account', {
        alias: 'Checking',
        ...sandboxAccounts.usChecking,
        routingNumber: '011000015',
        accountNumber: '000123456789',
      })
    },
    call(userId, path, init = {}) {
      const headers = new Headers(init.headers)
      headers.set(USER_HEADER, userId)
      if (init.method && init.method !== 'GET') {
        headers.set('Origin', BFF_ORIGIN)
        headers.set('Content-Type', 'application/json')
      }
      return Promise.resolve(host.fetch(new Request(`${BFF_ORIGIN}${path}`, { ...init, headers })))
    },
    close() {
      emulator.close()
    },
  }
}

/**
 * The integration the vendors' guides describe, one backend endpoint per step: get the withdrawer;
 * if there is none, register with a Persona share token (find the inquiry, mint the token, register);
 * poll the withdrawer until approved; get a session key; render. No cache, no push: each browser
 * request is one or more vendor calls.
 */
export function createNaiveIntegration(vendorFetch: typeof fetch): Hono {
  const app = new Hono()
  const coinflow = (userId: string, path: string, init: RequestInit = {}) =>
    vendorFetch(`${COINFLOW_API}${path}`, {
      ...init,
      headers: {
        Authorization: COINFLOW_KEY,
        'x-coinflow-auth-user-id': userId,
        'Content-Type': 'application/json',
        ...init.headers,
      },
    })
  const persona = (path: string, init: RequestInit = {}) =>
    vendorFetch(`${PERSONA_API}${path}`, {
      ...init,
      headers: {
        Authorization: `Bearer ${PERSONA_KEY}`,
        'Persona-Version': '2025-12-08',
        'Content-Type': 'application/json',
        ...init.headers,
      },
    })

  const requireUser = (c: Context) => {
    const id = userOf(c)
    if (!id) throw new Error('no user')
    return id
  }

  app.get('/withdrawer', async (c) => {
    const response = await coinflow(requireUser(c), '/withdraw')
    if (response.status === 401) return c.json({ registered: false, approved: false })
    const body = (await response.json()) as {
      withdrawer?: { verification?: { status?: string } }
      verification?: { status?: string }
    }
    const status = body.withdrawer?.verification?.status ?? body.verification?.status
    return c.json({ registered: true, approved: status === 'approved', status })
  })

  app.post('/register', async (c) => {
    const userId = requireUser(c)
    const list = await persona(
      `/inquiries?filter[reference-id]=${encodeURIComponent(userId)}&filter[status]=completed,approved`,
    )
    const inquiries = ((await list.json()) as { data: Array<{ id: string }> }).data
    const inquiry = inquiries[0]
    if (!inquiry) return c.json({ error: 'no completed inquiry' }, 409)
    const token = await persona('/connect/share-tokens', {
      method: 'POST',
      headers: { 'Idempotency-Key': `share-${userId}` },
      body: JSON.stringify({
        data: { attributes: { 'connection-id': CONNECTION_ID, 'source-id': inquiry.id } },
      }),
    })
    const shareToken = ((await token.json()) as { data: { id: string } }).data.id
    const registered = await coinflow(userId, '/withdraw/kyc/share-token', {
      method: 'POST',
      body: JSON.stringify({ vendor: 'persona', shareToken, email: `${userId}@bench.example` }),
    })
    return c.json({ status: registered.status }, registered.ok ? 200 : 502)
  })

  app.get('/session-key', async (c) => {
    const response = await coinflow(requireUser(c), '/auth/session-key')
    return c.json((await response.json()) as { key: string })
  })
  return app
}
