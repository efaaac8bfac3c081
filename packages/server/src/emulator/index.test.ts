import { afterEach, describe, expect, it } from 'vitest'
import { expectFetchMatchesSpec } from '../../test/openapi'
import { COINFLOW_PERSONA_CONNECTION_ID } from './coinflow'
import { createEmulator, createManualClock, type Emulator } from './index'
import { janeDoe } from './persona/test-harness'

let emulator: Emulator
afterEach(() => emulator?.close())

const PERSONA = 'https://api.withpersona.com'
const COINFLOW = 'https://api-sandbox.coinflow.cash'
const HOSTED = 'http://localhost:3000'
const personaHeaders = {
  Authorization: 'Bearer persona_sandbox_key',
  'Content-Type': 'application/json',
}
const coinflowUser = (userId: string) => ({
  Authorization: 'coinflow_sandbox_key',
  'x-coinflow-auth-user-id': userId,
  'Content-Type': 'application/json',
})

/** What a BFF does with `emulator.fetch`: real vendor URLs, every answer checked against the spec. */
async function personaCall(method: string, path: string, body?: unknown) {
  const response = await emulator.fetch(`${PERSONA}${path}`, {
    method,
    headers: personaHeaders,
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  return {
    status: response.status,
    body: await expectFetchMatchesSpec('persona', method, path, response),
  }
}

async function coinflowCall(method: string, path: string, userId: string, body?: unknown) {
  const response = await emulator.fetch(`${COINFLOW}${path}`, {
    method,
    headers: coinflowUser(userId),
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  return {
    status: response.status,
    body: await expectFetchMatchesSpec('coinflow', method, path, response),
  }
}

async function control(method: string, path: string, body?: unknown) {
  const response = await emulator.fetch(`${PERSONA}/__emulator${path}`, {
    method,
    headers: { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  return { status: response.status, body: await response.json() }
}

/** A person completes the hosted flow behind a one-time link, as in a browser. */
async function personCompletes(referenceId: string, fields: Record<string, string> = {}) {
  const created = await personaCall('POST', '/api/v1/inquiries', {
    data: { attributes: { 'inquiry-template-id': 'itmpl_Shareflow', 'reference-id': referenceId } },
    meta: { 'auto-create-one-time-link': true },
  })
  const page = await (await emulator.fetch(created.body.meta['one-time-link'])).text()
  const token = /name="session-token" value="([^"]+)"/.exec(page)![1]!
  const form = new URLSearchParams({
    'inquiry-id': created.body.data.id,
    'session-token': token,
    ...janeDoe,
    action: 'submit',
    ...fields,
  })
  const done = await emulator.fetch(`${HOSTED}/persona/verify`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: form.toString(),
  })
  expect(done.status).toBe(200)
  return created.body.data.id as string
}

async function shareWithCoinflow(inquiryId: string, userId: string) {
  const token = await personaCall('POST', '/api/v1/connect/share-tokens', {
    data: {
      attributes: { 'connection-id': COINFLOW_PERSONA_CONNECTION_ID, 'source-id': inquiryId },
    },
  })
  expect(token.status).toBe(201)
  const registered = await coinflowCall('POST', '/api/withdraw/kyc/share-token', userId, {
    vendor: 'persona',
    shareToken: token.body.data.id,
    email: 'jane@example.com',
  })
  return { token: token.body.data.id as string, registered }
}

/** Shares the inquiry and redeems the token over Persona's API; returns the token id. */
async function redeemShared(inquiryId: string) {
  const token = await personaCall('POST', '/api/v1/connect/share-tokens', {
    data: {
      attributes: { 'connection-id': COINFLOW_PERSONA_CONNECTION_ID, 'source-id': inquiryId },
    },
  })
  await personaCall('POST', `/api/v1/connect/share-tokens/${token.body.data.id}/redeem`)
  return token.body.data.id as string
}

describe('createEmulator: one world behind the vendors’ own URLs', () => {
  it('routes Persona, Coinflow and hosted-page URLs to their apps and refuses any other host', async () => {
    emulator = createEmulator({ clock: createManualClock() })
    expect((await emulator.fetch(`${PERSONA}/api/v1/inquiries`)).status).toBe(401)
    expect(
      (await emulator.fetch(`${PERSONA}/api/v1/inquiries`, { headers: personaHeaders })).status,
    ).toBe(200)
    expect(
      (await emulator.fetch(`${COINFLOW}/api/withdraw`, { headers: coinflowUser('nobody') }))
        .status,
    ).toBe(401)
    expect((await emulator.fetch(`${HOSTED}/persona/flow.css`)).status).toBe(200)
    await expect(emulator.fetch('https://example.com/')).rejects.toThrow(
      'The emulator does not serve https://example.com',
    )
  })

  it('tells a person who opens the hosted origin itself where each hosted page comes from', async () => {
    emulator = createEmulator({
      clock: createManualClock(),
      coinflowBaseUrl: 'http://127.0.0.1:4020',
      coinflow: { merchantId: 'merchant-<1>' },
    })
    const home = await emulator.fetch(`${HOSTED}/`)
    expect(home.status).toBe(200)
    expect(home.headers.get('content-type')).toMatch(/^text\/html/)
    const page = await home.text()
    expect(page).toContain(
      'https://api.withpersona.com/api/v1/inquiries/&#60;inquiry-id&#62;/generate-one-time-link',
    )
    expect(page).toContain('/solana/withdraw/merchant-&#60;1&#62;?sessionKey=')
    expect(page).toContain('GET http://127.0.0.1:4020/api/withdraw')
    expect(page).toContain('href="/__emulator"')
    expect((await emulator.fetch(`${PERSONA}/`)).status).toBe(404)
  })

  it('serves other base URLs when configured', async () => {
    emulator = createEmulator({
      clock: createManualClock(),
      personaBaseUrl: 'http://127.0.0.1:4010',
      coinflowBaseUrl: 'http://127.0.0.1:4020/api',
    })
    const response = await emulator.fetch('http://127.0.0.1:4010/api/v1/inquiries', {
      headers: personaHeaders,
    })
    expect(response.status).toBe(200)
    await expect(emulator.fetch(`${PERSONA}/api/v1/inquiries`)).rejects.toThrow(TypeError)
  })

  it('completes the round trip: hosted inquiry → share token → Coinflow approves → token redeemed', async () => {
    emulator = createEmulator({ clock: createManualClock() })
    const inquiryId = await personCompletes('user-1')
    expect(
      (await personaCall('GET', `/api/v1/inquiries/${inquiryId}`)).body.data.attributes.status,
    ).toBe('completed')
    const { token, registered } = await shareWithCoinflow(inquiryId, 'user-1')
    expect(registered.status).toBe(200)
    expect(registered.body.withdrawer.verification.status).toBe('pending')

    emulator.clock.advance(5_000)
    await emulator.flush()
    const redeemed = await personaCall('GET', `/api/v1/connect/share-tokens/${token}`)
    expect(redeemed.body.data.attributes.status).toBe('redeemed')
    const withdrawer = await coinflowCall('GET', '/api/withdraw', 'user-1')
    expect(withdrawer.status).toBe(200)
    expect(withdrawer.body.withdrawer.verification.status).toBe('approved')
  })

  it('ends with 451 and a verification link when the person’s address was lost (Noaddress)', async () => {
    emulator = createEmulator({ clock: createManualClock() })
    const inquiryId = await personCompletes('user-2', { 'name-last': 'Noaddress' })
    const { registered } = await shareWithCoinflow(inquiryId, 'user-2')
    expect(registered.status).toBe(200)
    emulator.clock.advance(5_000)
    await emulator.flush()
    const withdrawer = await coinflowCall('GET', '/api/withdraw', 'user-2')
    expect(withdrawer.status).toBe(451)
    expect(withdrawer.body.verificationLink).toMatch(/^http:\/\/localhost:3000\//)
  })

  it("is rejected by Coinflow for its sandbox values typed into Persona's flow (ID …9999, zip 99999)", async () => {
    emulator = createEmulator({ clock: createManualClock() })
    const inquiryId = await personCompletes('user-6', {
      'identification-number': '123-45-9999',
      'address-postal-code': '99999',
    })
    const { registered } = await shareWithCoinflow(inquiryId, 'user-6')
    expect(registered.status).toBe(200)
    emulator.clock.advance(5_000)
    await emulator.flush()
    const withdrawer = await coinflowCall('GET', '/api/withdraw', 'user-6')
    expect(withdrawer.status).toBe(451)
    expect(withdrawer.body.verification.status).toBe('rejected')
  })

  it('cannot share a declined inquiry (Decline), so Coinflow never sees the person', async () => {
    emulator = createEmulator({ clock: createManualClock() })
    const inquiryId = await personCompletes('user-3', { 'name-last': 'Decline' })
    const token = await personaCall('POST', '/api/v1/connect/share-tokens', {
      data: {
        attributes: { 'connection-id': COINFLOW_PERSONA_CONNECTION_ID, 'source-id': inquiryId },
      },
    })
    expect(token.status).toBe(422)
    // Coinflow's spec lists no 401 here; the sandbox answers one for an unknown user.
    const unknown = await emulator.fetch(`${COINFLOW}/api/withdraw`, {
      headers: coinflowUser('user-3'),
    })
    expect(unknown.status).toBe(401)
  })

  it('runs due work by itself on the system clock', async () => {
    emulator = createEmulator({ heartbeatMs: 10, persona: { redeemDelayMs: 30 } })
    const inquiryId = await personCompletes('user-4')
    const token = await redeemShared(inquiryId)
    await expect
      .poll(
        async () =>
          (await personaCall('GET', `/api/v1/connect/share-tokens/${token}`)).body.data.attributes
            .status,
        {
          timeout: 2_000,
        },
      )
      .toBe('redeemed')
  })
})

describe('createEmulator: ids', () => {
  /** What a host's logs would record of one emulator: the ids of its first Persona answer. */
  async function firstAnswerIds(options: Parameters<typeof createEmulator>[0]) {
    emulator = createEmulator({ clock: createManualClock(), ...options })
    const response = await emulator.fetch(`${PERSONA}/api/v1/inquiries`, {
      headers: personaHeaders,
    })
    emulator.close()
    return ['Persona-Environment-Id', 'Persona-Organization-Id', 'Request-Id'].map((name) =>
      response.headers.get(name),
    )
  }

  it('gives each emulator its own environment, organization and request ids unless seeded', async () => {
    const [a, b] = [await firstAnswerIds({}), await firstAnswerIds({})]
    for (const [index, id] of a.entries()) {
      expect(id).toMatch(/^(env|org|req)_[A-Za-z0-9]{24}$/)
      expect(b[index]).not.toBe(id)
    }
  })

  it('repeats every id for the same seed, and reports the seed it drew so a run can be repeated', async () => {
    expect(await firstAnswerIds({ seed: 5 })).toEqual(await firstAnswerIds({ seed: 5 }))
    emulator = createEmulator({ clock: createManualClock() })
    const drawn = emulator.world.seed
    const ids = await firstAnswerIds({ seed: drawn })
    expect(await firstAnswerIds({ seed: drawn })).toEqual(ids)
    emulator = createEmulator({ clock: createManualClock(), seed: drawn })
    expect((await control('GET', '')).body.seed).toBe(drawn)
  })
})

describe('createEmulator: the control endpoint', () => {
  it('lists itself on every app without shadowing vendor paths', async () => {
    emulator = createEmulator({ clock: createManualClock() })
    for (const base of [PERSONA, COINFLOW, HOSTED]) {
      const index = await emulator.fetch(`${base}/__emulator`)
      expect(index.status).toBe(200)
      expect((await index.json()).endpoints).toContain('PATCH /__emulator/faults/:vendor')
    }
    const unknown = await control('GET', '/nope')
    expect(unknown).toEqual({
      status: 404,
      body: { error: { message: expect.stringContaining('GET /__emulator') } },
    })
  })

  it('reads and sets faults, refusing values out of range', async () => {
    emulator = createEmulator({ clock: createManualClock() })
    const set = await control('PATCH', '/faults/persona', { errorRate: 1, latencyMs: 5 })
    expect(set.body).toMatchObject({ errorRate: 1, latencyMs: 5, timeoutRate: 0 })
    expect(
      (await emulator.fetch(`${PERSONA}/api/v1/inquiries`, { headers: personaHeaders })).status,
    ).toBe(503)
    // A patch changes only what it names.
    const latencyOnly = await control('PATCH', '/faults/persona', { latencyMs: 0 })
    expect(latencyOnly.body).toMatchObject({ errorRate: 1, latencyMs: 0 })
    expect((await control('PATCH', '/faults/persona', { errorRate: 2 })).status).toBe(400)
    expect((await control('PATCH', '/faults/persona', { sparkles: 1 })).status).toBe(400)
    expect((await control('PATCH', '/faults/stripe', { errorRate: 1 })).status).toBe(404)
    const cleared = await control('DELETE', '/faults')
    expect(cleared.body.persona.errorRate).toBe(0)
    expect((await control('GET', '/faults')).body.coinflow).toMatchObject({ errorRate: 0 })
  })

  it('moves the clock and runs what became due, raising its webhooks', async () => {
    const received: string[] = []
    emulator = createEmulator({
      clock: createManualClock(),
      persona: { webhooks: [{ url: 'https://host.test/persona', secret: 'wbhsec_1' }] },
      webhookFetch: async (_, init) => {
        received.push(JSON.parse(String(init?.body)).data.attributes.name)
        return new Response(null, { status: 204 })
      },
    })
    const inquiryId = await personCompletes('user-5')
    const token = await redeemShared(inquiryId)
    const before = (await control('GET', '/clock')).body.now
    const moved = await control('POST', '/clock/advance', { seconds: 2 })
    expect(moved.body.now).toBe(before + 2_000)
    await control('POST', '/webhooks/flush')
    expect(received.at(-1)).toBe('connect/share-token.outbound-redeemed')

    const listed = await control('GET', '/webhooks')
    expect(listed.body.deliveries.at(-1)).toMatchObject({ vendor: 'persona', state: 'delivered' })
    expect(listed.body.deliveries[0]).not.toHaveProperty('body')
    const withBodies = await control('GET', '/webhooks?include=body')
    expect(withBodies.body.deliveries[0].body).toContain('"type":"event"')

    const set = await control('POST', '/clock/set', { time: '2027-01-01T00:00:00.000Z' })
    expect(set.body.iso).toBe('2027-01-01T00:00:00.000Z')
    expect((await control('POST', '/clock/advance', { ms: -5 })).status).toBe(400)
  })

  it('lists the newest finished deliveries it keeps and counts the ones it forgot', async () => {
    emulator = createEmulator({
      clock: createManualClock(),
      persona: { webhooks: [{ url: 'https://host.test/persona', secret: 'wbhsec_1' }] },
      webhookFetch: async () => new Response(null, { status: 204 }),
      retainWebhookDeliveries: 2,
    })
    await personCompletes('user-7')
    const listed = await control('POST', '/webhooks/flush')
    // The journey raised more than two events (inquiry created, started, completed, …).
    expect(listed.body.deliveries).toHaveLength(2)
    expect(listed.body.forgotten).toBeGreaterThan(0)
    expect(listed.body.deliveries.at(-1)).toMatchObject({ state: 'delivered' })
    expect((await control('GET', '/webhooks')).body.forgotten).toBe(listed.body.forgotten)
  })

  it('resets to an empty world that repeats the same ids', async () => {
    emulator = createEmulator({
      clock: createManualClock(),
      faults: { coinflow: { latencyMs: 1 } },
    })
    const first = await personaCall('POST', '/api/v1/inquiries', {
      data: { attributes: { 'inquiry-template-id': 'itmpl_A' } },
    })
    emulator.world.faults.persona.errorRate = 0.5
    const reset = await control('POST', '/reset')
    expect(reset.body.reset).toBe(true)
    expect(emulator.world.faults.persona.errorRate).toBe(0)
    expect(emulator.world.faults.coinflow.latencyMs).toBe(1)
    const again = await personaCall('POST', '/api/v1/inquiries', {
      data: { attributes: { 'inquiry-template-id': 'itmpl_A' } },
    })
    expect(again.body.data.id).toBe(first.body.data.id)
    expect((await personaCall('GET', '/api/v1/inquiries')).body.data).toHaveLength(1)
  })
})
