import { ErrorEnvelope } from '@shareflow/contract'
import { describe, expect, it } from 'vitest'
import { createShareflowApp } from '../app'
import { createManualClock } from '../emulator'
import { KycRecord, kycKeys } from '../kyc/record'
import { createMemoryLogger } from '../logger'
import { putJson } from '../store/records'
import { createMemoryStore } from '../store/memory'
import { signWebhook } from '../webhooks/signature'

const OLD_SECRET = 'wbhsec_old_rotating_out'
const NEW_SECRET = 'wbhsec_new_rotating_in'
const COINFLOW_KEY = 'coinflow_validation_key_for_tests'

function setup(options: { toleranceSeconds?: number } = {}) {
  const clock = createManualClock()
  const store = createMemoryStore({ clock })
  const logger = createMemoryLogger({ clock })
  const app = createShareflowApp({
    getUser: () => null,
    persona: {
      apiKey: 'persona_sandbox_unit',
      templateId: 'itmpl_unit',
      connectionId: 'cxn_unit',
      webhookSecrets: [OLD_SECRET, NEW_SECRET],
    },
    coinflow: { apiKey: 'coinflow_unit', merchantId: 'merchant', webhookKey: COINFLOW_KEY },
    fetch: async () => {
      throw new Error('webhooks never call a vendor')
    },
    store,
    logger,
    clock,
    // The receiver's tolerance is what these tests check, against a clock they move.
    webhookClock: clock,
    webhookToleranceSeconds: options.toleranceSeconds,
  })
  const nowSeconds = () => Math.floor(clock.now() / 1000)
  return { app, store, clock, logger, nowSeconds }
}

let sequence = 0
function inquiryEvent(
  name: string,
  status: string,
  { userId = 'user-1', createdAt = '2026-11-22T12:00:00.000Z', id = `evt_${++sequence}` } = {},
) {
  return JSON.stringify({
    data: {
      type: 'event',
      id,
      attributes: {
        name,
        'created-at': createdAt,
        payload: {
          data: {
            type: 'inquiry',
            id: 'inq_1',
            attributes: {
              status,
              'reference-id': userId,
              'created-at': '2026-11-22T11:00:00.000Z',
              'name-first': 'Jane',
              birthdate: '1990-04-12',
            },
          },
        },
      },
    },
  })
}

async function postPersona(
  app: ReturnType<typeof setup>['app'],
  body: string,
  header: string | null,
) {
  return app.request('/webhooks/persona', {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      ...(header ? { 'Persona-Signature': header } : {}),
    },
    body,
  })
}

const kycState = async (app: ReturnType<typeof setup>['app'], userId = 'user-1') =>
  (await app.shareflow.kyc.current(userId)).state

