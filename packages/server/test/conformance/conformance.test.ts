/**
 * The journeys the kit depends on, against the emulator (CI) or the vendors' sandboxes (see
 * README.md beside this file): every answer is checked against the vendor's OpenAPI document, and
 * every webhook received is verified with the vendor's documented scheme. A check that passes on
 * the emulator and fails on a sandbox is a divergence of the emulator.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { inquiryFieldsOf, kycInfoOf, sandboxAccounts, sandboxPeople } from '../../src/emulator'
import { timingSafeEqual, verifyWebhookSignature } from '../../src/webhooks/signature'
import { expectFetchMatchesSpec, webhookBodySchemaErrors } from '../openapi'
import { conformanceTarget, type ConformanceTarget, type ReceivedWebhook } from './target'

let target: ConformanceTarget
beforeAll(async () => {
  target = await conformanceTarget()
})
afterAll(() => target?.close())

/** Unique per run, so a sandbox that keeps everything never sees the same reference twice. */
const run = `conformance-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`

/** One request to a vendor; the answer must be one its OpenAPI document describes. */
async function call(
  vendor: 'persona' | 'coinflow',
  method: string,
  path: string,
  { json, headers = {} }: { json?: unknown; headers?: Record<string, string> } = {},
) {
  const url = `${target[vendor].baseUrl}${path}`
  const response = await target.fetch(url, {
    method,
    headers: {
      ...headers,
      ...(json === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    ...(json === undefined ? {} : { body: JSON.stringify(json) }),
  })
  return {
    status: response.status,
    headers: response.headers,
    body: await expectFetchMatchesSpec(vendor, method, new URL(url).pathname, response),
  }
}

const persona = (method: string, path: string, options: { json?: unknown; key?: string } = {}) =>
  call('persona', method, path, {
    json: options.json,
    headers: {
      Authorization: `Bearer ${target.persona.apiKey}`,
      'Persona-Version': '2025-12-08',
      ...(options.key ? { 'Idempotency-Key': options.key } : {}),
    },
  })

const coinflow = (
  method: string,
  path: string,
  options: { json?: unknown; userId?: string } = {},
) =>
  call('coinflow', method, path, {
    json: options.json,
    headers: {
      Authorization: target.coinflow.apiKey,
      ...(options.userId ? { 'x-coinflow-auth-user-id': options.userId } : {}),
    },
  })

/** Persona's scheme: `Persona-Signature: t=…,v1=…` over `t.body`, within 300 s of real time. */
async function expectPersonaWebhookVerified(webhook: ReceivedWebhook) {
  const verified = await verifyWebhookSignature({
    payload: webhook.body,
    header: webhook.headers.get('Persona-Signature'),
    secret: target.webhooks!.personaSecret,
    now: Math.floor(Date.now() / 1000),
  })
  expect(verified, 'Persona-Signature').toMatchObject({ ok: true })
  const event = JSON.parse(webhook.body)
  const name = event.data.attributes.name as string
  if (!name.startsWith('connect/')) {
    // The spec has no payload schema for Connect events; every other body is checked.
    expect(webhookBodySchemaErrors('persona', name, event), name).toEqual([])
  }
}

/** Coinflow's schemes: the validation key in `Authorization`, or a `Coinflow-Signature`. */
async function expectCoinflowWebhookVerified(webhook: ReceivedWebhook) {
  const key = target.webhooks!.coinflowKey
  const signature = webhook.headers.get('Coinflow-Signature')
  if (signature) {
    const verified = await verifyWebhookSignature({
      payload: webhook.body,
      header: signature,
      secret: key,
      now: Math.floor(Date.now() / 1000),
    })
    expect(verified, 'Coinflow-Signature').toMatchObject({ ok: true })
  } else {
    expect(timingSafeEqual(webhook.headers.get('Authorization') ?? '', key)).toBe(true)
  }
}

const eventName = (webhook: ReceivedWebhook) =>
  webhook.vendor === 'persona'
    ? (JSON.parse(webhook.body).data.attributes.name as string)
    : (JSON.parse(webhook.body).eventType as string)

describe('conformance: Persona (what the kit calls)', () => {
  let inquiryId: string

  it('creates an inquiry once per Idempotency-Key, with the headers Persona documents', async () => {
    const body = {
      data: {
        attributes: {
          'inquiry-template-id': target.persona.templateId,
          'reference-id': run,
          fields: inquiryFieldsOf(sandboxPeople.usVerified),
        },
      },
    }
    const created = await persona('POST', '/inquiries', { json: body, key: `${run}-inquiry` })
    expect(created.status).toBe(201)
    expect(created.headers.get('Request-Id')).toMatch(/\S/)
    inquiryId = created.body.data.id
    const replayed = await persona('POST', '/inquiries', { json: body, key: `${run}-inquiry` })
    expect(replayed.body.data.id).toBe(inquiryId)
  })

  it('retrieves it, finds it by reference id and hands out a one-time link', async () => {
    const retrieved = await persona('GET', `/inquiries/${inquiryId}`)
    expect(retrieved.body.data.attributes['reference-id']).toBe(run)
    const listed = await persona('GET', `/inquiries?filter[reference-id]=${run}`)
    expect(listed.body.data.map((inquiry: { id: string }) => inquiry.id)).toContain(inquiryId)
    const link = await persona('POST', `/inquiries/${inquiryId}/generate-one-time-link`, {
      key: `${run}-link`,
    })
    expect(new URL(link.body.meta['one-time-link']).protocol).toMatch(/^https?:$/)
  })

  it('completes it in the sandbox and shares it with Coinflow’s connection, then expires the token', async () => {
    const simulated = await persona('POST', `/inquiries/${inquiryId}/perform-simulate-actions`, {
      json: {
        meta: { 'simulate-actions': [{ type: 'start_inquiry' }, { type: 'complete_inquiry' }] },
      },
    })
    expect(simulated.body.data.attributes.status).toBe('completed')
    const token = await persona('POST', '/connect/share-tokens', {
      key: `${run}-share`,
      json: {
        data: {
          attributes: { 'connection-id': target.persona.connectionId, 'source-id': inquiryId },
        },
      },
    })
    expect(token.status).toBe(201)
    expect(token.body.data.attributes.status).toBe('created')
    const tokenId = token.body.data.id as string
    expect((await persona('GET', `/connect/share-tokens/${tokenId}`)).status).toBe(200)
    const expired = await persona('POST', `/connect/share-tokens/${tokenId}/expire`)
    expect(expired.body.data.attributes.status).toBe('expired')
  })

  it('answers an unknown inquiry with 404 in its error envelope', async () => {
    const missing = await persona('GET', '/inquiries/inq_ConformanceNoSuchInquiry01')
    expect(missing.status).toBe(404)
    expect(missing.body.errors[0].title).toMatch(/\S/)
  })

  it('signs the inquiry’s webhooks as documented', async (context) => {
    if (!target.webhooks) return context.skip('no webhook receiver configured')
    for (const name of ['inquiry.created', 'inquiry.completed']) {
      const webhook = await target.webhooks.waitFor(
        (w) =>
          w.vendor === 'persona' &&
          eventName(w) === name &&
          w.body.includes(inquiryId) /* the payload is this inquiry */,
        name,
      )
      await expectPersonaWebhookVerified(webhook)
    }
  })
})

describe('conformance: Coinflow (what the kit calls)', () => {
  const userId = run
  let account: string

  it('registers a US withdrawer with the sandbox’s identity and finds it approved', async () => {
    const registered = await coinflow('POST', '/withdraw/kyc', {
      userId,
      json: { info: kycInfoOf(sandboxPeople.usVerified) },
    })
    expect(registered.status).toBe(200)
    const withdrawer = await coinflow('GET', '/withdraw', { userId })
    expect(withdrawer.status).toBe(200)
    expect(withdrawer.body.withdrawer.verification.status).toBe('approved')
  })

  it('mints a session key for the withdrawer', async () => {
    const key = await coinflow('GET', '/auth/session-key', { userId })
    expect(key.body.key.split('.')).toHaveLength(3)
  })

  it('links a bank account, quotes a payout to it and pays it once per idempotency key', async () => {
    const linked = await coinflow('POST', '/withdraw/account', {
      userId,
      json: { alias: 'Conformance checking', ...sandboxAccounts.usChecking },
    })
    account = linked.body.withdrawer.bankAccounts.at(-1).token
    const terms = { speed: 'standard', account, userId, amount: { cents: 1_00 } }
    const quote = await coinflow('POST', '/merchant/withdraws/payout/delegated/quote', {
      json: terms,
    })
    expect(quote.body.quote).toEqual({ cents: 1_00, currency: 'USD' })
    const request = { ...terms, idempotencyKey: `${run}-payout` }
    const paid = await coinflow('POST', '/merchant/withdraws/payout/delegated', { json: request })
    const again = await coinflow('POST', '/merchant/withdraws/payout/delegated', { json: request })
    expect(again.body).toEqual(paid.body)
    const balance = await coinflow('GET', '/merchant/withdraws/payout/balance')
    expect(balance.body.balance.cents).toBeGreaterThanOrEqual(0)
  })

  it('signs its KYC and Withdraw webhooks as documented', async (context) => {
    if (!target.webhooks) return context.skip('no webhook receiver configured')
    for (const name of ['KYC Created', 'Withdraw Pending']) {
      const webhook = await target.webhooks.waitFor(
        (w) => w.vendor === 'coinflow' && eventName(w) === name && w.body.includes(userId),
        name,
      )
      await expectCoinflowWebhookVerified(webhook)
    }
  })
})
