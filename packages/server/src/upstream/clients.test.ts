import { describe, expect, it } from 'vitest'
import { requestBodySchemaErrors } from '../../test/openapi'
import { ApiError } from '../errors'
import { createMemoryStore } from '../store/memory'
import { createCoinflowClient } from './coinflow'
import { createPersonaClient } from './persona'

interface Sent {
  method: string
  url: URL
  headers: Headers
  body: unknown
}

/** A vendor answering `reply(request)`; every request body must match the vendor's spec. */
function vendor(spec: 'persona' | 'coinflow', reply: (sent: Sent) => Response) {
  const sent: Sent[] = []
  const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init)
    const text = await request.text()
    const entry = {
      method: request.method,
      url: new URL(request.url),
      headers: request.headers,
      body: text ? JSON.parse(text) : undefined,
    }
    expect(requestBodySchemaErrors(spec, entry.method, entry.url.pathname, entry.body)).toEqual([])
    sent.push(entry)
    return reply(entry)
  }) as typeof globalThis.fetch
  return { fetch, sent }
}

const inquiry = (status: string) => ({
  data: {
    type: 'inquiry',
    id: 'inq_1',
    attributes: { status, 'reference-id': 'user-1', 'created-at': '2026-11-22T12:00:00.000Z' },
  },
  meta: { 'session-token': 'tok', 'one-time-link': 'https://withpersona.com/verify?code=abc' },
})

const noRetries = {
  retry: { maxAttempts: 2, baseDelayMs: 0, maxDelayMs: 0 },
  sleep: async () => {},
}

describe('Persona client', () => {
  const persona = (reply: (sent: Sent) => Response) => {
    const v = vendor('persona', reply)
    return {
      ...v,
      client: createPersonaClient({
        apiKey: 'persona_sandbox_k',
        store: createMemoryStore(),
        fetch: v.fetch,
        ...noRetries,
      }),
    }
  }

  it.each([
    ['itmpl_abc', 'inquiry-template-id'],
    ['tmpl_legacy', 'template-id'],
    ['itmplv_version', 'inquiry-template-version-id'],
  ])(
    'creates an inquiry from %s with the field Persona expects, pinned to 2025-12-08',
    async (templateId, field) => {
      const { client, sent } = persona(() => Response.json(inquiry('created'), { status: 201 }))
      const created = await client.createInquiry({
        templateId,
        referenceId: 'user-1',
        idempotencyKey: 'k1',
      })
      expect(created).toMatchObject({
        inquiry: { id: 'inq_1', status: 'created' },
        oneTimeLink: expect.stringMatching(/^https:/),
      })
      const [request] = sent
      expect(request?.body).toMatchObject({
        data: { attributes: { [field]: templateId, 'reference-id': 'user-1' } },
        meta: { 'auto-create-one-time-link': true, 'auto-create-inquiry-session': true },
      })
      expect(request?.headers.get('Persona-Version')).toBe('2025-12-08')
      expect(request?.headers.get('Authorization')).toBe('Bearer persona_sandbox_k')
      expect(request?.headers.get('Idempotency-Key')).toBe('k1')
    },
  )

  it('creates share tokens for the connection, and hands back Persona’s refusal titles', async () => {
    let answer = Response.json(
      { data: { type: 'connect/share-token', id: 'cnst_1', attributes: { status: 'created' } } },
      { status: 201 },
    )
    const { client, sent } = persona(() => answer)
    const created = await client.createShareToken({
      connectionId: 'cxn_1',
      sourceId: 'inq_1',
      idempotencyKey: 'k',
      expiresInSeconds: 600,
    })
    expect(created).toMatchObject({ ok: true, token: { id: 'cnst_1', status: 'created' } })
    expect(sent[0]?.body).toEqual({
      data: {
        attributes: { 'connection-id': 'cxn_1', 'source-id': 'inq_1', 'expires-in-seconds': 600 },
      },
    })
    answer = Response.json(
      { errors: [{ title: 'Record invalid', details: 'source is not completed' }] },
      { status: 422 },
    )
    expect(
      await client.createShareToken({
        connectionId: 'cxn_1',
        sourceId: 'inq_2',
        idempotencyKey: 'k2',
      }),
    ).toEqual({
      ok: false,
      status: 422,
      titles: ['Record invalid'],
    })
  })

  it('reads a missing inquiry as null and an unexpected body as an outage', async () => {
    let answer = Response.json({ errors: [{ title: 'Record not found' }] }, { status: 404 })
    const { client } = persona(() => answer)
    expect(await client.getInquiry('inq_missing')).toBeNull()
    answer = Response.json({ data: { type: 'inquiry' } })
    const error = await client.getInquiry('inq_1').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ApiError)
    expect(error).toMatchObject({ code: 'upstream_unavailable' })
  })

  it('marks an inquiry for review without a body', async () => {
    const { client, sent } = persona(() => Response.json(inquiry('needs_review')))
    expect(await client.markForReview('inq_1', 'k')).toMatchObject({
      ok: true,
      inquiry: { status: 'needs_review' },
    })
    expect(sent[0]?.body).toBeUndefined()
    expect(sent[0]?.url.pathname).toBe('/api/v1/inquiries/inq_1/mark-for-review')
  })

  it('lists the user’s inquiries by reference id', async () => {
    const { client, sent } = persona(() =>
      Response.json({ data: [inquiry('pending').data], links: { next: null, prev: null } }),
    )
    expect(await client.listInquiriesByReference('user 1')).toHaveLength(1)
    expect(sent[0]?.url.searchParams.get('filter[reference-id]')).toBe('user 1')
  })
})

