import { afterEach, describe, expect, it } from 'vitest'
import { createHarness, type Harness } from './test-harness'

let harness: Harness
afterEach(() => harness?.emulator.close())

describe('Persona emulator: cases', () => {
  it('opens a case linked to an inquiry and an account, then sets its status', async () => {
    harness = createHarness()
    const inquiryId = await harness.completedInquiry()
    const account = (await harness.call('GET', `/api/v1/inquiries/${inquiryId}`)).body.data
      .relationships.account.data.id
    const created = await harness.call('POST', '/api/v1/cases', {
      json: {
        data: {
          attributes: {
            'case-template-id': 'ctmpl_Review',
            fields: { reason: 'payout over limit' },
          },
        },
        meta: { 'object-ids': [inquiryId, account] },
      },
    })
    expect(created.status).toBe(201)
    expect(created.body.data.id).toMatch(/^case_/)
    expect(created.body.data.attributes).toMatchObject({ status: 'Open', 'resolved-at': null })
    expect(created.body.data.attributes.fields.reason).toEqual({
      type: 'string',
      value: 'payout over limit',
    })
    expect(created.body.data.relationships.inquiries.data).toEqual([
      { type: 'inquiry', id: inquiryId },
    ])
    expect(created.body.data.relationships.accounts.data).toEqual([
      { type: 'account', id: account },
    ])

    const approved = await harness.call(
      'POST',
      `/api/v1/cases/${created.body.data.id}/set-status`,
      {
        json: { meta: { status: 'Approved' } },
      },
    )
    expect(approved.status).toBe(200)
    expect(approved.body.data.attributes.status).toBe('Approved')
    expect(approved.body.data.attributes['resolved-at']).toBe(
      new Date(harness.clock.now()).toISOString(),
    )

    const read = await harness.call('GET', `/api/v1/cases/${created.body.data.id}`)
    expect(read.body.data).toEqual(approved.body.data)
    expect((await harness.eventNames()).slice(-2)).toEqual(['case.created', 'case.status-updated'])
  })

  it('answers 400 for a missing template or status, and 404 for unknown objects', async () => {
    harness = createHarness()
    const noTemplate = await harness.call('POST', '/api/v1/cases', {
      json: { data: { attributes: {} } },
    })
    expect(noTemplate.status).toBe(400)
    expect(noTemplate.body.errors[0].details).toBe('data.attributes.case-template-id is missing')
    const unknownObject = await harness.call('POST', '/api/v1/cases', {
      json: {
        data: { attributes: { 'case-template-id': 'ctmpl_Review' } },
        meta: { 'object-ids': ['inq_Nope'] },
      },
    })
    expect(unknownObject.status).toBe(404)
    // An object id can be anything a caller pastes, an e-mail address included: none is repeated.
    const pasted = await harness.call('POST', '/api/v1/cases', {
      json: {
        data: { attributes: { 'case-template-id': 'ctmpl_Review' } },
        meta: { 'object-ids': ['jane.doe@example.com'] },
      },
    })
    expect(pasted.status).toBe(404)
    expect(JSON.stringify(pasted.body)).not.toContain('jane.doe')
    expect(pasted.body.errors[0].details).toBe('meta.object-ids has an id that is not found')
    const created = await harness.call('POST', '/api/v1/cases', {
      json: { data: { attributes: { 'case-template-id': 'ctmpl_Review' } } },
    })
    const noStatus = await harness.call(
      'POST',
      `/api/v1/cases/${created.body.data.id}/set-status`,
      { json: { meta: {} } },
    )
    expect(noStatus.status).toBe(400)
    expect((await harness.call('GET', '/api/v1/cases/case_Nope')).status).toBe(404)
  })

  it("refuses a status its case's template does not define (422), changing nothing", async () => {
    harness = createHarness({
      persona: { caseTemplates: { ctmpl_Payouts: ['Open', 'Escalated', 'Cleared'] } },
    })
    const created = await harness.call('POST', '/api/v1/cases', {
      json: { data: { attributes: { 'case-template-id': 'ctmpl_Payouts' } } },
    })
    const path = `/api/v1/cases/${created.body.data.id}/set-status`
    const approved = await harness.call('POST', path, { json: { meta: { status: 'Approved' } } })
    expect(approved.status).toBe(422)
    expect(approved.body.errors[0].source.pointer).toBe('/meta/status')
    const read = await harness.call('GET', `/api/v1/cases/${created.body.data.id}`)
    expect(read.body.data.attributes.status).toBe('Open')
    expect(await harness.eventNames()).not.toContain('case.status-updated')
    const cleared = await harness.call('POST', path, { json: { meta: { status: 'Cleared' } } })
    expect(cleared.status).toBe(200)
    expect(cleared.body.data.attributes.status).toBe('Cleared')
  })
})

