/**
 * Test-only: the whole emulator on a manual clock with a recording webhook receiver, and `call()`,
 * which sends one request to the Persona API through HTTP and checks the answer against Persona's
 * OpenAPI document before handing it back. Imported by the `*.test.ts` files beside it, never by
 * the emulator (the validator reads the spec from disk with Node APIs).
 */
import { expect } from 'vitest'
import { expectResponseMatchesSpec, webhookBodySchemaErrors } from '../../../test/openapi'
import { verifyWebhookSignature } from '../../webhooks/signature'
import { COINFLOW_PERSONA_CONNECTION_ID } from '../coinflow'
import { createEmulator, createManualClock, type EmulatorOptions } from '../index'
import { inquiryFieldsOf, sandboxPeople } from '../sandbox-people'
import { inflectKeys, type KeyInflection } from './inflection'

export const API_KEY = 'persona_sandbox_emulator_test'
export const WEBHOOK_URL = 'https://host.test/webhooks/persona'
export const WEBHOOK_SECRET = 'wbhsec_emulator_test'
export const TEMPLATE_ID = 'itmpl_EmulatorTemplate0000001'
/** Coinflow's Persona Connect connection, which the emulated Coinflow redeems tokens for. */
export const CONNECTION_ID = COINFLOW_PERSONA_CONNECTION_ID

/** A US person with everything Coinflow needs, as a person would enter it. */
export const janeDoe = inquiryFieldsOf(sandboxPeople.usVerified)

export const auth = { Authorization: `Bearer ${API_KEY}` }

export interface CallOptions {
  headers?: Record<string, string>
  /** Sent as JSON. */
  json?: unknown
  /** Sent as-is (malformed bodies). */
  raw?: string
  /** Leave out the Authorization header. */
  anonymous?: boolean
}

export interface CallResult<Body = any> {
  status: number
  body: Body
  headers: Headers
}

export interface ReceivedWebhook {
  url: string
  /** Emulator time of arrival, in ms. */
  receivedAt: number
  headers: Headers
  body: string
  event: {
    data: {
      id: string
      /** `context` on relation events: which relation, to which object. */
      attributes: { name: string; payload: { data: any }; context?: Record<string, unknown> }
    }
  }
}

export function createHarness(options: EmulatorOptions & { receiverStatuses?: number[] } = {}) {
  // Read through `emulator.clock` (set below), which the control endpoint can move too.
  let clock: { now(): number } = createManualClock()
  const received: ReceivedWebhook[] = []
  /** Statuses the receiver answers with, in turn; 200 once they run out. */
  const statuses = [...(options.receiverStatuses ?? [])]
  const webhookFetch: typeof fetch = async (input, init) => {
    const receivedAt = clock.now()
    const request = new Request(input, init)
    const body = await request.text()
    received.push({
      url: request.url,
      receivedAt,
      headers: request.headers,
      body,
      event: JSON.parse(body),
    })
    return new Response(null, { status: statuses.shift() ?? 200 })
  }
  const emulator = createEmulator({
    seed: 42,
    clock: clock as ReturnType<typeof createManualClock>,
    webhookFetch,
    ...options,
    persona: { webhooks: [{ url: WEBHOOK_URL, secret: WEBHOOK_SECRET }], ...options.persona },
  })
  clock = emulator.clock

  /** One Persona API request; the answer must match Persona's spec for its path and status. */
  async function call<Body = any>(
    method: string,
    path: string,
    { headers = {}, json, raw, anonymous }: CallOptions = {},
  ): Promise<CallResult<Body>> {
    const init: RequestInit = { method, headers: { ...(anonymous ? {} : auth), ...headers } }
    if (json !== undefined || raw !== undefined) {
      init.body = raw ?? JSON.stringify(json)
      ;(init.headers as Record<string, string>)['Content-Type'] = 'application/json'
    }
    const response = await emulator.persona.request(`http://persona.test${path}`, init)
    const text = await response.text()
    const body = text === '' ? undefined : JSON.parse(text)
    // The spec is written in kebab-case; a camel or snake answer is checked after turning it back.
    const inflection = (headers['Key-Inflection'] ?? 'kebab') as KeyInflection
    const asSpecified = inflection === 'kebab' ? body : inflectKeys(body, 'kebab')
    expectResponseMatchesSpec('persona', {
      method,
      path,
      status: response.status,
      body: asSpecified,
    })
    return { status: response.status, body: body as Body, headers: response.headers }
  }

  /** Delivers every queued webhook, then checks each body (and signature) Persona would send. */
  async function webhooks(): Promise<ReceivedWebhook[]> {
    await emulator.flush()
    for (const webhook of received) {
      const name = webhook.event.data.attributes.name
      if (!name.startsWith('connect/')) {
        // Persona's spec has no payload schema for the Connect events; every other one is checked.
        expect(webhookBodySchemaErrors('persona', name, webhook.event), name).toEqual([])
      }
      const verified = await verifyWebhookSignature({
        payload: webhook.body,
        header: webhook.headers.get('Persona-Signature'),
        secret: WEBHOOK_SECRET,
        // Vendors sign with real time, whatever the emulator clock says.
        now: Math.floor(Date.now() / 1000),
      })
      expect(verified, `signature of ${name}`).toMatchObject({ ok: true })
    }
    return received
  }

  const eventNames = async () =>
    (await webhooks()).map((webhook) => webhook.event.data.attributes.name)

  /** Lets the deliveries already raised arrive first, then moves the clock and runs what is due. */
  async function advance(ms: number) {
    await emulator.runDue()
    emulator.clock.advance(ms)
    await emulator.runDue()
  }

  async function createInquiry(
    attributes: Record<string, unknown> = {},
    meta?: Record<string, unknown>,
  ) {
    const created = await call('POST', '/api/v1/inquiries', {
      json: {
        data: { attributes: { 'inquiry-template-id': TEMPLATE_ID, ...attributes } },
        ...(meta ? { meta } : {}),
      },
    })
    expect(created.status).toBe(201)
    return created.body.data.id as string
  }

  async function simulate(inquiryId: string, ...types: string[]) {
    const result = await call('POST', `/api/v1/inquiries/${inquiryId}/perform-simulate-actions`, {
      json: { meta: { 'simulate-actions': types.map((type) => ({ type })) } },
    })
    return result
  }

  /** An inquiry a person finished, with the identity Coinflow needs. */
  async function completedInquiry(fields: Record<string, string> = {}, referenceId = 'user-1') {
    const id = await createInquiry({
      'reference-id': referenceId,
      fields: { ...janeDoe, ...fields },
    })
    const done = await simulate(id, 'start_inquiry', 'complete_inquiry')
    expect(done.status).toBe(200)
    return id
  }

  return {
    emulator,
    clock: emulator.clock,
    received,
    call,
    webhooks,
    eventNames,
    advance,
    createInquiry,
    simulate,
    completedInquiry,
  }
}

export type Harness = ReturnType<typeof createHarness>
