/**
 * Test-only: the BFF wired to the in-process emulator on one manual clock, as a host would wire it
 * in sandbox mode. Vendor calls go through `emulator.fetch` (and every request body the BFF sends
 * is checked against the vendor's OpenAPI document); the emulator's webhooks are delivered to the
 * BFF's own receivers through `app.request`. Users sign in through a header only this "host"
 * reads, standing in for the host's session cookie.
 */
import { InquiryLink, KycStatus, Session } from '@shareflow/contract'
import { Hono } from 'hono'
import { expect } from 'vitest'
import { createShareflowApp, type ShareflowAppOptions } from '../../src/app'
import type { ShareflowUser } from '../../src/user'
import {
  createEmulator,
  createManualClock,
  type EmulatorOptions,
  type FaultSettings,
} from '../../src/emulator'
import { COINFLOW_PERSONA_CONNECTION_ID } from '../../src/emulator/coinflow'
import { inquiryFieldsOf, sandboxPeople } from '../../src/emulator/sandbox-people'
import { createMemoryLogger } from '../../src/logger'
import { createMemoryStore } from '../../src/store/memory'
import type { ShareflowStore } from '../../src/store/types'
import { requestBodySchemaErrors } from '../openapi'
import { readEventStream } from './sse'

export const PERSONA_API_KEY = 'persona_sandbox_bff_journeys_key'
export const PERSONA_WEBHOOK_SECRET = 'wbhsec_bff_journeys_secret'
export const TEMPLATE_ID = 'itmpl_BffJourneyTemplate00001'
export const CONNECTION_ID = COINFLOW_PERSONA_CONNECTION_ID
export const MERCHANT_ID = 'shareflow-journeys'
export const COINFLOW_API_KEY = 'coinflow_sandbox_bff_journeys_key'
export const COINFLOW_WEBHOOK_KEY = 'coinflow_validation_key_bff_journeys'
export const BFF_ORIGIN = 'https://host.test'
export const MOUNT = '/api/shareflow'

/**
 * Identity fields that pass Persona's flow and Coinflow's review, with the state written out as a
 * person may type it into the hosted form: Coinflow takes the shared subdivision as it comes.
 */
export const goodIdentity = {
  ...inquiryFieldsOf(sandboxPeople.usVerified),
  'address-subdivision': 'Texas',
}

export interface VendorRequest {
  vendor: 'persona' | 'coinflow'
  method: string
  path: string
  body: unknown
  idempotencyKey: string | null
  /** The vendor's answer, once it came (`null`: none, e.g. a timeout). */
  status: number | null
  response: unknown
}

/** Answers a vendor request instead of the emulator (a vendor reply the emulator never gives), or `undefined`. */
export type Intercept = (request: VendorRequest) => Response | undefined

export interface HarnessOptions {
  faults?: Partial<Record<'persona' | 'coinflow', Partial<FaultSettings>>>
  store?: ShareflowStore
  app?: Partial<ShareflowAppOptions>
  emulator?: Partial<EmulatorOptions>
}