describe('Coinflow client', () => {
  const coinflow = (reply: (sent: Sent) => Response) => {
    const v = vendor('coinflow', reply)
    return {
      ...v,
      client: createCoinflowClient({
        apiKey: 'cf_key',
        merchantId: 'm',
        fetch: v.fetch,
        ...noRetries,
      }),
    }
  }

  it('sends the raw API key and the user id, and reads an unregistered user as such', async () => {
    const { client, sent } = coinflow(() =>
      Response.json({ details: 'No withdrawer' }, { status: 401 }),
    )
    expect(await client.getWithdrawer('user-1')).toEqual({ kind: 'not_registered' })
    expect(sent[0]?.headers.get('Authorization')).toBe('cf_key')
    expect(sent[0]?.headers.get('x-coinflow-auth-user-id')).toBe('user-1')
    expect(sent[0]?.url.href).toBe('https://api-sandbox.coinflow.cash/api/withdraw')
  })

  it('reads a 451 as verification required, with the link', async () => {
    const { client } = coinflow(() =>
      Response.json(
        {
          verification: { status: 'pending', vendor: 'persona', reference: 'r' },
          verificationLink: 'https://sandbox.coinflow.cash/v/1',
          withdrawer: {},
        },
        { status: 451 },
      ),
    )
    expect(await client.getWithdrawer('user-1')).toMatchObject({
      kind: 'verification_required',
      verificationLink: 'https://sandbox.coinflow.cash/v/1',
      verification: { status: 'pending' },
    })
  })

  it('keeps only live accounts, in Coinflow’s own field names', async () => {
    const { client } = coinflow(() =>
      Response.json({
        withdrawer: {
          verification: { status: 'approved', vendor: 'persona', reference: 'r' },
          bankAccounts: [
            { token: 'b1', last4: '6789', alias: 'Checking', accountHash: 'h', reference: 'r' },
            {
              token: 'b2',
              last4: '0000',
              alias: 'Old',
              isDeleted: true,
              accountHash: 'h',
              reference: 'r',
            },
          ],
          ibans: [
            {
              token: 'i1',
              last4: '1234',
              alias: 'UK',
              sortCode: '202678',
              accountHash: 'h',
              reference: 'r',
            },
          ],
          pixes: [{ token: 'p1', key: '40882598074', accountHash: 'h' }],
        },
      }),
    )
    const lookup = await client.getWithdrawer('user-1')
    expect(lookup.kind === 'registered' && lookup.withdrawer.accounts).toEqual({
      bankAccounts: [{ token: 'b1', last4: '6789', alias: 'Checking' }],
      cards: [],
      ibans: [{ token: 'i1', last4: '1234', alias: 'UK', sortCode: '202678' }],
      pixes: [{ token: 'p1', key: '40882598074' }],
    })
  })

  it('never repeats a share-token registration on its own', async () => {
    const { client, sent } = coinflow(() =>
      Response.json({ details: 'unavailable' }, { status: 503 }),
    )
    const error = await client
      .registerWithShareToken({ userId: 'user-1', shareToken: 'cnst_1', email: 'a@b.co' })
      .catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'upstream_unavailable' })
    expect(sent).toHaveLength(1)
    expect(sent[0]?.body).toEqual({ vendor: 'persona', shareToken: 'cnst_1', email: 'a@b.co' })
  })

  it('sends the same payout idempotency key on every retry', async () => {
    let calls = 0
    const { client, sent } = coinflow(() =>
      ++calls === 1
        ? Response.json({ details: 'retry' }, { status: 503 })
        : Response.json({ signature: 'sig', effectiveSpeed: 'standard' }),
    )
    const result = await client.payoutDelegated({
      userId: 'user-1',
      account: 'b1',
      speed: 'same_day',
      amount: { cents: 100, currency: 'USD' },
      idempotencyKey: 'payout-1',
    })
    expect(result).toEqual({ kind: 'submitted', signature: 'sig', effectiveSpeed: 'standard' })
    expect(sent.map((s) => (s.body as { idempotencyKey: string }).idempotencyKey)).toEqual([
      'payout-1',
      'payout-1',
    ])
  })
})

describe('Persona client: the operator lane', () => {
  it('sends an operator’s call only while the shared window is at most half spent', async () => {
    let now = Date.parse('2026-12-01T09:00:00.000Z')
    const waits: number[] = []
    const v = vendor('persona', () => Response.json(inquiry('completed')))
    const client = createPersonaClient({
      apiKey: 'persona_sandbox_k',
      store: createMemoryStore({ clock: { now: () => now } }),
      fetch: v.fetch,
      clock: { now: () => now },
      // 52 a minute is 4 per five-second window: users may take all 4, operators the first 2.
      requestsPerMinute: 52,
      retry: { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 },
      sleep: async (ms) => {
        waits.push(ms)
        now += ms
      },
      random: () => 0,
    })
    for (let call = 0; call < 3; call++) await client.getInquiry('inq_1')
    expect(waits).toEqual([])
    const send = client.operatorSender()
    const answer = await send({
      operation: 'persona.getCase',
      method: 'GET',
      path: '/cases/case_1',
    })
    expect(answer.status).toBe(200)
    // Three of four spent: the operator waited for the next window; users never did.
    expect(waits).toHaveLength(1)
    expect(v.sent.map((s) => s.url.pathname)).toEqual([
      '/api/v1/inquiries/inq_1',
      '/api/v1/inquiries/inq_1',
      '/api/v1/inquiries/inq_1',
      '/api/v1/cases/case_1',
    ])
  })
})
