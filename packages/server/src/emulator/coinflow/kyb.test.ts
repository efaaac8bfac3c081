import { describe, expect, it } from 'vitest'
import { asUser, createHarness, linkedBankAccount, merchant, type Harness } from './test-harness'

/** Nova Studio LLC of Austin, as a host would register it after Persona approved it. */
const novaStudio = (info: Record<string, unknown> = {}, business: Record<string, string> = {}) => ({
  name: 'Nova Studio LLC',
  dateFormed: '2019-04-01',
  tin: '123456789',
  website: 'https://novastudio.example',
  entityType: 'llc',
  business: {
    address1: '500 Congress Ave',
    city: 'Austin',
    state: 'TX',
    zip: '78701',
    country: 'US',
    ...business,
  },
  person: { email: 'ada@novastudio.example', firstName: 'Ada', lastName: 'Lovelace' },
  ...info,
})

const ada = {
  firstName: 'Ada',
  surName: 'Lovelace',
  dob: '19840302',
  ssn: '1234',
  physicalAddress: '1 Elm St',
  city: 'Austin',
  state: 'TX',
  zip: '78702',
  country: 'US',
}

const register = (harness: Harness, body: Record<string, unknown>, userId = 'biz-1') =>
  harness.call('POST', '/api/withdraw/kyb', {
    headers: asUser(userId),
    json: { merchantId: 'shareflow-emulator', ...body },
  })

describe('Coinflow emulator: register a business (POST /withdraw/kyb)', () => {
  it('approves a US business with its owners at once, and pays it out like a person', async () => {
    const harness = createHarness()
    // (`call` checks every answer against Coinflow's OpenAPI document.)
    const { status, body } = await register(harness, { info: novaStudio(), ubos: [ada] })
    expect(status).toBe(200)
    expect(body.withdrawer).toMatchObject({
      business: true,
      email: 'ada@novastudio.example',
      country: 'US',
      verification: { status: 'approved', vendor: 'middesk' },
      ubos: [{ name: 'Ada Lovelace', status: 'approved' }],
    })
    // Coinflow keeps the tax number and the owners' SSNs to itself.
    expect(JSON.stringify(body)).not.toMatch(/123456789|1234"|19840302/)
    expect(harness.webhookEvents().map((event) => event.eventType)).toEqual([
      'KYC Created',
      'KYC Success',
    ])

    const token = await linkedBankAccount(harness, 'biz-1')
    const payout = await harness.call('POST', '/api/merchant/withdraws/payout/delegated', {
      headers: merchant,
      json: {
        speed: 'standard',
        account: token,
        userId: 'biz-1',
        amount: { cents: 250_00 },
        idempotencyKey: 'nova-1',
      },
    })
    expect(payout.status).toBe(200)
  })

  it('answers 409 when the business is already registered', async () => {
    const harness = createHarness()
    expect((await register(harness, { info: novaStudio(), ubos: [ada] })).status).toBe(200)
    const again = await register(harness, { info: novaStudio(), ubos: [ada] })
    expect(again.status).toBe(409)
    expect(again.body.details).toBe('Withdrawer already exists for this wallet and merchant')
  })

  it('sends a business to document verification: the document form, no owners, an inconclusive tax number, another country', async () => {
    const harness = createHarness()
    const cases = [
      { email: 'ops@novastudio.example', country: 'DE' },
      { info: novaStudio() },
      { info: novaStudio({ tin: '12-3455555' }), ubos: [ada] },
      { info: novaStudio({}, { country: 'MX' }), ubos: [ada] },
    ]
    for (const [index, body] of cases.entries()) {
      const answer = await register(harness, body, `biz-${index}`)
      expect(answer.status, JSON.stringify(body)).toBe(451)
      expect(answer.body.verificationLink).toMatch(/^http:\/\/localhost:3000\/verification\//)
      expect(answer.body.verification.status).toBe('pending')
      const withdrawer = await harness.call('GET', '/api/withdraw', {
        headers: asUser(`biz-${index}`),
      })
      expect(withdrawer.status).toBe(451)
    }
    expect(harness.webhookEvents().map((event) => event.eventType)).toEqual(
      cases.map(() => 'KYC Created'),
    )
  })

  it('rejects the sandbox’s failing business (tax number ending 9999, zip 99999)', async () => {
    const harness = createHarness()
    const answer = await register(harness, {
      info: novaStudio({ tin: '987659999' }, { zip: '99999' }),
      ubos: [ada],
    })
    expect(answer.status).toBe(451)
    expect(answer.body.verification.status).toBe('rejected')
    expect(answer.body.rejectionReasons).toEqual(['Business could not be verified'])
    expect(answer.body).not.toHaveProperty('verificationLink')
    expect(harness.webhookEvents().at(-1)?.eventType).toBe('KYC Failure')
  })

  it('refuses a malformed body with a 400 naming the field, never its value', async () => {
    const harness = createHarness()
    const badTin = await register(harness, { info: novaStudio({ tin: '12345' }), ubos: [ada] })
    expect(badTin.status).toBe(400)
    expect(badTin.body.details).toBe('info.tin: must be the 9-digit tax number')
    const noDob = await register(harness, {
      info: novaStudio(),
      ubos: [{ ...ada, dob: undefined }],
    })
    expect(noDob.status).toBe(400)
    expect(noDob.body.details).toMatch(/^ubos\.0\.dob: /)
    const noMerchant = await harness.call('POST', '/api/withdraw/kyb', {
      headers: asUser('biz-1'),
      json: { email: 'ops@novastudio.example', country: 'US' },
    })
    expect(noMerchant.status).toBe(400)
    expect(harness.coinflow.state.withdrawers.size).toBe(0)
  })
})