export function createJourneyHarness(options: HarnessOptions = {}) {
  const clock = createManualClock()
  const store = options.store ?? createMemoryStore({ clock })
  const logger = createMemoryLogger({ clock })
  const users = new Map<string, ShareflowUser>()
  const vendorRequests: VendorRequest[] = []
  const intercepts: Intercept[] = []
  const webhookAnswers: Array<{ vendor: string; status: number }> = []

  // The emulator delivers its webhooks to the BFF's receivers, in process.
  const host = new Hono()
  const webhookFetch: typeof fetch = async (input, init) => {
    const request = new Request(input, init)
    const response = await host.request(request)
    webhookAnswers.push({ vendor: new URL(request.url).pathname, status: response.status })
    return response
  }

  const emulator = createEmulator({
    seed: 7,
    clock,
    webhookFetch,
    faults: options.faults,
    ...options.emulator,
    persona: {
      webhooks: [{ url: `${BFF_ORIGIN}${MOUNT}/webhooks/persona`, secret: PERSONA_WEBHOOK_SECRET }],
      redeemDelayMs: 1_000,
      ...options.emulator?.persona,
    },
    coinflow: {
      merchantId: MERCHANT_ID,
      personaConnectionId: CONNECTION_ID,
      shareTokenReviewMs: 3_000,
      webhook: {
        url: `${BFF_ORIGIN}${MOUNT}/webhooks/coinflow`,
        validationKey: COINFLOW_WEBHOOK_KEY,
      },
      ...options.emulator?.coinflow,
    },
  })

  /** The emulator's fetch, recording (and spec-checking) every request the BFF makes. */
  const vendorFetch: typeof fetch = async (input, init) => {
    const request = new Request(input, init)
    const url = new URL(request.url)
    const vendor = url.hostname.includes('withpersona') ? 'persona' : 'coinflow'
    const text = request.method === 'GET' ? '' : await request.clone().text()
    const body = text === '' ? undefined : JSON.parse(text)
    const errors = requestBodySchemaErrors(vendor, request.method, url.pathname, body)
    expect(errors, `${request.method} ${url.pathname} request body`).toEqual([])
    const seen: VendorRequest = {
      vendor,
      method: request.method,
      path: url.pathname,
      body,
      idempotencyKey: request.headers.get('Idempotency-Key'),
      status: null,
      response: undefined,
    }
    vendorRequests.push(seen)
    const response =
      intercepts.map((intercept) => intercept(seen)).find(Boolean) ??
      (await emulator.fetch(request))
    seen.status = response.status
    const answer = await response.clone().text()
    seen.response = answer === '' ? undefined : JSON.parse(answer)
    return response
  }

  const appUpstream: ShareflowAppOptions['upstream'] = {
    timeoutMs: 2_000,
    retry: { maxAttempts: 4, baseDelayMs: 200, maxDelayMs: 5_000 },
    // Waiting moves the shared virtual clock forward instead of spending real time, so backoff
    // and the rate budget's queue behave as they would, only faster. Time never goes back.
    sleep: async (ms) => {
      const target = clock.now() + ms
      await new Promise((resolve) => setTimeout(resolve, 1))
      if (clock.now() < target) clock.set(target)
    },
    ...options.app?.upstream,
  }
  /**
   * Real time, which the vendors (and the emulator) sign webhooks with and the BFF verifies
   * against; `clock` never moves it. Tests advance it to make a captured signature stale.
   */
  let webhookOffsetMs = 0
  const webhookClock = {
    now: () => Date.now() + webhookOffsetMs,
    advance: (ms: number) => {
      webhookOffsetMs += ms
    },
  }
  /** One BFF instance; several built here share the store, the vendors and the users. */
  const buildInstance = () =>
    createShareflowApp({
      getUser: (c) => users.get(c.req.header('x-host-session') ?? '') ?? null,
      persona: {
        apiKey: PERSONA_API_KEY,
        templateId: TEMPLATE_ID,
        connectionId: CONNECTION_ID,
        webhookSecrets: [PERSONA_WEBHOOK_SECRET],
      },
      coinflow: {
        apiKey: COINFLOW_API_KEY,
        merchantId: MERCHANT_ID,
        env: 'local',
        baseUrl: 'https://api-sandbox.coinflow.cash/api',
        uiOrigin: 'http://localhost:3000',
        webhookKey: COINFLOW_WEBHOOK_KEY,
      },
      fetch: vendorFetch,
      store,
      logger,
      clock,
      webhookClock,
      events: { heartbeatMs: 50 },
      ...options.app,
      upstream: appUpstream,
      kyc: { recheckAfterMs: 5_000, ...options.app?.kyc },
    })
  const app = buildInstance()
  // The host mounts the BFF under its own prefix, as the demo does.
  host.route(MOUNT, app)

  /** A second BFF instance on the same store (behind the same load balancer), with its own client for `userId`. */
  function secondInstance() {
    const other = new Hono()
    other.route(MOUNT, buildInstance())
    return {
      get: (userId: string, path: string) =>
        other.request(`${BFF_ORIGIN}${MOUNT}${path}`, { headers: { 'x-host-session': userId } }),
      post: (userId: string, path: string) =>
        other.request(`${BFF_ORIGIN}${MOUNT}${path}`, {
          method: 'POST',
          headers: { 'x-host-session': userId },
        }),
    }
  }

  const signIn = (user: ShareflowUser) => {
    users.set(user.id, user)
    return user
  }

  /** Requests as the signed-in `userId` (through the host's session header), at the mount path. */
  function as(userId: string | null) {
    const headers = (extra: HeadersInit = {}) => ({
      ...(userId ? { 'x-host-session': userId } : {}),
      ...Object.fromEntries(new Headers(extra)),
    })
    return {
      get: (path: string, init: RequestInit = {}) =>
        host.request(`${BFF_ORIGIN}${MOUNT}${path}`, { ...init, headers: headers(init.headers) }),
      post: (path: string, body?: unknown, init: RequestInit = {}) =>
        host.request(`${BFF_ORIGIN}${MOUNT}${path}`, {
          method: 'POST',
          ...init,
          headers: headers({
            ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
            ...Object.fromEntries(new Headers(init.headers)),
          }),
          ...(body === undefined
            ? {}
            : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
        }),
    }
  }

  /** Opens a one-time link and submits Persona's hosted form with `fields`, as a person would. */
  async function completeHostedFlow(
    oneTimeLink: string,
    fields: Record<string, string> = goodIdentity,
  ) {
    const page = await emulator.fetch(oneTimeLink)
    const html = await page.text()
    expect(page.status, html.slice(0, 300)).toBe(200)
    const hidden = (name: string) =>
      new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1] ?? ''
    const form = new URLSearchParams({
      'inquiry-id': hidden('inquiry-id'),
      'session-token': hidden('session-token'),
      ...fields,
      'sandbox-outcome': 'pass',
      action: 'submit',
    })
    const submitted = await emulator.fetch(new URL('/persona/verify', oneTimeLink), {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: form,
    })
    expect(submitted.status).toBeLessThan(400)
  }

  /** Moves both sides' clock and lets the emulator do what became due, webhooks included. */
  async function advance(ms: number) {
    clock.advance(ms)
    await emulator.flush()
  }

  /** Share tokens Persona actually holds (idempotent replays return the same id). */
  const shareTokensCreated = () =>
    new Set(
      vendorRequests
        .filter(
          (r) => r.method === 'POST' && /\/connect\/share-tokens$/.test(r.path) && r.status === 201,
        )
        .map((r) => (r.response as { data: { id: string } }).data.id),
    ).size

  /** Registrations Coinflow accepted (faults answer before Coinflow processes anything). */
  const registrationsAccepted = () =>
    vendorRequests.filter(
      (r) => /\/withdraw\/kyc\/share-token$/.test(r.path) && (r.status === 200 || r.status === 451),
    ).length

  const count = (vendor: VendorRequest['vendor'], method: string, path: RegExp) =>
    vendorRequests.filter((r) => r.vendor === vendor && r.method === method && path.test(r.path))
      .length

  /** `GET /session` as `userId`, which must answer 200. */
  async function session(userId: string) {
    const response = await as(userId).get('/session')
    expect(response.status, await response.clone().text()).toBe(200)
    return Session.parse(await response.json())
  }

  /** `POST /kyc/inquiry` as `userId`, which must answer 200. */
  async function startInquiry(userId: string) {
    const response = await as(userId).post('/kyc/inquiry')
    expect(response.status, await response.clone().text()).toBe(200)
    return InquiryLink.parse(await response.json())
  }

  /** `POST /kyc/share` as `userId`, which must answer 200. */
  async function share(userId: string) {
    const response = await as(userId).post('/kyc/share')
    expect(response.status, await response.clone().text()).toBe(200)
    return KycStatus.parse(await response.json())
  }

  /** Journey 3: the user starts (or resumes) their inquiry and submits it with `fields`. */
  async function finishInquiry(userId: string, fields: Record<string, string> = goodIdentity) {
    const link = await startInquiry(userId)
    await completeHostedFlow(link.oneTimeLink, fields)
    await advance(0)
    return link
  }

  /** Journey 3 then 2: the user completes a new inquiry with `fields`, then shares it. */
  async function verifyAndShare(userId: string, fields: Record<string, string> = goodIdentity) {
    await finishInquiry(userId, fields)
    return share(userId)
  }

  const openStreams = new Set<AbortController>()

  /** Opens the user's SSE stream and parses its messages. */
  async function openEvents(userId: string, lastEventId?: string) {
    const controller = new AbortController()
    openStreams.add(controller)
    const response = await host.request(`${BFF_ORIGIN}${MOUNT}/events`, {
      headers: {
        'x-host-session': userId,
        ...(lastEventId ? { 'Last-Event-ID': lastEventId } : {}),
      },
      signal: controller.signal,
    })
    expect(response.status).toBe(200)
    return readEventStream(response, controller)
  }

  return {
    app,
    host,
    clock,
    webhookClock,
    store,
    logger,
    emulator,
    signIn,
    as,
    secondInstance,
    session,
    startInquiry,
    share,
    finishInquiry,
    verifyAndShare,
    completeHostedFlow,
    advance,
    openEvents,
    /** Adds an intercept; returns the function that removes it. */
    intercept(fn: Intercept) {
      intercepts.push(fn)
      return () => void intercepts.splice(intercepts.indexOf(fn), 1)
    },
    vendorRequests,
    webhookAnswers,
    count,
    shareTokensCreated,
    registrationsAccepted,
    close() {
      for (const stream of openStreams) stream.abort()
      emulator.close()
    },
  }
}

export type JourneyHarness = ReturnType<typeof createJourneyHarness>
