import { BusinessStatus, ErrorEnvelope } from '@shareflow/contract'
import { afterEach, describe, expect, it } from 'vitest'
import {
  createManualClock,
  EMULATOR_KYB_TRANSACTION_TYPE_ID,
  sandboxBusinesses,
  type Emulator,
} from '../emulator'
import { createMemoryLogger } from '../logger'
import { createSandboxShareflowApp } from '../sandbox'
import type { ShareflowUser } from '../user'
import { createKybModule } from './module'

/** Nova Studio LLC, the demo's business payee: one owner, who also controls it. */
const novaStudio = (overrides: Record<string, unknown> = {}) => ({
  ...sandboxBusinesses.novaStudio,
  ...overrides,
})

let emulator: Emulator | undefined
afterEach(() => emulator?.close())

function setUp(users: Record<string, ShareflowUser> = {}) {
  const clock = createManualClock()
  const logger = createMemoryLogger({ clock })
  const reviews: string[] = []
  const kyb = createKybModule({
    transactionTypeId: EMULATOR_KYB_TRANSACTION_TYPE_ID,
    stallAfterMs: 10 * 60_000,
    onReview: ({ businessId }) => void reviews.push(businessId),
  })
  const sandbox = createSandboxShareflowApp({
    getUser: (c) =>
      users[c.req.header('x-host-session') ?? 'nova'] ??
      (c.req.header('x-host-session') === 'nobody'
        ? null
        : { id: 'user-nova', email: 'ada@novastudio.example', business: { id: 'biz-nova' } }),
    clock,
    logger,
    emulator: { clock, seed: 13 },
    modules: [kyb],
  })
  emulator = sandbox.emulator
  const { app } = sandbox
  const request = async (method: string, body?: unknown, session = 'nova') => {
    const response = await app.request('/business', {
      method,
      headers: {
        'x-host-session': session,
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
    return { status: response.status, body: (await response.json()) as any }
  }
  const state = async (session = 'nova') =>
    BusinessStatus.parse((await request('GET', undefined, session)).body).state
  /** Lets Persona's workflow run (3 s on the emulator clock) and its webhooks arrive. */
  const workflowRuns = async () => {
    await sandbox.emulator.flush()
    clock.advance(3_000)
    await sandbox.emulator.flush()
  }
  /** How many calls the BFF made to a vendor operation (`persona.createTransaction`), from its log. */
  const calls = (operation: string) =>
    logger
      .records()
      .filter(
        (line) => line.msg === 'upstream call' && String(line.operation).startsWith(operation),
      ).length
  const transactionId = async () =>
    JSON.parse((await app.shareflow.store.get('kyb:business:biz-nova'))!).transaction.id as string
  const persona = async (path: string, init: { method?: string; body?: unknown } = {}) => {
    const response = await sandbox.emulator.fetch(`https://api.withpersona.com/api/v1${path}`, {
      method: init.method ?? 'GET',
      headers: { Authorization: 'Bearer test', 'Content-Type': 'application/json' },
      ...(init.body ? { body: JSON.stringify(init.body) } : {}),
    })
    return (await response.json()) as any
  }
  const coinflow = async (userId: string) => {
    const response = await sandbox.emulator.fetch(
      'https://api-sandbox.coinflow.cash/api/withdraw',
      {
        headers: { Authorization: 'test', 'x-coinflow-auth-user-id': userId },
      },
    )
    return { status: response.status, body: (await response.json()) as any }
  }
  return {
    app,
    clock,
    logger,
    reviews,
    request,
    state,
    workflowRuns,
    calls,
    transactionId,
    persona,
    coinflow,
    emulator: sandbox.emulator,
  }
}

describe('a business payee’s KYB journey', () => {
  it('goes from its details to approved: one Persona transaction, then one Coinflow registration', async () => {
    const journey = setUp()
    expect(await journey.state()).toBe('details_required')
    const submitted = await journey.request('PUT', novaStudio())
    expect(submitted.status).toBe(200)
    expect(BusinessStatus.parse(submitted.body)).toMatchObject({
      state: 'checking',
      legalName: 'Nova Studio LLC',
    })
    // A double submit (a double click, a retry) makes nothing new.
    expect((await journey.request('PUT', novaStudio())).body.state).toBe('checking')
    expect(journey.calls('persona.createTransaction')).toBe(1)
    expect(journey.calls('persona.createAccount')).toBe(1)
    const transaction = await journey.persona(`/transactions/${await journey.transactionId()}`)
    expect(transaction.data.attributes['reference-id']).toBe('biz-nova')
    expect(transaction.data.relationships['transaction-type'].data.id).toBe(
      EMULATOR_KYB_TRANSACTION_TYPE_ID,
    )
    await journey.workflowRuns()
    expect(await journey.state()).toBe('approved')
    expect(journey.calls('coinflow.registerBusiness')).toBe(1)
    const withdrawer = await journey.coinflow('biz-nova')
    expect(withdrawer.status).toBe(200)
    expect(withdrawer.body.withdrawer.verification.status).toBe('approved')
    // Approved stays approved without asking anyone again.
    expect(await journey.state()).toBe('approved')
    expect(journey.calls('coinflow.registerBusiness')).toBe(1)

    // No tax number, owner name or birth date in any log line.
    const log = journey.logger.lines.join('\n')
    for (const secret of ['123456789', '12-3456789', '1984-03-02', 'Lovelace', '1234"']) {
      expect(log).not.toContain(secret)
    }
  })

  it('ends declined when Persona’s workflow declines, and never registers with Coinflow', async () => {
    const journey = setUp()
    await journey.request('PUT', novaStudio({ legalName: 'Decline Works LLC' }))
    await journey.workflowRuns()
    expect(await journey.state()).toBe('declined')
    expect(journey.calls('coinflow.registerBusiness')).toBe(0)
    expect((await journey.coinflow('biz-nova')).status).toBe(401)
  })

  it('sends a watchlist match to review, tells the host, and resumes on the decision', async () => {
    const journey = setUp()
    await journey.request('PUT', novaStudio({ legalName: 'Watchlist Trading LLC' }))
    await journey.workflowRuns()
    expect(await journey.state()).toBe('in_review')
    expect(journey.reviews).toEqual(['biz-nova'])
    // The platform's compliance team approves it in Persona; the webhook moves the journey on.
    await journey.persona(`/transactions/${await journey.transactionId()}`, {
      method: 'PATCH',
      body: { data: { attributes: { status: 'approved' } } },
    })
    await journey.emulator.flush()
    expect(await journey.state()).toBe('approved')
  })

  it('ends stalled when the workflow never finishes, never a spinner forever', async () => {
    const journey = setUp()
    await journey.request('PUT', novaStudio({ legalName: 'Stall Labs LLC' }))
    await journey.workflowRuns()
    expect(await journey.state()).toBe('checking')
    journey.clock.advance(11 * 60_000)
    expect(await journey.state()).toBe('stalled')
  })

  it('sends the business to Coinflow’s document page when Coinflow cannot finish the check (451)', async () => {
    const journey = setUp()
    const owner = { ...novaStudio().beneficialOwners[0]!, ssnLast4: undefined }
    await journey.request('PUT', novaStudio({ beneficialOwners: [owner] }))
    await journey.workflowRuns()
    const status = BusinessStatus.parse((await journey.request('GET')).body)
    expect(status.state).toBe('needs_more_info')
    expect(status.verificationLink).toMatch(/^http:\/\/localhost:3000\/verification\//)
  })

  it('learns of Persona’s decision by polling when its webhook is lost, and registers once', async () => {
    const journey = setUp()
    await journey.request('PUT', novaStudio())
    journey.emulator.world.faults.persona.webhookDropRate = 1
    await journey.workflowRuns()
    expect(await journey.state()).toBe('checking')
    expect(journey.calls('coinflow.registerBusiness')).toBe(0)
    // Asked again only once the fallback's 30 s have passed, within Persona's budget.
    journey.clock.advance(30_000)
    expect(await journey.state()).toBe('approved')
    expect(await journey.state()).toBe('approved')
    expect(journey.calls('persona.getTransaction')).toBe(1)
    expect(journey.calls('coinflow.registerBusiness')).toBe(1)
  })

  it('registers once Coinflow is back when it was down at approval, never twice', async () => {
    const journey = setUp()
    await journey.request('PUT', novaStudio())
    journey.emulator.world.faults.coinflow.errorRate = 1
    await journey.workflowRuns()
    expect(await journey.state()).toBe('checking')
    // The webhook was answered 500, so Persona delivers it again; this time Coinflow answers.
    journey.emulator.world.faults.coinflow.errorRate = 0
    journey.clock.advance(30_000)
    await journey.emulator.flush()
    expect(await journey.state()).toBe('approved')
    const registered = await journey.coinflow('biz-nova')
    expect(registered.body.withdrawer.verification.status).toBe('approved')
    // Every attempt after the first asked Coinflow whether it already had the business.
    expect(journey.calls('coinflow.getWithdrawer')).toBeGreaterThanOrEqual(1)
  })

  it('refuses bad details field by field, and asks no vendor and stores nothing', async () => {
    const journey = setUp()
    const { beneficialOwners, ...rest } = novaStudio()
    // (Shape rules across fields, like the tax number's, run once every field is there.)
    const { birthDate: _, ...noBirthDate } = beneficialOwners[0]!
    const noBirthDate_ = await journey.request('PUT', { ...rest, beneficialOwners: [noBirthDate] })
    expect(noBirthDate_.status).toBe(400)
    expect(ErrorEnvelope.parse(noBirthDate_.body).error.fields).toEqual([
      { path: 'beneficialOwners.0.birthDate', message: 'required' },
    ])
    const badTaxId = await journey.request('PUT', novaStudio({ taxId: '12-34' }))
    expect(ErrorEnvelope.parse(badTaxId.body).error.fields).toEqual([
      { path: 'taxId', message: 'tax_id_shape' },
    ])
    expect(JSON.stringify(badTaxId.body)).not.toContain('12-34')
    expect(journey.calls('persona.')).toBe(0)
    expect(await journey.state()).toBe('details_required')
  })

  it('documents both of its routes and every answer they give in the OpenAPI document', async () => {
    const journey = setUp()
    const document = (await (await journey.app.request('/openapi.json')).json()) as any
    expect(Object.keys(document.paths['/business'])).toEqual(['get', 'put'])
    expect(document.components.schemas.BusinessDetails).toBeDefined()
    const put = document.paths['/business'].put.responses
    for (const status of ['200', '400', '401', '403']) expect(put[status], status).toBeDefined()
  })

  it('answers only the host’s business user, and never another user’s business', async () => {
    const journey = setUp({
      person: { id: 'user-jane', email: 'jane@example.com' },
      intruder: { id: 'user-eve', email: 'eve@example.com', business: { id: 'biz-nova' } },
    })
    expect((await journey.request('GET', undefined, 'nobody')).status).toBe(401)
    expect((await journey.request('PUT', novaStudio(), 'person')).status).toBe(403)
    await journey.request('PUT', novaStudio())
    const stolen = await journey.request('PUT', novaStudio(), 'intruder')
    expect(stolen.status).toBe(403)
    expect((await journey.request('GET', undefined, 'intruder')).status).toBe(403)
    expect(journey.calls('persona.createTransaction')).toBe(1)
  })
})
