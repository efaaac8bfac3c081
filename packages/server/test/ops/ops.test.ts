/**
 * The operator side over real HTTP: the ops app made from the journey harness's BFF, mounted on
 * the host's staff prefix, against the emulator. Staff sign in through a header only this "host"
 * reads for staff; end users through their own session header.
 */
import {
  CaseFacts,
  ErrorEnvelope,
  JournalPage,
  OperatorUserRecord,
  RelationList,
  ReviewQueuePage,
} from '@shareflow/contract'
import { afterEach, describe, expect, it } from 'vitest'
import { createShareflowOps, type ShareflowOpsApp } from '../../src/ops'
import {
  BFF_ORIGIN,
  createJourneyHarness,
  PERSONA_API_KEY,
  type JourneyHarness,
} from '../journeys/harness'

const STAFF = '/staff/shareflow'
const reviewer = { id: 'staff-ana' }
const player = { id: 'player-7', email: 'player7@example.com' }

let harness: JourneyHarness
let ops: ShareflowOpsApp
const reviewsRequired: string[] = []
const personaEvents: string[] = []

function setUp() {
  harness = createJourneyHarness()
  reviewsRequired.length = 0
  personaEvents.length = 0
  ops = createShareflowOps(harness.app, {
    getOperator: (c) => (c.req.header('x-staff-session') === reviewer.id ? reviewer : null),
    cases: {
      templateId: 'ctmpl_PayoutReview',
      statuses: { Open: null, Pending: null, Approved: 'approve', Declined: 'decline' },
    },
    hooks: {
      onReviewRequired: (entry) => void reviewsRequired.push(`${entry.userId}:${entry.reason}`),
      onPersonaEvent: (event) => void personaEvents.push(event.name),
    },
  })
  harness.host.route(STAFF, ops)
  harness.signIn(player)
}
afterEach(() => harness?.close())