describe('Persona webhook receiver', () => {
  it('applies a delivery signed with either secret during a rotation', async () => {
    const { app, nowSeconds } = setup()
    for (const secret of [OLD_SECRET, NEW_SECRET]) {
      const body = inquiryEvent('inquiry.started', 'pending')
      const header = await signWebhook({ payload: body, secret, timestamp: nowSeconds() })
      expect((await postPersona(app, body, header)).status).toBe(200)
    }
    const both = inquiryEvent('inquiry.completed', 'completed', {
      createdAt: '2026-11-22T12:00:01.000Z',
    })
    const header = await signWebhook({
      payload: both,
      secret: ['wbhsec_unknown', NEW_SECRET],
      timestamp: nowSeconds(),
    })
    expect((await postPersona(app, both, header)).status).toBe(200)
    expect(await kycState(app)).toBe('sharing')
  })

  it.each([
    [
      'forged with another secret',
      async (body: string, t: number) =>
        signWebhook({ payload: body, secret: 'wbhsec_attacker', timestamp: t }),
    ],
    ['missing its signature', async () => null],
    [
      'signed for a different body',
      async (_: string, t: number) =>
        signWebhook({
          payload: inquiryEvent('inquiry.approved', 'approved'),
          secret: NEW_SECRET,
          timestamp: t,
        }),
    ],
    ['garbled', async () => 't=abc,v1=zz'],
    [
      'stale (older than 300 s)',
      async (body: string, t: number) =>
        signWebhook({ payload: body, secret: NEW_SECRET, timestamp: t - 301 }),
    ],
    [
      'from the future',
      async (body: string, t: number) =>
        signWebhook({ payload: body, secret: NEW_SECRET, timestamp: t + 301 }),
    ],
  ])('refuses a delivery %s, in the envelope, changing nothing', async (_, sign) => {
    const { app, nowSeconds, logger } = setup()
    const body = inquiryEvent('inquiry.completed', 'completed')
    const response = await postPersona(app, body, await sign(body, nowSeconds()))
    expect(response.status).toBe(403)
    expect(ErrorEnvelope.parse(await response.json()).error.code).toBe('forbidden')
    expect(await kycState(app)).toBe('unverified')
    expect(logger.lines.join('\n')).not.toContain('Jane')
  })

  it('honours a configured timestamp tolerance', async () => {
    const { app, nowSeconds } = setup({ toleranceSeconds: 900 })
    const body = inquiryEvent('inquiry.completed', 'completed')
    const header = await signWebhook({
      payload: body,
      secret: NEW_SECRET,
      timestamp: nowSeconds() - 600,
    })
    expect((await postPersona(app, body, header)).status).toBe(200)
  })

  it('applies a duplicated or replayed event once', async () => {
    const { app, nowSeconds } = setup()
    const events: string[] = []
    await app.shareflow.events.subscribe('user-1', (entry) => void events.push(entry.id))
    const body = inquiryEvent('inquiry.completed', 'completed', { id: 'evt_dup' })
    const header = await signWebhook({ payload: body, secret: NEW_SECRET, timestamp: nowSeconds() })
    const first = await postPersona(app, body, header)
    const replayed = await postPersona(app, body, header)
    const resigned = await postPersona(
      app,
      body,
      await signWebhook({ payload: body, secret: NEW_SECRET, timestamp: nowSeconds() + 5 }),
    )
    expect(await first.json()).toEqual({ received: true })
    expect(await replayed.json()).toEqual({ received: true, duplicate: true })
    expect(await resigned.json()).toEqual({ received: true, duplicate: true })
    expect(events).toHaveLength(1)
  })

  it('ignores an event older than one already applied (out-of-order delivery)', async () => {
    const { app, nowSeconds } = setup()
    const newer = inquiryEvent('inquiry.completed', 'completed', {
      createdAt: '2026-11-22T12:00:05.000Z',
    })
    const older = inquiryEvent('inquiry.started', 'pending', {
      createdAt: '2026-11-22T12:00:01.000Z',
    })
    for (const body of [newer, older]) {
      const header = await signWebhook({
        payload: body,
        secret: NEW_SECRET,
        timestamp: nowSeconds(),
      })
      expect((await postPersona(app, body, header)).status).toBe(200)
    }
    expect(await kycState(app)).toBe('sharing')
  })

  it('answers malformed and oversized bodies in the envelope, never a 500', async () => {
    const { app, nowSeconds } = setup()
    for (const body of ['{not json', '{"data":{"type":"event"}}', '[]']) {
      const header = await signWebhook({
        payload: body,
        secret: NEW_SECRET,
        timestamp: nowSeconds(),
      })
      const response = await postPersona(app, body, header)
      expect(response.status, body).toBe(400)
      expect(ErrorEnvelope.parse(await response.json()).error.code).toBe('invalid_request')
    }
    const huge = JSON.stringify({ padding: 'x'.repeat(100_000) })
    const response = await postPersona(app, huge, 't=1,v1=00')
    expect(response.status).toBe(413)
    expect(ErrorEnvelope.parse(await response.json()).error.code).toBe('payload_too_large')
  })
})

const withdrawPacket = (eventType: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    eventType,
    category: 'Withdraw',
    created: '2026-11-22T12:00:00.000Z',
    data: {
      wallet: 'merchantʬuser-1',
      blockchain: 'user',
      signature: 'sig_1',
      userId: 'user-1',
      idempotencyKey: 'payout-key-1',
      ...extra,
    },
  })

async function postCoinflow(
  app: ReturnType<typeof setup>['app'],
  body: string,
  headers: Record<string, string>,
) {
  return app.request('/webhooks/coinflow', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body,
  })
}

