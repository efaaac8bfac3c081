import { afterEach, describe, expect, it } from 'vitest'
import { EMULATOR_KYB_TRANSACTION_TYPE_ID } from './transaction-workflow'
import { createHarness, type Harness } from './test-harness'

let harness: Harness
afterEach(() => harness?.emulator.close())

const novaStudio = {
  business_name: 'Nova Studio LLC',
  business_registration_number: '7012345',
  business_tax_identification_number: '123456789',
  business_registered_address: {
    street_1: '500 Congress Ave',
    city: 'Austin',
    subdivision: 'TX',
    postal_code: '78701',
    country_code: 'US',
  },
}

async function createTransaction(
  fields: Record<string, unknown>,
  type = EMULATOR_KYB_TRANSACTION_TYPE_ID,
) {
  const created = await harness.call('POST', '/api/v1/transactions', {
    json: {
      data: { attributes: { 'transaction-type-id': type, 'reference-id': 'biz-1', fields } },
    },
  })
  expect(created.status).toBe(201)
  return created.body.data.id as string
}

async function relateOwner(transactionId: string, lastName: string) {
  const owner = await harness.call('POST', '/api/v1/accounts', {
    json: {
      data: {
        attributes: {
          'reference-id': `biz-1:owner:${lastName}`,
          'name-first': 'Ada',
          'name-last': lastName,
          birthdate: '1984-03-02',
        },
      },
    },
  })
  const related = await harness.call(
    'POST',
    `/api/v1/accounts/${owner.body.data.id}/add-relation`,
    {
      json: {
        meta: { 'relation-schema-key': 'beneficial_owner', 'target-object-id': transactionId },
      },
    },
  )
  expect(related.status).toBe(200)
}

/** Event names after the workflow ran, without the objects' own creation events. */
async function workflowEvents() {
  await harness.advance(3_000)
  return (await harness.eventNames()).filter(
    // Setting up (the transaction, the owners' accounts and their relations) is not the workflow.
    (name) => !['transaction.created', 'account.created', 'account.added-relation'].includes(name),
  )
}

async function statusOf(id: string) {
  return (await harness.call('GET', `/api/v1/transactions/${id}`)).body.data.attributes.status
}

describe('Persona emulator: the KYB transaction type’s workflow', () => {
  it('verifies and screens a business that passes, then approves its transaction', async () => {
    harness = createHarness()
    const id = await createTransaction(novaStudio)
    await relateOwner(id, 'Lovelace')
    expect(await statusOf(id)).toBe('created')
    // (`harness.webhooks()` checks each body against the spec's schema for its event name.)
    expect(await workflowEvents()).toEqual([
      'verification.created',
      'verification.passed',
      'verification.created',
      'verification.passed',
      'report/business-watchlist.ready',
      'report/politically-exposed-person.ready',
      'transaction.status-updated',
    ])
    const read = await harness.call('GET', `/api/v1/transactions/${id}`)
    expect(read.body.data.attributes.status).toBe('approved')
    expect(read.body.data.relationships['related-objects'].data.map((o: any) => o.type)).toEqual([
      'verification/database-business',
      'verification/database-tin',
      'report/business-watchlist',
      'report/politically-exposed-person',
    ])
  })

  it('declines a business the registry does not know, and one whose tax number fails', async () => {
    harness = createHarness()
    const unknown = await createTransaction({ ...novaStudio, business_name: 'Decline Works Inc' })
    const badTin = await createTransaction({
      ...novaStudio,
      business_tax_identification_number: '123450000',
    })
    const events = await workflowEvents()
    expect(events.filter((name) => name === 'verification.failed')).toHaveLength(2)
    expect(await statusOf(unknown)).toBe('declined')
    expect(await statusOf(badTin)).toBe('declined')
  })

  it('sends a watchlist hit and a politically exposed owner to review, where a decision ends it', async () => {
    harness = createHarness()
    const listed = await createTransaction({
      ...novaStudio,
      business_name: 'Watchlist Trading Ltd',
    })
    const exposed = await createTransaction(novaStudio)
    await relateOwner(exposed, 'Pep')
    const events = await workflowEvents()
    expect(events).toContain('report/business-watchlist.matched')
    expect(events).toContain('report/politically-exposed-person.matched')
    expect(await statusOf(listed)).toBe('needs review')
    expect(await statusOf(exposed)).toBe('needs review')

    const decided = await harness.call('PATCH', `/api/v1/transactions/${listed}`, {
      json: { data: { attributes: { status: 'declined' } } },
    })
    expect(decided.status).toBe(200)
    expect(decided.body.data.attributes.status).toBe('declined')
    expect((await harness.eventNames()).at(-1)).toBe('transaction.status-updated')
  })

  it('leaves a stalled transaction, and one of a type with no workflow, created for good', async () => {
    harness = createHarness()
    const stalled = await createTransaction({ ...novaStudio, business_name: 'Stall Labs LLC' })
    const unbound = await createTransaction(novaStudio, 'txntp_NoWorkflow')
    await harness.advance(24 * 3_600_000)
    expect(await statusOf(stalled)).toBe('created')
    expect(await statusOf(unbound)).toBe('created')
    expect(await workflowEvents()).toEqual([])
  })

  it('runs a transaction type the host configures, with its own checks and timing', async () => {
    harness = createHarness({
      persona: {
        transactionTypes: {
          txntp_TinOnly: { verifications: ['database-tin'], reports: [], runMs: 10_000 },
        },
      },
    })
    const id = await createTransaction(novaStudio, 'txntp_TinOnly')
    await harness.advance(3_000)
    expect(await statusOf(id)).toBe('created')
    await harness.advance(7_000)
    expect(await statusOf(id)).toBe('approved')
    expect((await harness.eventNames()).filter((name) => name.startsWith('verification.'))).toEqual(
      ['verification.created', 'verification.passed'],
    )
  })
})
