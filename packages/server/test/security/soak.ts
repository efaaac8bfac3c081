/**
 * A bounded soak: the BFF (payouts included, on the durable file store) served over real HTTP on
 * loopback, the emulator in process on the system clock with faults switched on, and a steady
 * crowd of users walking the identity journeys, keeping event streams open, linking a bank,
 * quoting and paying out (double clicks and retries included) for a fixed time. Then everything
 * is closed and the books are checked.
 *
 * Reports: requests and statuses, payouts by final state, payouts lost (accepted by the BFF but
 * never finished, or unknown to it) and doubled (more than one Coinflow payout per key, or a
 * host debit twice), the host ledger against Coinflow, heap and RSS sampled after a full GC every
 * few seconds through the run and once everything is closed, event streams still subscribed,
 * webhook deliveries waiting in the emulator, and Node's active timers and handles before and
 * after.
 *
 * Run it with `node scripts/soak.mjs` (a few minutes) or `--quick`; `soak.test.ts` runs a short one.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { Payout, Quote, Session } from '@shareflow/contract'
import type { Context } from 'hono'
import { createShareflowApp } from '../../src/app'
import { createEmulator, noFaults, type FaultSettings } from '../../src/emulator'
import { createJsonLogger } from '../../src/logger'
import { createFileStore } from '../../src/node/file-store'
import { serveShareflow } from '../../src/node/serve'
import type { PayoutHostLedger } from '../../src/payouts/host-ledger'
import { createPayoutsModule } from '../../src/payouts/module'
import type { ShareflowStore } from '../../src/store/types'

export interface SoakOptions {
  /** How long the steady load runs. */
  durationMs: number
  /** Users walking journeys and paying out at once. */
  users: number
  /** Pause between one user's actions (the load is steady, not a burst). Default 50 ms. */
  thinkMs?: number
  /** Emulator faults during the run. */
  faults?: Partial<FaultSettings>
  /** Progress lines (one every ~10 s). */
  log?: (line: string) => void
}

export interface SoakReport {
  durationMs: number
  users: number
  requests: number
  requestsPerSecond: number
  statuses: Record<string, number>
  faults: Partial<FaultSettings>
  /** Vendor answers the faults spoiled (5xx, 429, timeouts), all absorbed by the BFF. */
  vendorFaults: number
  payouts: {
    accepted: number
    succeeded: number
    failed: number
    refused: number
    unfinished: number
    /** Accepted by the BFF, then unknown to it or never finished. */
    lost: number
    /** Keys with more than one Coinflow payout, plus payouts the host debited twice. */
    doubled: number
    /** Users whose host balance differs from opening − settled − in flight. */
    ledgerMismatches: number
  }
  memory: {
    /** Before the BFF and emulator existed. */
    heapBeforeMb: number
    /** Sampled after a full GC through the run, from the moment faults come on. */
    samples: MemorySample[]
    /** Once the BFF, its store, the emulator and every client are closed and dropped. */
    heapAtEndMb: number
    rssBeforeMb: number
    rssAtEndMb: number
  }
  /** Webhook deliveries the emulator still had waiting (queued or retrying) when the load stopped. */
  webhooksWaiting: number
  /** What the run keeps for good, counted once every payout settled. */
  durable: {
    storeKeys: number
    /** The store's keys and values, in MB of text. */
    storeTextMb: number
    coinflowPayouts: number
    webhookDeliveriesKept: number
    webhookDeliveriesForgotten: number
  }
  /** Requests (the crowd's, the vendors' webhooks) still unanswered once everything closed. */
  pendingRequests: string[]
  /** Event-stream subscriptions still held by the BFF once every client has gone. */
  openEventStreams: number
  /** Peak event streams open at once during the run. */
  peakEventStreams: number
  timers: { before: number; after: number }
  handles: { before: number; after: number; added: string[] }
}

export interface MemorySample {
  /** Seconds since the load started. */
  atSeconds: number
  heapMb: number
  rssMb: number
  /** Payouts the BFF had accepted so far: what the durable records grow with. */
  payouts: number
  /** Webhook deliveries waiting in the emulator (queued or retrying). */
  webhooksWaiting: number
  /** Live keys in the BFF's store (which the file store also holds in memory, by design). */
  storeKeys: number
}

