import { describe, expect, it } from 'vitest'
import {
  approvedUser,
  asUser,
  createHarness,
  linkedBankAccount,
  merchant,
  sharedUsIdentity,
  type Harness,
} from './test-harness'

const tokenize = async (harness: Harness, pan: string) => {
  const { status, body } = await harness.call('POST', '/api/tokenize/card-only', {
    headers: {
      ...merchant,
      'tx-token-scheme': 'sixANTOKENfour',
      'tx-tokenex-id': '4582952996979143',
      'tx-apikey': 'tokenex-test-key',
    },
    json: { data: pan },
  })
  expect(status).toBe(200)
  return body.token as string
}

const addCard = (harness: Harness, body: Record<string, unknown>, userId = 'user-1') =>
  harness.call('POST', '/api/withdraw/debit-card', { headers: asUser(userId), json: body })

const addIban = (harness: Harness, body: Record<string, unknown>) =>
  harness.call('POST', '/api/withdraw/iban', { headers: asUser('user-1'), json: body })

const addBank = (harness: Harness, overrides: Record<string, unknown> = {}) =>
  harness.call('POST', '/api/withdraw/account', {
    headers: asUser('user-1'),
    json: {
      alias: 'Checking',
      routingNumber: '011401533',
      accountNumber: '0001234567',
      type: 'checking',
      ...overrides,
    },
  })

const accounts = async (harness: Harness) =>
  (await harness.call('GET', '/api/withdraw', { headers: asUser('user-1') })).body.withdrawer

describe('Coinflow emulator: bank accounts', () => {
  it('links a US bank account and lists it masked, with a token for payouts', async () => {
    const harness = createHarness()
    await approvedUser(harness)
    const { status, body } = await addBank(harness)
    expect(status).toBe(200)
    expect(body.withdrawer.bankAccounts).toEqual([
      {
        last4: '4567',
        accountHash: expect.stringMatching(/^[0-9a-f]{64}$/),
        alias: 'Checking',
        token: expect.any(String),
        reference: expect.any(String),
      },
    ])
    expect(JSON.stringify(body)).not.toContain('0001234567')
  })

  it('keeps one account when the same account is linked twice (v1 then v2)', async () => {
    const harness = createHarness()
    await approvedUser(harness)
    const first = await linkedBankAccount(harness)
    const second = await linkedBankAccount(harness, 'user-1', { firstName: 'Jane' })
    expect(second).toBe(first)
    expect((await accounts(harness)).bankAccounts).toHaveLength(1)
  })

  it.each([
    ['a routing number failing the ABA checksum', { routingNumber: '011401534' }, /routing/],
    ['an account number with letters', { accountNumber: '12AB5678' }, /account number/],
    ['an unknown account type', { type: 'brokerage' }, /^type: /],
    ['a routing number that is a number', { routingNumber: 11401533 }, /^routingNumber: /],
  ])('answers 400 for %s', async (_, overrides, details) => {
    const harness = createHarness()
    await approvedUser(harness)
    const { status, body } = await addBank(harness, overrides)
    expect(status).toBe(400)
    expect(body.details).toMatch(details)
  })

  it('answers 401 when the user is not registered', async () => {
    const harness = createHarness()
    const { status } = await harness.call('POST', '/api/withdraw/account', {
      headers: asUser('ghost'),
      json: { alias: 'C', routingNumber: '011401533', accountNumber: '1234', type: 'checking' },
    })
    expect(status).toBe(401)
  })

  it('deletes a bank account by token, and 404s a second time', async () => {
    const harness = createHarness()
    await approvedUser(harness)
    const token = await linkedBankAccount(harness)
    const deleted = await harness.call('DELETE', `/api/withdraw/account/${token}`, {
      headers: asUser('user-1'),
    })
    expect(deleted.status).toBe(200)
    expect(deleted.body.withdrawer.bankAccounts).toEqual([])
    const again = await harness.call('DELETE', `/api/withdraw/account/${token}`, {
      headers: asUser('user-1'),
    })
    expect(again.status).toBe(404)
  })

  it('lets a session key alone link an account (as the hosted page and mobile apps do)', async () => {
    const harness = createHarness()
    await approvedUser(harness)
    const { body } = await harness.call('GET', '/api/auth/session-key', {
      headers: asUser('user-1'),
    })
    const linked = await harness.call('POST', '/api/withdraw/account', {
      headers: { 'x-coinflow-auth-session-key': body.key },
      json: {
        alias: 'Savings',
        routingNumber: '021000021',
        accountNumber: '99887766',
        type: 'savings',
      },
    })
    expect(linked.status).toBe(200)
    expect(linked.body.withdrawer.bankAccounts[0].last4).toBe('7766')
  })
})