/** A request to the ops app, as `session` headers say (staff or an end user). */
function staff(headers: Record<string, string> = { 'x-staff-session': reviewer.id }) {
  const send = (method: string, path: string, body?: unknown) =>
    harness.host.request(`${BFF_ORIGIN}${STAFF}${path}`, {
      method,
      headers: {
        ...headers,
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
  return {
    get: (path: string) => send('GET', path),
    post: (path: string, body?: unknown) => send('POST', path, body),
  }
}

async function ok<T>(response: Response, schema: { parse(value: unknown): T }, status = 200) {
  expect(response.status, await response.clone().text()).toBe(status)
  return schema.parse(await response.json())
}

async function refused(response: Response, status: number, code: string) {
  expect(response.status, await response.clone().text()).toBe(status)
  expect(ErrorEnvelope.parse(await response.json()).error.code).toBe(code)
}

const personaWrites = () =>
  harness.vendorRequests.filter((r) => r.vendor === 'persona' && r.method === 'POST').length

describe('operator routes', () => {
  it('refuse an end user’s session on every route, changing nothing and sending no CORS', async () => {
    setUp()
    await harness.finishInquiry(player.id)
    const asPlayer = staff({ 'x-host-session': player.id, Origin: 'https://evil.test' })
    const before = personaWrites()
    for (const response of [
      await asPlayer.get('/review-queue'),
      await asPlayer.get(`/users/${player.id}`),
      await asPlayer.get('/journal'),
      await asPlayer.get('/merchant-balance'),
      await asPlayer.post(`/users/${player.id}/approve`, { reason: 'looks fine to me' }),
      await staff({}).post(`/users/${player.id}/decline`, { reason: 'no session at all' }),
      await staff({ 'x-staff-session': 'staff-someone-else' }).get('/review-queue'),
    ]) {
      await refused(response, 403, 'forbidden')
      expect(response.headers.get('access-control-allow-origin')).toBeNull()
    }
    expect(personaWrites()).toBe(before)
    expect((await ok(await staff().get('/journal'), JournalPage)).entries).toEqual([])
    expect((await harness.session(player.id)).kyc.state).toBe('sharing')
  })

  it('queue a user Persona sent to review, with why; an approval moves them on, journaled', async () => {
    setUp()
    await harness.finishInquiry(player.id)
    const marked = await staff().post(`/users/${player.id}/mark-for-review`, {
      reason: 'payout pattern flagged',
    })
    await ok(marked, OperatorUserRecord)
    await harness.advance(0)
    const queue = await ok(await staff().get('/review-queue'), ReviewQueuePage)
    expect(queue.entries).toEqual([
      { userId: player.id, reason: 'persona_review', since: expect.any(String) },
    ])
    expect(reviewsRequired).toEqual([`${player.id}:persona_review`])
    expect((await harness.session(player.id)).kyc).toMatchObject({
      state: 'pending',
      nextAction: 'wait',
    })

    const approved = await staff().post(`/users/${player.id}/approve`, {
      reason: 'selfie matches ID',
    })
    await ok(approved, OperatorUserRecord)
    await harness.advance(0)
    expect((await ok(await staff().get('/review-queue'), ReviewQueuePage)).entries).toEqual([])
    expect((await harness.session(player.id)).kyc).toMatchObject({
      state: 'sharing',
      nextAction: 'share',
    })

    const record = await ok(await staff().get(`/users/${player.id}`), OperatorUserRecord)
    expect(record.inquiry?.status).toBe('approved')
    expect(
      record.journal.map((entry) => [entry.action, entry.operatorId, entry.reason, entry.outcome]),
    ).toEqual([
      ['approve', reviewer.id, 'selfie matches ID', 'done'],
      ['mark_for_review', reviewer.id, 'payout pattern flagged', 'done'],
    ])
    // Ids and statuses: nothing the player typed into Persona's form.
    expect(JSON.stringify(record)).not.toMatch(/example\.com|Jane|Doe|\d{3}-\d{2}-\d{4}/)
    expect(personaEvents).toEqual(
      expect.arrayContaining(['inquiry.marked-for-review', 'inquiry.approved']),
    )
  })

  it('refuse a missing reason, an unknown user and a bad cursor, changing nothing', async () => {
    setUp()
    await harness.finishInquiry(player.id)
    const before = personaWrites()
    await refused(await staff().post(`/users/${player.id}/approve`, {}), 400, 'invalid_request')
    await refused(
      await staff().post(`/users/${player.id}/approve`, { reason: '  ' }),
      400,
      'invalid_request',
    )
    await refused(
      await staff().post('/users/nobody/approve', { reason: 'approve a ghost' }),
      404,
      'not_found',
    )
    await refused(await staff().get('/users/nobody'), 404, 'not_found')
    await refused(
      await staff().get('/review-queue?cursor=bm90LWEtY3Vyc29y'),
      400,
      'invalid_request',
    )
    expect(personaWrites()).toBe(before)
    expect((await ok(await staff().get('/journal'), JournalPage)).entries).toEqual([])
  })

  it('open a case, and a case approval moves the user on, once, whatever the webhooks repeat', async () => {
    setUp()
    await harness.finishInquiry(player.id)
    const opened = await ok(
      await staff().post(`/users/${player.id}/cases`, { reason: 'large first payout' }),
      CaseFacts,
      201,
    )
    expect(opened).toMatchObject({ status: 'Open', decision: null })
    await refused(
      await staff().post(`/cases/${opened.id}/set-status`, {
        reason: 'try it',
        status: 'Escalated',
      }),
      400,
      'invalid_request',
    )
    await refused(
      await staff().post('/cases/case_Unknown1/set-status', {
        reason: 'try it',
        status: 'Approved',
      }),
      404,
      'not_found',
    )
    const approved = await ok(
      await staff().post(`/cases/${opened.id}/set-status`, {
        reason: 'cleared by compliance',
        status: 'Approved',
      }),
      CaseFacts,
    )
    expect(approved).toMatchObject({ status: 'Approved', decision: 'approve' })
    await harness.advance(0)
    await harness.advance(1_000)
    expect((await harness.session(player.id)).kyc).toMatchObject({
      state: 'sharing',
      nextAction: 'share',
    })
    expect(harness.count('persona', 'POST', /\/inquiries\/[^/]+\/approve$/)).toBe(1)
    expect(personaEvents).toEqual(expect.arrayContaining(['case.created', 'case.status-updated']))
    const record = await ok(await staff().get(`/users/${player.id}`), OperatorUserRecord)
    expect(record.cases).toEqual([expect.objectContaining({ id: opened.id, status: 'Approved' })])
  })

  it('read an account’s relations by key (required), and the merchant balance', async () => {
    setUp()
    await refused(
      await staff().get('/accounts/act_Unknown1/relations?key=business'),
      404,
      'not_found',
    )
    await refused(await staff().get('/accounts/act_Unknown1/relations'), 400, 'invalid_request')
    const balance = await ok(await staff().get('/merchant-balance'), {
      parse: (value: unknown) => value as { balance: { cents: number; currency: string } },
    })
    expect(Number.isInteger(balance.balance.cents)).toBe(true)
  })

  it('serve their OpenAPI document to staff', async () => {
    setUp()
    const document = (await (await staff().get('/openapi.json')).json()) as {
      paths: Record<string, unknown>
    }
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining([
        '/review-queue',
        '/users/{userId}/approve',
        '/cases/{caseId}/set-status',
      ]),
    )
  })
})

describe('Persona events about cases', () => {
  it('apply a status set in Persona’s dashboard through the map, once, however often it is told', async () => {
    setUp()
    await harness.finishInquiry(player.id)
    const opened = await ok(
      await staff().post(`/users/${player.id}/cases`, { reason: 'second look' }),
      CaseFacts,
      201,
    )
    // A reviewer decides in Persona's dashboard, twice over; each raises case.status-updated.
    for (let time = 0; time < 2; time++) {
      const set = await harness.emulator.fetch(
        `https://api.withpersona.com/api/v1/cases/${opened.id}/set-status`,
        {
          method: 'POST',
          headers: {
            Authorization: `Bearer ${PERSONA_API_KEY}`,
            'Content-Type': 'application/json',
          },
          body: JSON.stringify({ meta: { status: 'Declined' } }),
        },
      )
      expect(set.status).toBe(200)
      await harness.advance(1_000)
    }
    expect(harness.count('persona', 'POST', /\/inquiries\/[^/]+\/decline$/)).toBe(1)
    expect((await harness.session(player.id)).kyc.state).toBe('rejected')
    const record = await ok(await staff().get(`/users/${player.id}`), OperatorUserRecord)
    expect(record.cases).toEqual([
      expect.objectContaining({ id: opened.id, status: 'Declined', decision: 'decline' }),
    ])
  })
})

describe('host fraud signal', () => {
  it('queues the user until an operator decides', async () => {
    setUp()
    await harness.finishInquiry(player.id)
    expect(await ops.flagForReview(player.id)).toBe(true)
    expect(await ops.flagForReview(player.id)).toBe(false)
    const queue = await ok(await staff().get('/review-queue'), ReviewQueuePage)
    expect(queue.entries.map((entry) => entry.reason)).toEqual(['host_flag'])
    await ok(
      await staff().post(`/users/${player.id}/decline`, { reason: 'confirmed fraud ring' }),
      OperatorUserRecord,
    )
    await harness.advance(0)
    expect((await ok(await staff().get('/review-queue'), ReviewQueuePage)).entries).toEqual([])
    expect((await harness.session(player.id)).kyc.state).toBe('rejected')
  })
})