describe('Persona emulator: accounts', () => {
  it('creates and retrieves an account, keeping identity attributes as fields', async () => {
    harness = createHarness()
    const created = await harness.call('POST', '/api/v1/accounts', {
      json: {
        data: {
          attributes: {
            'reference-id': 'user-5',
            'account-type-id': 'acttp_User',
            'name-first': 'Jane',
            fields: { tier: 'gold' },
            tags: ['vip'],
          },
        },
      },
    })
    expect(created.status).toBe(201)
    expect(created.body.data.id).toMatch(/^act_/)
    expect(created.body.data.attributes).toMatchObject({ 'reference-id': 'user-5', tags: ['vip'] })
    expect(created.body.data.attributes.fields).toEqual({
      tier: { type: 'string', value: 'gold' },
      name_first: { type: 'string', value: 'Jane' },
    })
    expect(created.body.data.relationships['account-type'].data).toEqual({
      type: 'account-type',
      id: 'acttp_User',
    })
    const read = await harness.call('GET', `/api/v1/accounts/${created.body.data.id}`)
    expect(read.body.data).toEqual(created.body.data)
    expect((await harness.call('GET', '/api/v1/accounts/act_Nope')).status).toBe(404)
  })

  it('relates accounts and transactions, listed by relation key', async () => {
    harness = createHarness()
    const account = (
      await harness.call('POST', '/api/v1/accounts', { json: { data: { attributes: {} } } })
    ).body.data.id
    const other = (
      await harness.call('POST', '/api/v1/accounts', { json: { data: { attributes: {} } } })
    ).body.data.id
    const transaction = (
      await harness.call('POST', '/api/v1/transactions', {
        json: { data: { attributes: { 'transaction-type-id': 'txntp_Payout' } } },
      })
    ).body.data.id
    for (const target of [other, transaction]) {
      const added = await harness.call('POST', `/api/v1/accounts/${account}/add-relation`, {
        json: { meta: { 'relation-schema-key': 'linked', 'target-object-id': target } },
      })
      expect(added.status).toBe(200)
      harness.clock.advance(1_000)
    }
    const relations = await harness.call(
      'GET',
      `/api/v1/accounts/${account}/relations?filter[key]=linked`,
    )
    expect(relations.status).toBe(200)
    expect(
      relations.body.data.map((object: { type: string; id: string }) => [object.type, object.id]),
    ).toEqual([
      ['transaction', transaction],
      ['account', other],
    ])
    const none = await harness.call(
      'GET',
      `/api/v1/accounts/${account}/relations?filter[key]=family`,
    )
    expect(none.body.data).toEqual([])
    const noKey = await harness.call('GET', `/api/v1/accounts/${account}/relations`)
    expect(noKey.status).toBe(400)
    const unknownTarget = await harness.call('POST', `/api/v1/accounts/${account}/add-relation`, {
      json: { meta: { 'relation-schema-key': 'linked', 'target-object-id': 'act_Nope' } },
    })
    expect(unknownTarget.status).toBe(404)
  })

  it('emits account.added-relation naming the relation and the related object, once per pair', async () => {
    harness = createHarness()
    const business = (
      await harness.call('POST', '/api/v1/accounts', { json: { data: { attributes: {} } } })
    ).body.data.id
    const owner = (
      await harness.call('POST', '/api/v1/accounts', { json: { data: { attributes: {} } } })
    ).body.data.id
    for (let time = 0; time < 2; time++) {
      await harness.call('POST', `/api/v1/accounts/${owner}/add-relation`, {
        json: { meta: { 'relation-schema-key': 'business', 'target-object-id': business } },
      })
    }
    const relationEvents = (await harness.webhooks())
      .map((webhook) => webhook.event.data)
      .filter((event) => event.attributes.name === 'account.added-relation')
    expect(relationEvents).toHaveLength(1)
    expect(relationEvents[0]?.attributes.payload.data.id).toBe(owner)
    expect(relationEvents[0]?.attributes.context).toEqual({
      'relation-schema-key': 'business',
      'target-account-id': business,
      'target-txn-id': null,
    })
  })
})

describe('Persona emulator: transactions', () => {
  it('creates a transaction from a snake_case body and echoes its fields as sent', async () => {
    harness = createHarness()
    const created = await harness.call('POST', '/api/v1/transactions', {
      json: {
        data: {
          attributes: {
            transaction_type_id: 'txntp_Business',
            reference_id: 'biz-1',
            fields: {
              business_name: 'Acme',
              business_physical_address: {
                street_1: '1 Main St',
                city: 'Austin',
                country_code: 'US',
              },
              employees: 12,
            },
          },
        },
      },
    })
    expect(created.status).toBe(201)
    expect(created.body.data.id).toMatch(/^txn_/)
    expect(created.body.data.attributes).toMatchObject({
      status: 'created',
      'reference-id': 'biz-1',
    })
    expect(created.body.data.attributes.fields).toEqual({
      business_name: { type: 'string', value: 'Acme' },
      business_physical_address: {
        type: 'hash',
        value: { street_1: '1 Main St', city: 'Austin', country_code: 'US' },
      },
      employees: { type: 'integer', value: 12 },
    })
    const read = await harness.call('GET', `/api/v1/transactions/${created.body.data.id}`)
    expect(read.body.data).toEqual(created.body.data)
    expect((await harness.eventNames()).at(-1)).toBe('transaction.created')
  })

  it('accepts a kebab-case body and refuses one without a transaction type', async () => {
    harness = createHarness()
    const kebab = await harness.call('POST', '/api/v1/transactions', {
      json: {
        data: { attributes: { 'transaction-type-id': 'txntp_Payout', fields: { amount: 1050 } } },
      },
    })
    expect(kebab.status).toBe(201)
    const missing = await harness.call('POST', '/api/v1/transactions', {
      json: { data: { attributes: {} } },
    })
    expect(missing.status).toBe(400)
    expect(missing.body.errors[0].details).toBe('data.attributes.transaction-type-id is missing')
    expect((await harness.call('GET', '/api/v1/transactions/txn_Nope')).status).toBe(404)
  })

  it('answers a created transaction without included objects, even when they are asked for', async () => {
    harness = createHarness()
    const path = '/api/v1/transactions?include=account'
    const created = await harness.call('POST', path, {
      json: { data: { attributes: { 'transaction-type-id': 'txntp_Business' } } },
    })
    expect(created.status).toBe(201)
    // (`call` also checks the answer against Persona's document, which forbids `included` here.)
    expect(created.body).not.toHaveProperty('included')
  })
})