describe('Coinflow emulator: debit cards', () => {
  it('tokenises a card keeping only its first six and last four digits', async () => {
    const harness = createHarness()
    const token = await tokenize(harness, '4169050000000004')
    expect(token).toMatch(/^416905[A-Za-z]{6}0004$/)
  })

  it('links the sandbox push-to-card Visa and answers with its token as a JSON string', async () => {
    const harness = createHarness()
    await approvedUser(harness)
    const cardToken = await tokenize(harness, '4169050000000004')
    const { status, body } = await addCard(harness, { cardToken, expMonth: '12', expYear: '30' })
    expect(status).toBe(200)
    expect(body).toBe(cardToken)
    expect((await accounts(harness)).cards).toEqual([
      expect.objectContaining({
        last4: '0004',
        token: cardToken,
        type: 'VISA',
        disbursementStatus: 'Immediate',
        expMonth: '12',
        expYear: '30',
      }),
    ])
  })

  it('refuses the sandbox expiry 01/25 as ineligible (400)', async () => {
    const harness = createHarness()
    await approvedUser(harness)
    const cardToken = await tokenize(harness, '5431111111111111')
    const { status, body } = await addCard(harness, { cardToken, expMonth: '01', expYear: '25' })
    expect(status).toBe(400)
    expect(body.details).toMatch(/not eligible/)
  })

  it('refuses an American Express card, which cannot receive push-to-card payouts', async () => {
    const harness = createHarness()
    await approvedUser(harness)
    const cardToken = await tokenize(harness, '378282246310005')
    const { status } = await addCard(harness, { cardToken, expMonth: '12', expYear: '30' })
    expect(status).toBe(400)
  })

  it('answers 412 when Coinflow has no address for the user, then accepts body.address', async () => {
    const harness = createHarness()
    await harness.call('POST', '/api/withdraw/kyc', {
      headers: asUser('user-1'),
      json: { email: 'ana@example.com', country: 'DE' },
    })
    const cardToken = await tokenize(harness, '4169050000000004')
    const first = await addCard(harness, { cardToken, expMonth: '12', expYear: '30' })
    expect(first.status).toBe(412)
    const second = await addCard(harness, {
      cardToken,
      expMonth: '12',
      expYear: '30',
      address: { address1: 'Hauptstr. 1', city: 'Berlin', state: 'BE', zip: '10115' },
    })
    expect(second.status).toBe(200)
  })

  it('answers 400 for an unknown card token, a bad month and a card number that fails Luhn', async () => {
    const harness = createHarness()
    await approvedUser(harness)
    expect(
      (await addCard(harness, { cardToken: 'nope', expMonth: '12', expYear: '30' })).status,
    ).toBe(400)
    const cardToken = await tokenize(harness, '4169050000000004')
    const month = await addCard(harness, { cardToken, expMonth: '13', expYear: '30' })
    expect(month.body.details).toMatch(/^expMonth: /)
    const luhn = await harness.call('POST', '/api/tokenize/card-only', {
      headers: {
        ...merchant,
        'tx-token-scheme': 'sixANTOKENfour',
        'tx-tokenex-id': 'x',
        'tx-apikey': 'y',
      },
      json: { data: '4169050000000005' },
    })
    expect(luhn.status).toBe(400)
  })

  it('deletes a card by token', async () => {
    const harness = createHarness()
    await approvedUser(harness)
    const cardToken = await tokenize(harness, '4169050000000004')
    await addCard(harness, { cardToken, expMonth: '12', expYear: '30' })
    const deleted = await harness.call('DELETE', `/api/withdraw/card/${cardToken}`, {
      headers: asUser('user-1'),
    })
    expect(deleted.status).toBe(200)
    expect(deleted.body.withdrawer.cards).toEqual([])
  })

  it('refuses to delete an unknown card without repeating its token', async () => {
    const harness = createHarness()
    await approvedUser(harness)
    const unknown = await harness.call('DELETE', '/api/withdraw/card/tok_4169050000000004', {
      headers: asUser('user-1'),
    })
    expect(unknown.status).toBe(404)
    expect(JSON.stringify(unknown.body)).not.toContain('4169050000000004')
    expect(unknown.body.details).toBe('No card with this token')
  })
})