const PERSONA = 'https://api.withpersona.com'
const COINFLOW = 'https://api-sandbox.coinflow.cash'
const HOSTED = 'http://localhost:3000'
const OPENING_CENTS = 50_000_00
const keys = {
  personaApiKey: 'persona_sandbox_soak_key_0001',
  personaWebhookSecret: 'wbhsec_soak_secret_0001',
  templateId: 'itmpl_SoakTemplate0000000001',
  connectionId: 'cxn_SoakCoinflowConnection01',
  merchantId: 'shareflow-soak',
  coinflowApiKey: 'coinflow_sandbox_soak_key_0001',
  coinflowWebhookKey: 'coinflow_validation_key_soak',
}

const identity = {
  'name-first': 'Sam',
  'name-last': 'Soak',
  birthdate: '1988-02-03',
  'address-street-1': '1 Main St',
  'address-city': 'Austin',
  'address-subdivision': 'Texas',
  'address-postal-code': '78701',
  'address-country-code': 'US',
  'identification-number': '123-45-1234',
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10

function activeCount(kind: string): number {
  return process.getActiveResourcesInfo().filter((resource) => resource === kind).length
}

/** Node's collector, exposed at run time when the process was not started with `--expose-gc`. */
function collector(): () => void {
  const exposed = (globalThis as { gc?: () => void }).gc
  if (exposed) return exposed
  setFlagsFromString('--expose-gc')
  return runInNewContext('gc') as () => void
}

async function settledMemory() {
  const gc = collector()
  for (let i = 0; i < 3; i++) {
    gc()
    await sleep(50)
  }
  return process.memoryUsage()
}

/** A host ledger kept the way `host-ledger.ts` asks: one entry per payout id. */
function createSoakLedger() {
  const balances = new Map<string, number>()
  const entries = new Map<
    string,
    { userId: string; cents: number; state: 'debited' | 'settled' | 'reversed' }
  >()
  let repeatedDebits = 0
  const ledger: PayoutHostLedger = {
    authorizePayout({ user, amount, payoutId }) {
      if (entries.has(payoutId)) {
        repeatedDebits++
        return { ok: true }
      }
      const available = balances.get(user.id) ?? 0
      if (available < amount.cents) return { ok: false, reason: 'Your balance is too low.' }
      balances.set(user.id, available - amount.cents)
      entries.set(payoutId, { userId: user.id, cents: amount.cents, state: 'debited' })
      return { ok: true }
    },
    settlePayout({ payoutId }) {
      const entry = entries.get(payoutId)
      if (entry && entry.state === 'debited') entry.state = 'settled'
    },
    reversePayout({ payoutId }) {
      const entry = entries.get(payoutId)
      if (entry && entry.state === 'debited') {
        entry.state = 'reversed'
        balances.set(entry.userId, (balances.get(entry.userId) ?? 0) + entry.cents)
      }
    },
  }
  return { ledger, balances, entries, repeatedDebits: () => repeatedDebits }
}

/** Counts the event-stream subscriptions the BFF holds on its store. */
function countingSubscriptions(store: ShareflowStore) {
  let open = 0
  let peak = 0
  const counted: ShareflowStore = {
    ...store,
    get: (key) => store.get(key),
    async subscribe(channel, listener) {
      const unsubscribe = await store.subscribe(channel, listener)
      open++
      peak = Math.max(peak, open)
      let closed = false
      return async () => {
        if (!closed) {
          closed = true
          open--
        }
        await unsubscribe()
      }
    },
  }
  return { store: counted, open: () => open, peak: () => peak }
}

type SoakRun = Omit<SoakReport, 'memory' | 'timers' | 'handles'> & { samples: MemorySample[] }

export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const before = await settledMemory()
  const timersBefore = activeCount('Timeout')
  const handlesBefore = process.getActiveResourcesInfo()
  const { samples, ...run } = await soak(options)
  // Everything the run built is out of scope now: what the heap still holds, something kept.
  await sleep(1_500)
  const end = await settledMemory()
  const handlesAfter = process.getActiveResourcesInfo()
  return {
    ...run,
    memory: {
      heapBeforeMb: mb(before.heapUsed),
      samples,
      heapAtEndMb: mb(end.heapUsed),
      rssBeforeMb: mb(before.rss),
      rssAtEndMb: mb(end.rss),
    },
    timers: { before: timersBefore, after: activeCount('Timeout') },
    handles: {
      before: handlesBefore.length,
      after: handlesAfter.length,
      added: added(handlesBefore, handlesAfter),
    },
  }
}

