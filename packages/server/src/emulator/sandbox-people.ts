/**
 * @module
 * The sandbox's test people and bank accounts, written once. A person is kept in one shape and
 * handed to each vendor in the shape that vendor asks for: Persona's inquiry fields, Coinflow's KYC
 * `info`, and the identity a Persona share token carries to Coinflow. Tests, the bench and demos
 * take their people from here, and a person who must differ (another name, a magic value from the
 * README's table) is a spread of one of these with the difference.
 *
 * @example
 * // The fields of an inquiry that completes, then is declined by the template's workflow.
 * const fields = inquiryFieldsOf({ ...sandboxPeople.usVerified, lastName: magicLastNames.decline })
 */
import type { SharedIdentity } from './world'

export interface SandboxPerson {
  firstName: string
  lastName: string
  email: string
  /** `YYYY-MM-DD`. */
  birthdate: string
  street: string
  city: string
  /** State or region, as the person wrote it. */
  subdivision: string
  postalCode: string
  /** ISO 3166-1 alpha-2. */
  country: string
  /** The identification number as typed into Persona's form (a US SSN, dashed). */
  idNumber: string
}

export const sandboxPeople = {
  /** Jane Doe of Austin, TX: passes Persona's flow and Coinflow's instant KYC check. */
  usVerified: {
    firstName: 'Jane',
    lastName: 'Doe',
    email: 'jane@example.com',
    birthdate: '1990-04-12',
    street: '1 Main St',
    city: 'Austin',
    subdivision: 'TX',
    postalCode: '78701',
    country: 'US',
    idNumber: '123-45-1234',
  },
} as const satisfies Record<string, SandboxPerson>

export const sandboxAccounts = {
  /**
   * A US checking account Coinflow's sandbox links and pays out to: Plaid's test routing number,
   * which the vendors' sandboxes document. Callers add the `alias` the user gives it.
   */
  usChecking: {
    routingNumber: '011401533',
    accountNumber: '1111222233330000',
    type: 'checking',
  },
} as const

/** The person as Persona's inquiry `fields` (what the hosted form collects). */
export function inquiryFieldsOf(person: SandboxPerson) {
  return {
    'name-first': person.firstName,
    'name-last': person.lastName,
    birthdate: person.birthdate,
    'email-address': person.email,
    'address-street-1': person.street,
    'address-city': person.city,
    'address-subdivision': person.subdivision,
    'address-postal-code': person.postalCode,
    'address-country-code': person.country,
    'identification-number': person.idNumber,
  }
}

/** The person as the `info` of Coinflow's US registration (`POST /withdraw/kyc`). */
export function kycInfoOf(person: SandboxPerson) {
  return {
    email: person.email,
    firstName: person.firstName,
    surName: person.lastName,
    physicalAddress: person.street,
    city: person.city,
    state: person.subdivision,
    zip: person.postalCode,
    country: person.country,
    dob: person.birthdate.replaceAll('-', ''),
    // Coinflow asks for the last four digits only.
    ssn: lastFour(person.idNumber),
  }
}

/** The person as Coinflow receives them when it redeems a share token for `inquiry`. */
export function sharedIdentityOf(
  person: SandboxPerson,
  inquiry: { inquiryId: string; referenceId: string | null; inquiryStatus?: string },
): SharedIdentity {
  return {
    inquiryId: inquiry.inquiryId,
    inquiryStatus: inquiry.inquiryStatus ?? 'completed',
    referenceId: inquiry.referenceId,
    email: person.email,
    nameFirst: person.firstName,
    nameLast: person.lastName,
    birthdate: person.birthdate,
    addressStreet1: person.street,
    addressCity: person.city,
    addressSubdivision: person.subdivision,
    addressPostalCode: person.postalCode,
    addressCountryCode: person.country,
    identificationNumberLast4: lastFour(person.idNumber),
  }
}

const lastFour = (idNumber: string) => idNumber.replace(/\D/g, '').slice(-4)

const austin = {
  street1: '500 Congress Ave',
  city: 'Austin',
  subdivision: 'TX',
  postalCode: '78701',
  country: 'US',
}

/**
 * The sandbox's business payees, in the contract's `BusinessDetails` shape. `novaStudio` (the
 * demo's "Nova Studio LLC", one owner who also controls it) passes Persona's KYB workflow and
 * Coinflow's business registration; spread a magic value from the README's tables into it for
 * another outcome, e.g. `{ ...sandboxBusinesses.novaStudio, legalName: 'Decline Works LLC' }`.
 */
export const sandboxBusinesses = {
  novaStudio: {
    legalName: 'Nova Studio LLC',
    registrationNumber: '0803456789',
    taxId: '12-3456789',
    dateFormed: '2019-04-01',
    entityType: 'llc' as const,
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
  },
}
