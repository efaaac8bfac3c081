import { describe, expect, it } from 'vitest'
import { BusinessDetails, BusinessFieldProblem } from './business'

const austin = {
  street1: '500 Congress Ave',
  city: 'Austin',
  subdivision: 'TX',
  postalCode: '78701',
  country: 'US',
}

/** Nova Studio LLC, the demo's business payee, with one owner who also controls it. */
const novaStudio = () => ({
  legalName: 'Nova Studio LLC',
  registrationNumber: '0803456789',
  taxId: '12-3456789',
  dateFormed: '2019-04-01',
  entityType: 'llc',
  website: 'https://novastudio.example',
  registeredAddress: austin,
  beneficialOwners: [
    {
      firstName: 'Ada',
      lastName: 'Lovelace',
      birthDate: '1984-03-02',
      ownershipPercent: 60,
      address: { ...austin, street1: '1 Elm St', postalCode: '78702' },
      ssnLast4: '1234',
    },
  ],
  controllingPerson: {
    firstName: 'Ada',
    lastName: 'Lovelace',
    email: 'ada@novastudio.example',
    title: 'Managing member',
    birthDate: '1984-03-02',
  },
})

/** The field errors as `path: code`, the way the form and the BFF's envelope report them. */
function problems(input: unknown): string[] {
  const parsed = BusinessDetails.safeParse(input)
  if (parsed.success) return []
  return parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`)
}

describe('business details', () => {
  it('accepts a complete US business with its owner and controlling person', () => {
    expect(problems(novaStudio())).toEqual([])
  })

  it('names each missing or malformed field with a code the form translates', () => {
    const { legalName: _, ...noName } = novaStudio()
    expect(problems(noName)).toEqual(['legalName: required'])
    expect(problems({ ...novaStudio(), website: 'novastudio' })).toEqual([
      'website: invalid_website',
    ])
    expect(problems({ ...novaStudio(), entityType: 'guild' })).toEqual([
      'entityType: invalid_entity_type',
    ])
    expect(problems({ ...novaStudio(), dateFormed: '2019-02-30' })).toEqual([
      'dateFormed: invalid_date',
    ])
    expect(problems({ ...novaStudio(), dateFormed: '2999-01-01' })).toEqual([
      'dateFormed: date_in_future',
    ])
    for (const problem of problems(noName)) {
      expect(BusinessFieldProblem.options).toContain(problem.split(': ')[1])
    }
  })

  it('wants the tax number in the shape of the registered country', () => {
    expect(problems({ ...novaStudio(), taxId: '123456789' })).toEqual([])
    expect(problems({ ...novaStudio(), taxId: '12-34567' })).toEqual(['taxId: tax_id_shape'])
    const toronto = {
      ...austin,
      city: 'Toronto',
      subdivision: 'ON',
      postalCode: 'M5V 2T6',
      country: 'CA',
    }
    const canadian = { ...novaStudio(), registeredAddress: toronto }
    expect(problems({ ...canadian, taxId: '123456789' })).toEqual([])
    expect(problems({ ...canadian, taxId: '12-3456789' })).toEqual(['taxId: tax_id_shape'])
  })

  it('refuses a business in a country the kit’s business payouts do not serve', () => {
    const berlin = {
      ...austin,
      city: 'Berlin',
      subdivision: 'BE',
      postalCode: '10115',
      country: 'DE',
    }
    expect(problems({ ...novaStudio(), registeredAddress: berlin })).toEqual([
      'registeredAddress.country: country_not_served',
    ])
  })

  it('wants every owner’s birth date, of an adult, and shares that add up', () => {
    const details = novaStudio()
    const owner = details.beneficialOwners[0]!
    const { birthDate: _, ...noBirthDate } = owner
    expect(problems({ ...details, beneficialOwners: [noBirthDate] })).toEqual([
      'beneficialOwners.0.birthDate: required',
    ])
    const child = `${new Date().getUTCFullYear() - 10}-01-01`
    expect(problems({ ...details, beneficialOwners: [{ ...owner, birthDate: child }] })).toEqual([
      'beneficialOwners.0.birthDate: too_young',
    ])
    const partner = { ...owner, firstName: 'Grace', lastName: 'Hopper', ownershipPercent: 50 }
    expect(problems({ ...details, beneficialOwners: [owner, partner] })).toEqual([
      'beneficialOwners: ownership_over_100',
    ])
    expect(
      problems({ ...details, beneficialOwners: [owner, { ...owner, ownershipPercent: 30 }] }),
    ).toEqual(['beneficialOwners.1: duplicate_owner'])
    expect(
      problems({
        ...details,
        beneficialOwners: [{ ...owner, address: { ...owner.address, postalCode: '7870' } }],
      }),
    ).toEqual(['beneficialOwners.0.address.postalCode: invalid_postal_code'])
  })

  it('never repeats a submitted value in a problem', () => {
    const parsed = BusinessDetails.safeParse({ ...novaStudio(), taxId: '98-76543' })
    expect(JSON.stringify(parsed.error?.issues)).not.toContain('98-76543')
  })
})
