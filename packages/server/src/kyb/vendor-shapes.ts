/**
 * @module
 * The contract's business details in each vendor's words: the Persona transaction's `fields`
 * (the snake_case names Persona's Transactions guide uses; the host's transaction type must
 * declare them, see the server README), each owner as a Persona account, and Coinflow's
 * passive `POST /withdraw/kyb` body. Pure; nothing here logs or keeps a value.
 */
import type { BeneficialOwner, BusinessDetails, PostalAddress } from '@shareflow/contract'
import type { BusinessRegistrationBody } from '../upstream/coinflow'

const personaAddress = (address: PostalAddress) => ({
  street_1: address.street1,
  ...(address.street2 ? { street_2: address.street2 } : {}),
  city: address.city,
  subdivision: address.subdivision,
  postal_code: address.postalCode,
  country_code: address.country,
})

/** The KYB transaction's `fields`. */
export function transactionFields(details: BusinessDetails): Record<string, unknown> {
  return {
    business_name: details.legalName,
    business_registration_number: details.registrationNumber,
    business_tax_identification_number: details.taxId.replace(/-/g, ''),
    business_incorporation_date: details.dateFormed,
    business_entity_type: details.entityType,
    website_url: details.website,
    business_registered_address: personaAddress(details.registeredAddress),
    business_physical_address: personaAddress(details.physicalAddress ?? details.registeredAddress),
    controlling_person_name_first: details.controllingPerson.firstName,
    controlling_person_name_last: details.controllingPerson.lastName,
    controlling_person_email_address: details.controllingPerson.email,
    controlling_person_title: details.controllingPerson.title,
    controlling_person_birthdate: details.controllingPerson.birthDate,
  }
}

/** A beneficial owner as `POST /accounts` attributes (identity attributes, kebab-case). */
export function ownerAccountAttributes(owner: BeneficialOwner): Record<string, string> {
  return {
    'name-first': owner.firstName,
    'name-last': owner.lastName,
    birthdate: owner.birthDate,
    'address-street-1': owner.address.street1,
    ...(owner.address.street2 ? { 'address-street-2': owner.address.street2 } : {}),
    'address-city': owner.address.city,
    'address-subdivision': owner.address.subdivision,
    'address-postal-code': owner.address.postalCode,
    'country-code': owner.address.country,
  }
}

/** Coinflow's passive KYB body, from the details Persona approved. */
export function businessRegistration(
  details: BusinessDetails,
  merchantId: string,
): BusinessRegistrationBody {
  const address = details.physicalAddress ?? details.registeredAddress
  return {
    merchantId,
    info: {
      name: details.legalName,
      tin: details.taxId.replace(/-/g, ''),
      website: details.website,
      dateFormed: details.dateFormed,
      entityType: details.entityType,
      business: {
        address1: address.street1,
        ...(address.street2 ? { address2: address.street2 } : {}),
        city: address.city,
        state: address.subdivision,
        zip: address.postalCode,
        country: address.country,
      },
      person: {
        email: details.controllingPerson.email,
        firstName: details.controllingPerson.firstName,
        lastName: details.controllingPerson.lastName,
      },
    },
    // Coinflow's owner check needs the SSN's last four; owners without one are left to its
    // verification page (a 451 with a link) rather than sent half-filled.
    ubos: details.beneficialOwners
      .flatMap((owner) => (owner.ssnLast4 ? [{ ...owner, ssn: owner.ssnLast4 }] : []))
      .map((owner) => ({
        firstName: owner.firstName,
        surName: owner.lastName,
        dob: owner.birthDate.replace(/-/g, ''),
        ssn: owner.ssn,
        physicalAddress: owner.address.street1,
        city: owner.address.city,
        state: owner.address.subdivision,
        zip: owner.address.postalCode,
        country: owner.address.country,
      })),
  }
}