describe('Coinflow emulator: IBAN and UK accounts', () => {
  it('links a SEPA IBAN as a EUR account', async () => {
    const harness = createHarness()
    await approvedUser(harness)
    const { status, body } = await addIban(harness, {
      number: 'DE89 3704 0044 0532 0130 00',
      accountHolder: 'Jane Doe',
    })
    expect(status).toBe(200)
    expect(typeof body).toBe('string')
    expect((await accounts(harness)).ibans).toEqual([
      expect.objectContaining({ last4: '3000', token: body, alias: 'Jane Doe', sortCode: '' }),
    ])
    expect(harness.coinflow.state.withdrawers.get('user-1')!.accounts[0]).toMatchObject({
      kind: 'iban',
      currency: 'EUR',
    })
  })

  it('links a UK account number with its sort code as a GBP account', async () => {
    const harness = createHarness()
    await approvedUser(harness)
    const { status, body } = await addIban(harness, { number: '22052471', sortCode: '20-26-78' })
    expect(status).toBe(200)
    expect((await accounts(harness)).ibans[0]).toMatchObject({ token: body, sortCode: '202678' })
    expect(harness.coinflow.state.withdrawers.get('user-1')!.accounts[0]).toMatchObject({
      currency: 'GBP',
    })
  })

  it('reads the sort code out of a GB IBAN', async () => {
    const harness = createHarness()
    await approvedUser(harness)
    await addIban(harness, { number: 'GB29NWBK60161331926819' })
    expect((await accounts(harness)).ibans[0]).toMatchObject({ sortCode: '601613', last4: '6819' })
  })

  it('answers 426 "BIC required" for an IBAN outside SEPA, and accepts it with a BIC', async () => {
    const harness = createHarness()
    await approvedUser(harness)
    const without = await addIban(harness, { number: 'TR330006100519786457841326' })
    expect(without).toMatchObject({ status: 426, body: 'BIC required' })
    const withBic = await addIban(harness, {
      number: 'TR330006100519786457841326',
      bic: 'ISBKTRIS',
    })
    expect(withBic.status).toBe(200)
    expect((await accounts(harness)).ibans[0].bic).toBe('ISBKTRIS')
  })

  it.each([
    ['a wrong check digit', { number: 'DE89370400440532013001' }, /Invalid IBAN/],
    ['a wrong length for the country', { number: 'DE8937040044053201300' }, /Invalid IBAN/],
    ['a UK account without a sort code', { number: '22052471' }, /sortCode/],
    ['a malformed BIC', { number: 'DE89370400440532013000', bic: 'BAD' }, /BIC/],
  ])('answers 400 for %s', async (_, body, details) => {
    const harness = createHarness()
    await approvedUser(harness)
    const answer = await addIban(harness, body)
    expect(answer.status).toBe(400)
    expect(answer.body.details).toMatch(details)
  })

  it('deletes an IBAN account by token', async () => {
    const harness = createHarness()
    await approvedUser(harness)
    const { body: token } = await addIban(harness, { number: 'DE89370400440532013000' })
    const deleted = await harness.call('DELETE', `/api/withdraw/iban/${token}`, {
      headers: asUser('user-1'),
    })
    expect(deleted.status).toBe(200)
    expect(deleted.body.withdrawer.ibans).toEqual([])
  })
})

describe('Coinflow emulator: PIX', () => {
  it.each([
    '40882598074',
    'ana@example.com.br',
    '+5511987654321',
    '123e4567-e89b-12d3-a456-426614174000',
  ])('links the PIX key %s', async (pixKey) => {
    const harness = createHarness()
    await approvedUser(harness)
    const { status, body } = await harness.call('POST', '/api/withdraw/pix', {
      headers: asUser('user-1'),
      json: { pixKey },
    })
    expect(status).toBe(200)
    expect((await accounts(harness)).pixes).toEqual([
      { key: pixKey, accountHash: expect.any(String), token: body },
    ])
  })

  it('answers 400 for a CPF with wrong check digits', async () => {
    const harness = createHarness()
    await approvedUser(harness)
    const { status, body } = await harness.call('POST', '/api/withdraw/pix', {
      headers: asUser('user-1'),
      json: { pixKey: '40882598075' },
    })
    expect(status).toBe(400)
    expect(body.details).toBe('Invalid PIX key')
  })

  it('deletes a PIX account, and 404s a token of another kind', async () => {
    const harness = createHarness()
    await approvedUser(harness)
    const bank = await linkedBankAccount(harness)
    const { body: token } = await harness.call('POST', '/api/withdraw/pix', {
      headers: asUser('user-1'),
      json: { pixKey: '40882598074' },
    })
    const wrongKind = await harness.call('DELETE', `/api/withdraw/pix/${bank}`, {
      headers: asUser('user-1'),
    })
    expect(wrongKind.status).toBe(404)
    const deleted = await harness.call('DELETE', `/api/withdraw/pix/${token}`, {
      headers: asUser('user-1'),
    })
    expect(deleted.status).toBe(200)
    expect(deleted.body.withdrawer.pixes).toEqual([])
    expect(deleted.body.withdrawer.bankAccounts).toHaveLength(1)
  })
})

describe('Coinflow emulator: destinations before approval', () => {
  it('lets a user still under review link accounts, which GET /withdraw shows once approved', async () => {
    const harness = createHarness()
    await harness.call('POST', '/api/withdraw/kyc/share-token', {
      headers: asUser('user-1'),
      json: {
        vendor: 'persona',
        shareToken: harness.persona.share(sharedUsIdentity()),
        email: 'jane@example.com',
      },
    })
    await linkedBankAccount(harness)
    await harness.advance(3_000)
    expect((await accounts(harness)).bankAccounts).toHaveLength(1)
  })
})
