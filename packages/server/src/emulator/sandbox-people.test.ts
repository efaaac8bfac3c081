import { describe, expect, it } from 'vitest'
import { asUser, createHarness } from './coinflow/test-harness'
import { magicLastNames } from './persona/magic'
import {
  inquiryFieldsOf,
  kycInfoOf,
  sandboxAccounts,
  sandboxPeople,
  sharedIdentityOf,
} from './sandbox-people'

const jane = sandboxPeople.usVerified

describe('sandbox people in each vendor’s shape', () => {
  it('writes the verified US person as Persona’s inquiry fields', () => {
    expect(inquiryFieldsOf(jane)).toEqual({
      'name-first': 'Jane',
      'name-last': 'Doe',
      birthdate: '1990-04-12',
      'email-address': 'jane@example.com',
      'address-street-1': '1 Main St',
      'address-city': 'Austin',
      'address-subdivision': 'TX',
      'address-postal-code': '78701',
      'address-country-code': 'US',
      'identification-number': '123-45-1234',
    })
  })

  it('gives Coinflow’s KYC the birth date without dashes and only the last four of the SSN', () => {
    expect(kycInfoOf(jane)).toEqual({
      email: 'jane@example.com',
      firstName: 'Jane',
      surName: 'Doe',
      physicalAddress: '1 Main St',
      city: 'Austin',
      state: 'TX',
      zip: '78701',
      country: 'US',
      dob: '19900412',
      ssn: '1234',
    })
  })

  it('shares the person with Coinflow as a completed inquiry unless told otherwise', () => {
    const shared = sharedIdentityOf(jane, { inquiryId: 'inq_1', referenceId: 'user-1' })
    expect(shared).toEqual({
      inquiryId: 'inq_1',
      inquiryStatus: 'completed',
      referenceId: 'user-1',
      email: 'jane@example.com',
      nameFirst: 'Jane',
      nameLast: 'Doe',
      birthdate: '1990-04-12',
      addressStreet1: '1 Main St',
      addressCity: 'Austin',
      addressSubdivision: 'TX',
      addressPostalCode: '78701',
      addressCountryCode: 'US',
      identificationNumberLast4: '1234',
    })
    const approved = { inquiryId: 'inq_1', referenceId: null, inquiryStatus: 'approved' }
    expect(sharedIdentityOf(jane, approved).inquiryStatus).toBe('approved')
  })

  it('carries a spread person’s difference into every shape', () => {
    const declined = { ...jane, lastName: magicLastNames.decline }
    expect(inquiryFieldsOf(declined)['name-last']).toBe('Decline')
    expect(kycInfoOf(declined).surName).toBe('Decline')
  })
})

describe('sandbox people in the emulated Coinflow', () => {
  it('approves the verified US person at once and links the US checking account', async () => {
    const harness = createHarness()
    const registered = await harness.call('POST', '/api/withdraw/kyc', {
      headers: asUser('user-1'),
      json: { info: kycInfoOf(jane) },
    })
    expect(registered.status).toBe(200)
    expect(registered.body.withdrawer.verification).toMatchObject({ status: 'approved' })

    const linked = await harness.call('POST', '/api/withdraw/account/v2', {
      headers: asUser('user-1'),
      json: { alias: 'Checking', ...sandboxAccounts.usChecking },
    })
    expect(linked.status).toBe(200)
    expect(linked.body.withdrawer.bankAccounts).toEqual([
      expect.objectContaining({ alias: 'Checking', last4: '0000' }),
    ])
  })
})
