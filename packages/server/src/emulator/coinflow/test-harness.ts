/**
 * Test-only: a Coinflow emulator on a manual clock, a recording webhook dispatcher, and `call()`,
 * which sends a request through HTTP and checks the answer against Coinflow's OpenAPI document.
 * Imported by the `*.test.ts` files beside it, never by the emulator itself (the validator reads
 * the spec from disk with Node APIs).
 */
import { expect } from 'vitest'
import { expectResponseMatchesSpec, schemaErrorsAt } from '../../../test/openapi'
import { verifyWebhookSignature } from '../../webhooks/signature'
import { kycInfoOf, sandboxAccounts, sandboxPeople, sharedIdentityOf } from '../sandbox-people'
import {
  createIds,
  createManualClock,
  createRandom,
  noFaults,
  type EmulatorWorld,
  type PersonaConnect,
  type SharedIdentity,
  type ShareTokenRedemption,
  type WebhookDelivery,
} from '../world'
import {
  COINFLOW_PERSONA_CONNECTION_ID,
  createCoinflowEmulator,
  type CreateCoinflowEmulatorOptions,
} from './index'

export const API_KEY = 'sk_sandbox_emulator_test'
export const VALIDATION_KEY = 'whsec_coinflow_emulator_test'
export const WEBHOOK_URL = 'https://host.test/webhooks/coinflow'

export const merchant = { Authorization: API_KEY }
export const asUser = (userId: string) => ({
  Authorization: API_KEY,
  'x-coinflow-auth-user-id': userId,
})

/** The `info` of a US registration (`POST /withdraw/kyc`) that the instant check approves. */
export const usInfo = (overrides: Record<string, string> = {}) => ({
  ...kycInfoOf(sandboxPeople.usVerified),
  ...overrides,
})

/** A US identity as a completed Persona inquiry would share it. */
export const sharedUsIdentity = (overrides: Partial<SharedIdentity> = {}): SharedIdentity => ({
  ...sharedIdentityOf(sandboxPeople.usVerified, {
    inquiryId: 'inq_SharedInquiry000000000001',
    referenceId: 'user-1',
  }),
  ...overrides,
})

/**
 * Persona Connect from the destination's side, for tests of the Coinflow side alone: tokens are
 * issued by `share()` and redeem once, like Persona's.
 */
export function createTestPersonaConnect(connectionId: string) {
  const tokens = new Map<
    string,
    { identity: SharedIdentity; status: 'created' | 'redeemed' | 'expired' }
  >()
  let next = 1
  const connect: PersonaConnect & {
    share(identity: SharedIdentity): string
    expire(token: string): void
    status(token: string): string | undefined
  } = {
    share(identity) {
      const token = `cnst_TestShareToken${String(next++).padStart(10, '0')}`
      tokens.set(token, { identity, status: 'created' })
      return token
    },
    expire(token) {
      tokens.get(token)!.status = 'expired'
    },
    status: (token) => tokens.get(token)?.status,
    async redeemShareToken(tokenId, connection): Promise<ShareTokenRedemption> {
      const token = tokens.get(tokenId)
      if (!token) return { ok: false, reason: 'not_found' }
      if (connection !== connectionId) return { ok: false, reason: 'wrong_connection' }
      if (token.status === 'expired') return { ok: false, reason: 'expired' }
      if (token.status === 'redeemed') return { ok: false, reason: 'already_redeemed' }
      token.status = 'redeemed'
      return { ok: true, identity: token.identity }
    },
  }
  return connect
}

export const PERSONA_CONNECTION = COINFLOW_PERSONA_CONNECTION_ID

export interface CallOptions {
  headers?: Record<string, string>
  /** Sent as JSON. */
  json?: unknown
  /** Sent as-is (for malformed bodies). */
  raw?: string
}

export interface CallResult<Body = any> {
  status: number
  body: Body
  headers: Headers
}

/**
 * One request to a Coinflow API app (`emulator.coinflow` or `coinflow.api`). Every answer is
 * checked against Coinflow's OpenAPI document; Coinflow's spec lists few error statuses, so an
 * error status it does not list must carry the `{details}` body Coinflow's sandbox was seen
 * answering with (401 `{"details": "Header … is required"}`).
 */