/** Resource kinds present after but not before (stdout's handle appears on first write). */
function added(before: string[], after: string[]): string[] {
  const left = [...before]
  return after.filter((kind) => {
    const at = left.indexOf(kind)
    if (at === -1) return true
    left.splice(at, 1)
    return false
  })
}

async function soak(options: SoakOptions): Promise<SoakRun> {
  const { durationMs, users, thinkMs = 50, log = () => {} } = options
  const faults: Partial<FaultSettings> = options.faults ?? {
    latencyMs: 3,
    errorRate: 0.05,
    rateLimitRate: 0.03,
    timeoutRate: 0.01,
    webhookDropRate: 0.1,
    webhookDuplicateRate: 0.1,
    webhookReorderRate: 0.1,
  }
  const directory = mkdtempSync(path.join(tmpdir(), 'shareflow-soak-'))

  let bffUrl = ''
  // Requests still unanswered when the run ends: a hang, or something holding the process.
  const inFlight = new Map<number, string>()
  let nextRequest = 0
  const tracked = <T>(what: string, request: Promise<T>): Promise<T> => {
    const id = nextRequest++
    inFlight.set(id, what)
    return request.finally(() => inFlight.delete(id))
  }
  const emulator = createEmulator({
    seed: 11,
    hostedOrigin: HOSTED,
    heartbeatMs: 50,
    // In parallel, as the vendors deliver: one at a time, the BFF's ~0.5 s per payout webhook
    // under this load (its store's fsyncs, the wait for a payout's lease) grew the queue for good.
    webhookConcurrency: 32,
    // The dispatcher gives each attempt its own deadline (and aborts it when the emulator closes)
    // through `init.signal`; wrapping that signal again, as this soak once did with
    // AbortSignal.any, is what let a collected timeout leave a delivery waiting for good.
    webhookFetch: (input, init) => {
      const url = new URL(input instanceof Request ? input.url : String(input))
      return tracked(`webhook ${url.pathname}`, fetch(`${bffUrl}${url.pathname}`, init))
    },
    persona: {
      webhooks: [{ url: 'http://bff.soak/webhooks/persona', secret: keys.personaWebhookSecret }],
      redeemDelayMs: 200,
    },
    coinflow: {
      merchantId: keys.merchantId,
      personaConnectionId: keys.connectionId,
      shareTokenReviewMs: 500,
      webhook: { url: 'http://bff.soak/webhooks/coinflow', validationKey: keys.coinflowWebhookKey },
    },
  })

  // Every payout Coinflow made, as its answers said: key and signature.
  const coinflowAnswers: Array<{ key: string; signature: string }> = []
  let vendorFaults = 0
  const vendorFetch: typeof fetch = async (input, init) => {
    const response = await emulator.fetch(input, init).catch((error: unknown) => {
      vendorFaults++
      throw error
    })
    if (response.status === 429 || response.status >= 500) vendorFaults++
    const url = input instanceof Request ? input.url : String(input)
    if (response.ok && /\/payout\/delegated$/.test(new URL(url).pathname)) {
      const key = new Headers(init?.headers).get('Idempotency-Key') ?? ''
      const sent =
        typeof init?.body === 'string' ? (JSON.parse(init.body) as { idempotencyKey?: string }) : {}
      const answer = (await response.clone().json()) as { signature?: string }
      coinflowAnswers.push({ key: sent.idempotencyKey ?? key, signature: answer.signature ?? '' })
    }
    return response
  }

  const fileStore = await createFileStore({ directory: path.join(directory, 'store') })
  const subscriptions = countingSubscriptions(fileStore)
  const books = createSoakLedger()
  const payouts = createPayoutsModule({
    ledger: books.ledger,
    lookupAfterMs: 3_000,
    retryBaseMs: 200,
    retryMaxMs: 2_000,
    sweepEveryMs: 500,
    recoveryIntervalMs: 500,
  })
  const app = createShareflowApp({
    getUser: (c: Context) => {
      const id = c.req.header('x-soak-user')
      return id ? { id, email: `${id}@soak.example`, country: 'US' } : null
    },
    persona: {
      apiKey: keys.personaApiKey,
      templateId: keys.templateId,
      connectionId: keys.connectionId,
      baseUrl: `${PERSONA}/api/v1`,
      webhookSecrets: [keys.personaWebhookSecret],
    },
    coinflow: {
      apiKey: keys.coinflowApiKey,
      merchantId: keys.merchantId,
      env: 'local',
      baseUrl: `${COINFLOW}/api`,
      uiOrigin: HOSTED,
      webhookKey: keys.coinflowWebhookKey,
    },
    fetch: vendorFetch,
    store: subscriptions.store,
    logger: createJsonLogger({ level: 'error', write: () => {} }),
    upstream: { timeoutMs: 1_000, retry: { maxAttempts: 4, baseDelayMs: 50, maxDelayMs: 500 } },
    kyc: { recheckAfterMs: 500 },
    events: { heartbeatMs: 1_000 },
    modules: [payouts],
  })
  const server = await serveShareflow({ app })
  bffUrl = server.url

  const statuses: Record<string, number> = {}
  let requests = 0
  const call = async (
    userId: string,
    method: string,
    route: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) => {
    // Past the BFF's own 25 s ceiling, an unanswered request is a hang: counted, never waited on.
    const response = await tracked(
      `${method} ${route}`,
      fetch(`${bffUrl}${route}`, {
        signal: AbortSignal.timeout(40_000),
        method,
        headers: {
          'x-soak-user': userId,
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
          ...headers,
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      }),
    ).catch(() => null)
    requests++
    if (!response) {
      statuses['no answer'] = (statuses['no answer'] ?? 0) + 1
      return { status: 0, json: undefined }
    }
    const text = await response.text()
    const json = text ? (JSON.parse(text) as unknown) : undefined
    const code =
      response.status >= 400 ? ` ${(json as { error?: { code?: string } })?.error?.code}` : ''
    statuses[`${response.status}${code}`] = (statuses[`${response.status}${code}`] ?? 0) + 1
    return { status: response.status, json }
  }

  async function completeHostedFlow(link: string) {
    const page = await (await emulator.fetch(link, { signal: AbortSignal.timeout(5_000) })).text()
    const hidden = (name: string) =>
      new RegExp(`name="${name}" value="([^"]*)"`).exec(page)?.[1] ?? ''
    await emulator.fetch(new URL('/persona/verify', link), {
      signal: AbortSignal.timeout(5_000),
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        'inquiry-id': hidden('inquiry-id'),
        'session-token': hidden('session-token'),
        ...identity,
        'sandbox-outcome': 'pass',
        action: 'submit',
      }),
    })
  }

  /** Journeys 3 → 2 as the gate drives them, retrying what a fault broke, until approved. */
  async function verify(userId: string, deadline: number): Promise<boolean> {
    let linkDone = false
    while (Date.now() < deadline) {
      const session = await call(userId, 'GET', '/session')
      const state = session.status === 200 ? Session.parse(session.json).kyc : null
      if (state?.state === 'approved') return true
      if (state && !linkDone && state.nextAction === 'start_inquiry') {
        const inquiry = await call(userId, 'POST', '/kyc/inquiry')
        if (inquiry.status === 200) {
          linkDone = await completeHostedFlow(
            (inquiry.json as { oneTimeLink: string }).oneTimeLink,
          ).then(
            () => true,
            () => false,
          )
        }
      } else if (state?.nextAction === 'share') {
        await call(userId, 'POST', '/kyc/share')
      }
      await sleep(150)
    }
    return false
  }

  /** Every fourth user's bank turns payouts away after accepting them (Coinflow's `suspended`). */
  async function linkBank(userId: string, index: number): Promise<string | null> {
    // Coinflow's hosted page gives up on a request that hangs (a timeout fault), and so do we.
    const linked = await emulator
      .fetch(`${COINFLOW}/api/withdraw/account/v2`, {
        signal: AbortSignal.timeout(2_000),
        method: 'POST',
        headers: {
          Authorization: keys.coinflowApiKey,
          'x-coinflow-auth-user-id': userId,
          'Content-Type': 'application/json',
        },
        body: JSON.stringify({
          alias: index % 4 === 3 ? 'suspended' : 'Soak checking',
          routingNumber: '011401533',
          accountNumber: `9${userId.replace(/\D/g, '').padStart(7, '0')}`,
          type: 'checking',
        }),
      })
      .catch(() => null)
    if (linked?.status !== 200) return null
    const session = await call(userId, 'GET', '/session')
    return session.status === 200 ? (Session.parse(session.json).destinations[0]?.id ?? null) : null
  }

  /** An event stream held open for a while, as a tab would, then closed. */
  async function holdEventStream(userId: string, ms: number) {
    const controller = new AbortController()
    try {
      const response = await fetch(`${bffUrl}/events`, {
        headers: { 'x-soak-user': userId },
        signal: controller.signal,
      })
      requests++
      statuses[response.status] = (statuses[response.status] ?? 0) + 1
      const reader = response.body?.getReader()
      const until = Date.now() + ms
      while (reader && Date.now() < until) {
        const next = await Promise.race([reader.read(), sleep(until - Date.now()).then(() => null)])
        if (next === null || next.done) break
      }
    } catch {
      // The abort below, or a fault: a tab that lost its stream reconnects next round.
    } finally {
      controller.abort()
    }
  }

  const accepted = new Map<string, { userId: string; key: string }>()
  let sequence = 0

  async function payOnce(userId: string, destinationId: string) {
    const cents = 5_00 + Math.floor(Math.random() * 50_00)
    const quoted = await call(userId, 'POST', '/quotes', {
      amount: { cents, currency: 'USD' },
      destinationId,
    })
    // The user pays at the fee on their screen; with no quote there is no Withdraw to press.
    const shown = Quote.safeParse(quoted.json)
    const fee = shown.success ? shown.data.options.find((o) => o.speed === 'asap')?.fee : undefined
    if (!fee) return
    const key = `soak-${userId}-${++sequence}`
    const body = { amount: { cents, currency: 'USD' }, speed: 'asap', destinationId, fee }
    // A double click: the same key twice at once; sometimes a retry after a pause too.
    const copies = Math.random() < 0.3 ? 2 : 1
    const answers = await Promise.all(
      Array.from({ length: copies }, () =>
        call(userId, 'POST', '/payouts', body, { 'Idempotency-Key': key }),
      ),
    )
    if (Math.random() < 0.2)
      answers.push(await call(userId, 'POST', '/payouts', body, { 'Idempotency-Key': key }))
    const ids = new Set<string>()
    for (const answer of answers) {
      if (answer.status === 200 || answer.status === 201) {
        const payout = Payout.parse(answer.json)
        ids.add(payout.id)
        accepted.set(payout.id, { userId, key })
      }
    }
    if (ids.size > 1) throw new Error(`one Idempotency-Key made ${ids.size} payouts`)
    const [id] = ids
    if (id) await call(userId, 'GET', `/payouts/${encodeURIComponent(id)}`)
  }

  const waitingDeliveries = () =>
    emulator.webhooks
      .deliveries()
      .filter((record) => record.state === 'queued' || record.state === 'retrying').length
  const startedAt = Date.now()
  const stopAt = startedAt + durationMs
  const progress = setInterval(() => {
    log(
      `soak: ${Math.round((Date.now() - startedAt) / 1000)} s, ${requests} requests, ${accepted.size} payouts accepted, ${subscriptions.open()} event streams open, ${waitingDeliveries()} webhooks waiting`,
    )
  }, 10_000)

  async function user(index: number) {
    const userId = `soak-user-${index}`
    books.balances.set(userId, OPENING_CENTS)
    // Stagger arrivals so the load is steady from the start rather than one burst.
    await sleep((index * 97) % 1_000)
    if (!(await verify(userId, stopAt))) return
    let destinationId: string | null = null
    while (!destinationId && Date.now() < stopAt) {
      destinationId = await linkBank(userId, index)
      if (!destinationId) await sleep(200)
    }
    while (destinationId && Date.now() < stopAt) {
      const roll = Math.random()
      if (roll < 0.15) await holdEventStream(userId, 300 + Math.random() * 1_500)
      else if (roll < 0.35) await call(userId, 'GET', '/session')
      else if (roll < 0.45) await call(userId, 'GET', '/payouts')
      else await payOnce(userId, destinationId)
      await sleep(thinkMs)
    }
  }

  const samples: MemorySample[] = []
  const sample = async () => {
    const memory = await settledMemory()
    samples.push({
      atSeconds: Math.round((Date.now() - startedAt) / 100) / 10,
      heapMb: mb(memory.heapUsed),
      rssMb: mb(memory.rss),
      payouts: accepted.size,
      webhooksWaiting: waitingDeliveries(),
      storeKeys: (await fileStore.keys('')).length,
    })
  }
  let webhooksWaiting = 0
  try {
    const crowd = Array.from({ length: users }, (_, i) => user(i))
    // Faults come on once the crowd is verified and paying; memory is sampled from then on.
    await sleep(Math.min(durationMs / 4, 15_000))
    for (const vendor of ['persona', 'coinflow'] as const) {
      emulator.world.faults[vendor] = { ...noFaults, ...faults }
    }
    const sampler = (async () => {
      while (Date.now() < stopAt) {
        await sample()
        // About eighteen samples a run, so the verdict reads a trend rather than two points.
        await sleep(Math.max(1_000, durationMs / 18))
      }
    })()
    await Promise.all([...crowd, sampler])
    await sample()
    webhooksWaiting = waitingDeliveries()
  } finally {
    clearInterval(progress)
  }

  // Faults off, then let every accepted payout finish: webhooks, lookups and recovery.
  emulator.world.faults.persona = { ...noFaults }
  emulator.world.faults.coinflow = { ...noFaults }
  const finalStates = new Map<string, string>()
  const settleBy = Date.now() + 30_000
  while (Date.now() < settleBy) {
    finalStates.clear()
    for (const [id, { userId }] of accepted) {
      const payout = await payouts.service.get(userId, id)
      finalStates.set(id, payout?.state ?? 'unknown')
    }
    const waiting = [...finalStates.values()].filter(
      (state) => !['succeeded', 'failed', 'refused'].includes(state),
    )
    if (waiting.length === 0) break
    await sleep(250)
  }

  // What the run keeps for good once the load is gone: the BFF's store (payouts, their claims and
  // indexes, webhook de-duplication keys) and the vendors' records in the emulator.
  const storeKeys = await fileStore.keys('')
  let storeChars = 0
  for (const key of storeKeys) storeChars += key.length + ((await fileStore.get(key))?.length ?? 0)
  const durable = {
    storeKeys: storeKeys.length,
    storeTextMb: mb(storeChars),
    coinflowPayouts: new Set(coinflowAnswers.map((answer) => answer.signature)).size,
    webhookDeliveriesKept: emulator.webhooks.deliveries().length,
    webhookDeliveriesForgotten: emulator.webhooks.forgotten(),
  }

  const count = (state: string) => [...finalStates.values()].filter((s) => s === state).length
  // Coinflow's side: one payout (one signature) per idempotency key, never two.
  const coinflowPayouts = new Map<string, Set<string>>()
  for (const { key, signature } of coinflowAnswers) {
    const signatures = coinflowPayouts.get(key) ?? new Set()
    signatures.add(signature)
    coinflowPayouts.set(key, signatures)
  }
  const doubledKeys = [...coinflowPayouts.values()].filter((set) => set.size > 1).length

  // Host books: opening − settled − in flight = balance, per user.
  let ledgerMismatches = 0
  const perUser = new Map<string, number>()
  for (const entry of books.entries.values()) {
    if (entry.state !== 'reversed')
      perUser.set(entry.userId, (perUser.get(entry.userId) ?? 0) + entry.cents)
  }
  for (const [userId, balance] of books.balances) {
    if (balance !== OPENING_CENTS - (perUser.get(userId) ?? 0)) ledgerMismatches++
  }

  // The vendors stop first: closing the emulator aborts the webhook attempt on its way and starts
  // no other (before it did, retries of deliveries the closed server refused went on for good).
  emulator.close()
  payouts.stop()
  for (let waited = 0; inFlight.size > 0 && waited < 6_000; waited += 100) await sleep(100)
  await server.close()
  await subscriptions.store.close()
  // Anything still unanswered now is a hang: every request here has a deadline of its own.
  for (let waited = 0; inFlight.size > 0 && waited < 8_000; waited += 100) await sleep(100)
  rmSync(directory, { recursive: true, force: true })

  const lost =
    count('unknown') +
    count('accepted') +
    count('authorized') +
    count('submitted') +
    count('pending')
  return {
    durationMs,
    users,
    requests,
    requestsPerSecond: Math.round(requests / (durationMs / 1000)),
    statuses,
    faults,
    vendorFaults,
    payouts: {
      accepted: accepted.size,
      succeeded: count('succeeded'),
      failed: count('failed'),
      refused: count('refused'),
      unfinished: lost - count('unknown'),
      lost,
      doubled: doubledKeys + books.repeatedDebits(),
      ledgerMismatches,
    },
    samples,
    webhooksWaiting,
    durable,
    pendingRequests: [...inFlight.values()],
    openEventStreams: subscriptions.open(),
    peakEventStreams: subscriptions.peak(),
  }
}
