/**
 * @module
 * The Persona + Coinflow sandbox emulator: two Hono apps sharing one in-memory world (so a Persona
 * share token can be redeemed by the Coinflow side), their hosted pages, signed webhooks with
 * retries, faults on demand and a movable clock. Web Standards only; see README.md beside this file.
 *
 * @example
 * const emulator = createEmulator({ seed: 1, clock: createManualClock() })
 * const persona = createPersonaClient({ fetch: emulator.fetch }) // https://api.withpersona.com
 * emulator.clock.advance(3_000)
 * await emulator.flush()
 */
import { Hono } from 'hono'
import {
  COINFLOW_PERSONA_CONNECTION_ID,
  createCoinflowEmulator,
  type CoinflowEmulator,
  type CoinflowEmulatorOptions,
} from './coinflow'
import { createControlApp } from './control'
import { applyFaults } from './faults'
import { escapeHtml } from './html'
import { createPersonaEmulator, type PersonaEmulator, type PersonaEmulatorOptions } from './persona'
import {
  EMULATOR_KYB_TRANSACTION_TYPE,
  EMULATOR_KYB_TRANSACTION_TYPE_ID,
} from './persona/transaction-workflow'
import { createWebhookDispatcher, type EmulatorWebhookDispatcher } from './webhooks'
import {
  createIds,
  createRandom,
  noFaults,
  randomSeed,
  systemClock,
  type EmulatorClock,
  type EmulatorWorld,
  type FaultSettings,
  type Vendor,
} from './world'

export { createManualClock, noFaults, systemClock } from './world'
export type { EmulatorClock, EmulatorWorld, FaultSettings, Vendor } from './world'
export { magicLastNames, personaVersions, type PersonaWebhookTarget } from './persona'
export {
  EMULATOR_KYB_TRANSACTION_TYPE,
  EMULATOR_KYB_TRANSACTION_TYPE_ID,
  MAGIC_OWNER_PEP,
  MAGIC_TIN_FAILS,
  magicBusinessWords,
  type TransactionType,
} from './persona/transaction-workflow'
export {
  inquiryFieldsOf,
  kycInfoOf,
  sandboxAccounts,
  sandboxBusinesses,
  sandboxPeople,
  type SandboxPerson,
} from './sandbox-people'
export { applyFaults } from './faults'
export { retrySchedules, type WebhookDeliveryRecord } from './webhooks'

export interface EmulatorOptions {
  /**
   * Seeds ids and fault rolls; the same seed and inputs give the same run. Default: one drawn at
   * random (`world.seed`, also in `GET /__emulator`), so unseeded emulators never share ids.
   */
  seed?: number
  /** Default: the system clock. Pass `createManualClock()` in tests. */
  clock?: EmulatorClock
  /** `fetch` routes this origin to the Persona app. Default `https://api.withpersona.com`. */
  personaBaseUrl?: string
  /** `fetch` routes this origin to the Coinflow app. Default `https://api-sandbox.coinflow.cash`. */
  coinflowBaseUrl?: string
  /**
   * Origin of the hosted pages (Persona's inquiry flow, Coinflow's withdraw and verification
   * pages). Default `http://localhost:3000`, the only origin `CoinflowWithdraw env="local"` trusts.
   */
  hostedOrigin?: string
  persona?: Omit<PersonaEmulatorOptions, 'hostedOrigin' | 'closed'>
  coinflow?: Omit<CoinflowEmulatorOptions, 'uiOrigin'>
  /** Delivers webhooks. Default: the global fetch. */
  webhookFetch?: typeof fetch
  /** Scales the vendors' webhook retry schedules (1 = real). Default 0.001. */
  webhookRetryTimeScale?: number
  /**
   * Real milliseconds a webhook attempt may take before it is aborted and counted as failed (then
   * retried on the vendor's schedule). Default 5 000.
   */
  webhookAttemptTimeoutMs?: number
  /**
   * Webhook attempts in flight at once. Default 1: receivers see deliveries one at a time, in the
   * order they were raised (faults aside). The vendors deliver in parallel; raise it when a busy
   * emulator's queue grows faster than a slow receiver answers (the soak uses 32).
   */
  webhookConcurrency?: number
  /**
   * Finished webhook deliveries kept for `webhooks.deliveries()` and `GET /__emulator/webhooks`,
   * newest first; deliveries still waiting are always kept. Default 1 000.
   */
  retainWebhookDeliveries?: number
  /** Faults from the start; the control endpoint can change them later. */
  faults?: Partial<Record<Vendor, Partial<FaultSettings>>>
  /**
   * Real-time interval (ms) at which due work runs (redemptions finishing, payouts settling,
   * webhook retries). Default 100 with the system clock, off with any other clock: tests move
   * their clock and call `runDue()` or `flush()`.
   */
  heartbeatMs?: number | false
}