export async function requestCoinflow<Body = any>(
  app: { request(input: string, init?: RequestInit): Response | Promise<Response> },
  method: string,
  path: string,
  { headers = {}, json, raw }: CallOptions = {},
): Promise<CallResult<Body>> {
  const init: RequestInit = { method, headers: { ...headers } }
  if (json !== undefined || raw !== undefined) {
    init.body = raw ?? JSON.stringify(json)
    ;(init.headers as Record<string, string>)['Content-Type'] = 'application/json'
  }
  const response = await app.request(`http://coinflow.test${path}`, init)
  const text = await response.text()
  const body = text === '' ? undefined : JSON.parse(text)
  try {
    expectResponseMatchesSpec('coinflow', { method, path, status: response.status, body })
  } catch (error) {
    if (!/does not list/.test(String(error)) || response.status < 400) throw error
    expect(body, `${method} ${path} ${response.status}`).toEqual({ details: expect.any(String) })
  }
  return { status: response.status, body: body as Body, headers: response.headers }
}

export function createHarness(
  options: CreateCoinflowEmulatorOptions & {
    personaConnect?: PersonaConnect
    seed?: number
    noWebhook?: boolean
  } = {},
) {
  const clock = createManualClock()
  const seed = options.seed ?? 7
  const random = createRandom(seed)
  const deliveries: WebhookDelivery[] = []
  const persona = createTestPersonaConnect(PERSONA_CONNECTION)
  const world: EmulatorWorld = {
    seed,
    clock,
    random,
    ids: createIds(random),
    faults: { persona: { ...noFaults }, coinflow: { ...noFaults } },
    webhooks: {
      deliver: (delivery) => void deliveries.push(delivery),
      flush: async () => {},
    },
    personaConnect: options.personaConnect ?? persona,
  }
  const coinflow = createCoinflowEmulator(world, {
    webhook: options.noWebhook ? undefined : { url: WEBHOOK_URL, validationKey: VALIDATION_KEY },
    ...options,
  })

  const call = <Body = any>(method: string, path: string, options?: CallOptions) =>
    requestCoinflow<Body>(coinflow.api, method, path, options)

  /** Moves the emulator clock and runs whatever became due. */
  async function advance(ms: number) {
    clock.advance(ms)
    await coinflow.runDue()
  }

  const webhookEvents = () =>
    deliveries.map((delivery) => JSON.parse(delivery.body) as { eventType: string; data: any })

  return { world, clock, coinflow, persona, deliveries, webhookEvents, call, advance }
}

export type Harness = ReturnType<typeof createHarness>

/** Registers `userId` with a shared, complete US identity and waits out Coinflow's review. */
export async function approvedUser(harness: Harness, userId = 'user-1') {
  const shareToken = harness.persona.share(sharedUsIdentity({ referenceId: userId }))
  const registered = await harness.call('POST', '/api/withdraw/kyc/share-token', {
    headers: asUser(userId),
    json: { vendor: 'persona', shareToken, email: 'jane@example.com' },
  })
  expect(registered.status).toBe(200)
  await harness.advance(3_000)
  return userId
}

/** Links a US bank account for an approved user and returns its token. */
export async function linkedBankAccount(
  harness: Harness,
  userId = 'user-1',
  extra: Record<string, string> = {},
) {
  const linked = await harness.call('POST', '/api/withdraw/account/v2', {
    headers: asUser(userId),
    json: { alias: 'Everyday checking', ...sandboxAccounts.usChecking, ...extra },
  })
  expect(linked.status).toBe(200)
  return linked.body.withdrawer.bankAccounts.at(-1).token as string
}

/**
 * Checks a delivery carries both of Coinflow's proofs (the plain key and a valid signature) and
 * that its body matches Coinflow's schemas. `WebhookPacket.data` is a `oneOf` that any object
 * matches twice in the published spec, so the envelope's fields and `data` are checked one by one.
 */
export async function expectSignedByCoinflow(harness: Harness, delivery: WebhookDelivery) {
  expect(delivery.vendor).toBe('coinflow')
  expect(delivery.url).toBe(WEBHOOK_URL)
  expect(delivery.headers.Authorization).toBe(VALIDATION_KEY)
  const verified = await verifyWebhookSignature({
    payload: delivery.body,
    header: delivery.headers['Coinflow-Signature'],
    secret: VALIDATION_KEY,
    now: Math.floor(Date.now() / 1000),
  })
  expect(verified.ok).toBe(true)
  const packet = JSON.parse(delivery.body) as Record<string, unknown>
  expect(Object.keys(packet).sort()).toEqual(['category', 'created', 'data', 'eventType'])
  const schema = (name: string) => `#/components/schemas/${name}`
  const dataSchema = packet.category === 'KYC' ? 'KycWebhookData' : 'WithdrawWebhookData'
  expect([
    ...schemaErrorsAt('coinflow', schema('WebhookEventType'), packet.eventType),
    ...schemaErrorsAt('coinflow', schema('WebhookCategory'), packet.category),
    ...schemaErrorsAt('coinflow', schema(dataSchema), packet.data),
  ]).toEqual([])
  expect(new Date(String(packet.created)).toISOString()).toBe(packet.created)
}