describe('Coinflow webhook receiver', () => {
  it('accepts the validation key in Authorization, or a valid Coinflow-Signature', async () => {
    const { app, nowSeconds } = setup()
    const seen: string[] = []
    app.shareflow.webhooks.onCoinflowWithdrawEvent.add((event) => void seen.push(event.eventType))
    expect(
      (await postCoinflow(app, withdrawPacket('Withdraw Pending'), { Authorization: COINFLOW_KEY }))
        .status,
    ).toBe(200)
    const body = withdrawPacket('Withdraw Success')
    const signature = await signWebhook({
      payload: body,
      secret: COINFLOW_KEY,
      timestamp: nowSeconds(),
    })
    expect((await postCoinflow(app, body, { 'Coinflow-Signature': signature })).status).toBe(200)
    expect(seen).toEqual(['Withdraw Pending', 'Withdraw Success'])
  })

  it.each([
    ['a wrong Authorization key', { Authorization: 'coinflow_validation_key_for_testX' }],
    ['no credentials', {}],
    [
      'a bad signature, even beside the right key',
      { 'Coinflow-Signature': 't=1,v1=' + '0'.repeat(64), Authorization: COINFLOW_KEY },
    ],
  ])('refuses %s', async (_, headers) => {
    const { app } = setup()
    const seen: string[] = []
    app.shareflow.webhooks.onCoinflowWithdrawEvent.add((event) => void seen.push(event.eventType))
    const response = await postCoinflow(
      app,
      withdrawPacket('Withdraw Success'),
      headers as Record<string, string>,
    )
    expect(response.status).toBe(403)
    expect(ErrorEnvelope.parse(await response.json()).error.code).toBe('forbidden')
    expect(seen).toEqual([])
  })

  it('delivers Withdraw events to the payouts hook once, and again after a failed attempt', async () => {
    const { app } = setup()
    let failures = 1
    const seen: unknown[] = []
    app.shareflow.webhooks.onCoinflowWithdrawEvent.add((event) => {
      if (failures-- > 0) throw new Error('ledger unavailable')
      seen.push(event.data)
    })
    const body = withdrawPacket('Withdraw Failure')
    const failed = await postCoinflow(app, body, { Authorization: COINFLOW_KEY })
    expect(failed.status).toBe(500)
    expect(ErrorEnvelope.parse(await failed.json()).error.code).toBe('internal')
    expect((await postCoinflow(app, body, { Authorization: COINFLOW_KEY })).status).toBe(200)
    expect((await postCoinflow(app, body, { Authorization: COINFLOW_KEY })).status).toBe(200)
    expect(seen).toEqual([expect.objectContaining({ idempotencyKey: 'payout-key-1' })])
  })

  it('applies a retried delivery whose first attempt died mid-way, but not one that landed', async () => {
    const { app, clock } = setup()
    const seen: unknown[] = []
    let attempt = 0
    app.shareflow.webhooks.onCoinflowWithdrawEvent.add(async (event) => {
      // The first attempt's instance dies while applying it: it never answers or lets go.
      if (attempt++ === 0) await new Promise<void>(() => {})
      seen.push(event.data)
    })
    const body = withdrawPacket('Withdraw Success')
    void postCoinflow(app, body, { Authorization: COINFLOW_KEY })
    await new Promise((resolve) => setTimeout(resolve, 10))

    const meanwhile = await postCoinflow(app, body, { Authorization: COINFLOW_KEY })
    expect(await meanwhile.json()).toEqual({ received: true, duplicate: true })
    clock.advance(61_000)
    expect(await (await postCoinflow(app, body, { Authorization: COINFLOW_KEY })).json()).toEqual({
      received: true,
    })
    clock.advance(86_400_000)
    const later = await postCoinflow(app, body, { Authorization: COINFLOW_KEY })
    expect(await later.json()).toEqual({ received: true, duplicate: true })
    expect(seen).toEqual([expect.objectContaining({ idempotencyKey: 'payout-key-1' })])
  })

  it('approves the user named in a KYC Success webhook, and ignores an older KYC Failure', async () => {
    const { app, store, clock } = setup()
    const at = new Date(clock.now()).toISOString()
    await putJson(store, kycKeys.record('user-1'), KycRecord, {
      v: 1,
      inquiriesCreated: 1,
      updatedAt: at,
      inquiry: { id: 'inq_1', status: 'completed', createdAt: at, eventAt: at },
      share: { attempt: 1, inquiryId: 'inq_1', step: 'done', startedAt: at, tokenId: 'cnst_1' },
      coinflow: { status: 'pending', checkedAt: at, eventAt: null },
    })
    const kyc = (eventType: string, created: string) =>
      JSON.stringify({
        eventType,
        category: 'KYC',
        created,
        data: { wallet: 'merchantʬuser-1', blockchain: 'user', email: 'a@b.co' },
      })
    expect(
      (
        await postCoinflow(app, kyc('KYC Success', '2026-11-22T12:00:02.000Z'), {
          Authorization: COINFLOW_KEY,
        })
      ).status,
    ).toBe(200)
    expect(
      (
        await postCoinflow(app, kyc('KYC Failure', '2026-11-22T12:00:01.000Z'), {
          Authorization: COINFLOW_KEY,
        })
      ).status,
    ).toBe(200)
    expect(await kycState(app)).toBe('approved')
    // A KYC webhook for another merchant's user changes nothing here.
    const foreign = JSON.stringify({
      eventType: 'KYC Failure',
      category: 'KYC',
      created: '2026-11-22T12:00:09.000Z',
      data: { wallet: 'otherʬuser-1', blockchain: 'user', email: 'a@b.co' },
    })
    expect((await postCoinflow(app, foreign, { Authorization: COINFLOW_KEY })).status).toBe(200)
    expect(await kycState(app)).toBe('approved')
  })

  it('keeps emails and keys out of the log', async () => {
    const { app, logger } = setup()
    await postCoinflow(app, withdrawPacket('Withdraw Success', { email: 'person@example.com' }), {
      Authorization: 'wrong-key-attempt',
    })
    await postCoinflow(app, withdrawPacket('Withdraw Success', { email: 'person@example.com' }), {
      Authorization: COINFLOW_KEY,
    })
    const log = logger.lines.join('\n')
    expect(log).not.toContain('person@example.com')
    expect(log).not.toContain(COINFLOW_KEY)
    expect(log).not.toContain('wrong-key-attempt')
  })
})