/** The emulator clock, movable even when it follows the system time. */
export interface MovableClock extends EmulatorClock {
  advance(ms: number): void
  set(ms: number): void
}

export interface Emulator {
  world: EmulatorWorld
  /** Persona's API under `/api/v1`, plus `/__emulator`. */
  persona: Hono
  /** Coinflow's API under `/api`, plus `/__emulator`. */
  coinflow: Hono
  /**
   * Hosted pages (`/persona/verify`, Persona's embedded `/widget`, `/solana/withdraw/:merchantId`,
   * …), plus `/__emulator`.
   */
  hosted: Hono
  /** The control endpoint alone (also mounted at `/__emulator` on the three apps). */
  control: Hono
  /** A `fetch` that answers requests to the Persona, Coinflow and hosted origins; others throw. */
  fetch: typeof fetch
  clock: MovableClock
  webhooks: EmulatorWebhookDispatcher
  /** Runs everything the clock has reached: Persona and Coinflow transitions, webhook attempts. */
  runDue(): Promise<void>
  /** `runDue()`, then every queued webhook delivery and retry (retries fast-forwarded). */
  flush(): Promise<void>
  /** Back to an empty world with the original seed, options and faults; the clock is kept. */
  reset(): void
  /**
   * Stops the heartbeat, aborts the webhook attempt on its way (no other starts) and releases
   * requests hanging on a timeout fault.
   */
  close(): void
}

/** Wraps any clock with an offset, so the control endpoint can move time even on the system clock. */
function movable(base: EmulatorClock): MovableClock {
  let offset = 0
  return {
    now: () => base.now() + offset,
    advance: (ms) => {
      offset += ms
    },
    set: (ms) => {
      offset = ms - base.now()
    },
  }
}

const originOf = (url: string) => new URL(url).origin

/**
 * The hosted origin's own page. Every hosted page is reached from a link an API hands out, so a
 * person who opens `pnpm emulator`'s printed URL is told how to get one rather than shown a 404.
 */
function hostedHomePage(where: { personaApi: string; coinflowApi: string; merchantId: string }) {
  const code = (text: string) => `<code>${escapeHtml(text)}</code>`
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Shareflow emulator · hosted pages</title></head>
<body>
<h1>Shareflow emulator: hosted pages</h1>
<p>Each page here opens from a link one of the emulated APIs hands out:</p>
<ul>
<li><strong>Persona's inquiry flow</strong> (${code('/persona/verify')}): the ${code('one-time-link')} from ${code(`POST ${where.personaApi}/inquiries/<inquiry-id>/generate-one-time-link`)}.</li>
<li><strong>Coinflow's withdraw page</strong>: ${code(`/solana/withdraw/${where.merchantId}?sessionKey=<key>`)}, with a key from ${code(`GET ${where.coinflowApi}/auth/session-key`)} for an approved withdrawer.</li>
<li><strong>Coinflow's verification page</strong> (${code('/verification/<id>')}): the ${code('verificationLink')} of a ${code('451')} from ${code(`GET ${where.coinflowApi}/withdraw`)}.</li>
</ul>
<p>Faults, the clock and webhook deliveries: <a href="/__emulator">/__emulator</a>.</p>
</body>
</html>
`
}

export function createEmulator(options: EmulatorOptions = {}): Emulator {
  const {
    seed = randomSeed(),
    clock: baseClock = systemClock,
    personaBaseUrl = 'https://api.withpersona.com',
    coinflowBaseUrl = 'https://api-sandbox.coinflow.cash',
    hostedOrigin = 'http://localhost:3000',
    webhookRetryTimeScale,
    webhookAttemptTimeoutMs,
    retainWebhookDeliveries,
    webhookConcurrency,
    heartbeatMs = baseClock === systemClock ? 100 : false,
  } = options
  const clock = movable(baseClock)
  const closing = new AbortController()

  const initialFaults = (): Record<Vendor, FaultSettings> => ({
    persona: { ...noFaults, ...options.faults?.persona },
    coinflow: { ...noFaults, ...options.faults?.coinflow },
  })

  const random = createRandom(seed)
  // The world is one object for the emulator's whole life; reset() refills it in place, so
  // everything holding a reference keeps working.
  const world: EmulatorWorld = {
    seed,
    clock,
    random,
    ids: createIds(random),
    faults: initialFaults(),
    webhooks: undefined as unknown as EmulatorWorld['webhooks'],
    personaConnect: {
      redeemShareToken: async () => ({ ok: false, reason: 'not_found' }),
    },
  }
  const webhooks = createWebhookDispatcher({
    clock,
    random: () => world.random(),
    faults: (vendor) => world.faults[vendor],
    fetch: options.webhookFetch,
    retryTimeScale: webhookRetryTimeScale,
    attemptTimeoutMs: webhookAttemptTimeoutMs,
    concurrency: webhookConcurrency,
    retainDeliveries: retainWebhookDeliveries,
  })
  world.webhooks = webhooks

  let persona: PersonaEmulator
  let coinflow: CoinflowEmulator
  const build = () => {
    persona = createPersonaEmulator(world, {
      ...options.persona,
      connections: [
        options.coinflow?.personaConnectionId ?? COINFLOW_PERSONA_CONNECTION_ID,
        ...(options.persona?.connections ?? []),
      ],
      transactionTypes: {
        [EMULATOR_KYB_TRANSACTION_TYPE_ID]: EMULATOR_KYB_TRANSACTION_TYPE,
        ...options.persona?.transactionTypes,
      },
      hostedOrigin,
      closed: closing.signal,
    })
    coinflow = createCoinflowEmulator(world, {
      ...options.coinflow,
      uiOrigin: hostedOrigin,
      middleware: [applyFaults(world, 'coinflow', { closed: closing.signal })],
    })
  }
  build()

  const runDue = async () => {
    await persona.state.settleDue()
    await coinflow.runDue()
    await persona.state.signed()
    await webhooks.runDue()
  }

  const flush = async () => {
    await runDue()
    await webhooks.flush()
  }

  const reset = () => {
    const fresh = createRandom(seed)
    world.random = fresh
    world.ids = createIds(fresh)
    world.faults = initialFaults()
    webhooks.reset()
    build()
  }

  const control = createControlApp({ world, webhooks, clock, runDue, flush, reset })

  // Outer apps delegate to the current inner ones, so reset() swaps state under stable references.
  const facade = (
    inner: () => { fetch: (request: Request) => Response | Promise<Response> },
    home?: () => string,
  ) => {
    const app = new Hono()
    app.route('/__emulator', control)
    if (home)
      app.get('/', (c) => c.html(home(), 200, { 'Content-Security-Policy': "default-src 'none'" }))
    app.all('*', (c) => inner().fetch(c.req.raw))
    return app
  }
  const personaApp = facade(() => persona)
  const coinflowApp = facade(() => coinflow.api)
  const hostedHome = () =>
    hostedHomePage({
      personaApi: `${originOf(personaBaseUrl)}/api/v1`,
      coinflowApi: `${originOf(coinflowBaseUrl)}/api`,
      merchantId: coinflow.state.merchantId,
    })
  const hostedApp = facade(
    () => ({
      fetch: async (request: Request) => {
        const path = new URL(request.url).pathname
        // Persona's SDK asks its host for `/widget` and `/preload` at the root (`embedded.ts`).
        return path.startsWith('/persona/') || path === '/widget' || path === '/preload'
          ? persona.hosted.fetch(request)
          : coinflow.hosted.fetch(request)
      },
    }),
    hostedHome,
  )

  const routes = new Map<string, Hono>([
    [originOf(personaBaseUrl), personaApp],
    [originOf(coinflowBaseUrl), coinflowApp],
    [originOf(hostedOrigin), hostedApp],
  ])

  const emulatorFetch: typeof fetch = async (input, init) => {
    const request = new Request(input, init)
    const app = routes.get(new URL(request.url).origin)
    if (!app) {
      // Never fall through to the network: a test or a demo must not reach a real vendor by accident.
      throw new TypeError(`The emulator does not serve ${new URL(request.url).origin}`)
    }
    return app.fetch(request)
  }

  const heartbeat =
    heartbeatMs === false
      ? undefined
      : setInterval(() => {
          runDue().catch(() => undefined)
        }, heartbeatMs)
  // On Node, a forgotten close() must not keep the process alive (browsers have no unref).
  ;(heartbeat as { unref?: () => void } | undefined)?.unref?.()

  return {
    world,
    persona: personaApp,
    coinflow: coinflowApp,
    hosted: hostedApp,
    control,
    fetch: emulatorFetch,
    clock,
    webhooks,
    runDue,
    flush,
    reset,
    close() {
      if (heartbeat !== undefined) clearInterval(heartbeat)
      webhooks.close()
      closing.abort()
    },
  }
}
