import { z } from 'zod'

/**
 * A business payee's details (KYB): what Persona's KYB transaction type and Coinflow's business
 * registration need. The browser validates with these schemas and the BFF validates again; a
 * problem is a field error whose `message` is one of {@link BusinessFieldProblem} (a code the
 * form translates), at the dotted path of the field.
 */

/** Why a business field was refused; the form shows each in the user's language. */
export const BusinessFieldProblem = z.enum([
  'required',
  'too_long',
  'invalid_date',
  'date_in_future',
  /** A beneficial owner or controlling person younger than 18. */
  'too_young',
  'invalid_country',
  /** The business's country is not one the kit's business payouts serve. */
  'country_not_served',
  'invalid_postal_code',
  /** The tax number does not have the shape of the registered country's (e.g. a US EIN). */
  'tax_id_shape',
  'invalid_website',
  'invalid_email',
  'invalid_entity_type',
  /** The owners' shares add up to more than 100 %. */
  'ownership_over_100',
  'invalid_ownership',
  /** The same person is listed twice. */
  'duplicate_owner',
  'too_many_owners',
])
export type BusinessFieldProblem = z.infer<typeof BusinessFieldProblem>

/**
 * Countries whose businesses the kit pays: those Coinflow's business registration checks from
 * the data alone (a US EIN, a Canadian business number).
 */
export const BUSINESS_COUNTRIES = ['US', 'CA'] as const
export type BusinessCountry = (typeof BUSINESS_COUNTRIES)[number]

/** The tax number's shape per country: a US EIN (`12-3456789`), a Canadian BN (9 digits). */
const TAX_ID_SHAPES: Record<BusinessCountry, RegExp> = {
  US: /^\d{2}-?\d{7}$/,
  CA: /^\d{9}$/,
}

const POSTAL_CODE_SHAPES: Record<BusinessCountry, RegExp> = {
  US: /^\d{5}(-\d{4})?$/,
  CA: /^[A-Za-z]\d[A-Za-z] ?\d[A-Za-z]\d$/,
}

/** A beneficial owner holds 25 % or more, so a business has at most four. */
export const MAX_BENEFICIAL_OWNERS = 4

export const BusinessEntityType = z.enum(
  ['llc', 'corporation', 'partnership', 'sole_proprietorship', 'nonprofit'],
  { error: 'invalid_entity_type' },
)
export type BusinessEntityType = z.infer<typeof BusinessEntityType>

const text = (max: number) =>
  z
    .string({ error: 'required' })
    .trim()
    .min(1, { error: 'required' })
    .max(max, { error: 'too_long' })

const country = z.string({ error: 'required' }).regex(/^[A-Z]{2}$/, { error: 'invalid_country' })

/** `YYYY-MM-DD`, a real calendar date, not after today (UTC). */
const pastDate = z
  .string({ error: 'required' })
  .regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'invalid_date' })
  .refine(
    (value) => {
      const date = new Date(`${value}T00:00:00Z`)
      return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value)
    },
    { error: 'invalid_date', abort: true },
  )
  .refine((value) => value <= new Date().toISOString().slice(0, 10), {
    error: 'date_in_future',
    abort: true,
  })

/** A birth date of someone at least 18 years old today. */
const adultBirthDate = pastDate.refine(
  (value) => {
    const today = new Date()
    const eighteen = `${today.getUTCFullYear() - 18}${today.toISOString().slice(4, 10)}`
    return value <= eighteen
  },
  { error: 'too_young' },
)

export const PostalAddress = z.strictObject({
  street1: text(200),
  street2: text(200).optional(),
  city: text(120),
  /** State or province: `TX`, `ON`. */
  subdivision: text(60),
  postalCode: text(20),
  country,
})
export type PostalAddress = z.infer<typeof PostalAddress>

export const BeneficialOwner = z.strictObject({
  firstName: text(100),
  lastName: text(100),
  birthDate: adultBirthDate,
  /** Whole percent of the business this person owns (25 or more makes them a beneficial owner). */
  ownershipPercent: z
    .int({ error: 'invalid_ownership' })
    .min(1, { error: 'invalid_ownership' })
    .max(100, { error: 'invalid_ownership' }),
  address: PostalAddress,
  /** Last four digits of the owner's SSN (US owners), which Coinflow's owner check uses. */
  ssnLast4: z
    .string()
    .regex(/^\d{4}$/, { error: 'tax_id_shape' })
    .optional(),
})
export type BeneficialOwner = z.infer<typeof BeneficialOwner>

/** The person who controls the business and answers for it (Coinflow's `person`). */
export const ControllingPerson = z.strictObject({
  firstName: text(100),
  lastName: text(100),
  email: z.email({ error: 'invalid_email' }).max(254, { error: 'too_long' }),
  /** Their role: `CEO`, `Managing member`. */
  title: text(100),
  birthDate: adultBirthDate,
})
export type ControllingPerson = z.infer<typeof ControllingPerson>

/** `PUT /business`: everything the business journey needs, from the form or the host. */
export const BusinessDetails = z
  .strictObject({
    legalName: text(200),
    /** The registry's number for the business (state file number, corporation number). */
    registrationNumber: text(40),
    /** The business's tax number, in the shape of the registered address's country. */
    taxId: z.string({ error: 'required' }).trim().min(1, { error: 'required' }),
    dateFormed: pastDate,
    entityType: BusinessEntityType,
    website: z
      .url({ protocol: /^https?$/, error: 'invalid_website' })
      .max(2048, { error: 'too_long' }),
    registeredAddress: PostalAddress,
    /** Where the business operates, when not at its registered address. */
    physicalAddress: PostalAddress.optional(),
    beneficialOwners: z
      .array(BeneficialOwner)
      .max(MAX_BENEFICIAL_OWNERS, { error: 'too_many_owners' }),
    controllingPerson: ControllingPerson,
  })
  .superRefine((details, context) => {
    const served = (BUSINESS_COUNTRIES as readonly string[]).includes(
      details.registeredAddress.country,
    )
    if (!served) {
      context.addIssue({
        code: 'custom',
        path: ['registeredAddress', 'country'],
        message: 'country_not_served',
      })
      return
    }
    const home = details.registeredAddress.country as BusinessCountry
    if (!TAX_ID_SHAPES[home].test(details.taxId)) {
      context.addIssue({ code: 'custom', path: ['taxId'], message: 'tax_id_shape' })
    }
    const addresses: [PostalAddress, (string | number)[]][] = [
      [details.registeredAddress, ['registeredAddress']],
      ...(details.physicalAddress
        ? [[details.physicalAddress, ['physicalAddress']] as [PostalAddress, string[]]]
        : []),
      ...details.beneficialOwners.map(
        (owner, index) =>
          [owner.address, ['beneficialOwners', index, 'address']] as [
            PostalAddress,
            (string | number)[],
          ],
      ),
    ]
    for (const [address, path] of addresses) {
      const shape = POSTAL_CODE_SHAPES[address.country as BusinessCountry]
      if (shape && !shape.test(address.postalCode)) {
        context.addIssue({
          code: 'custom',
          path: [...path, 'postalCode'],
          message: 'invalid_postal_code',
        })
      }
    }
    const total = details.beneficialOwners.reduce((sum, owner) => sum + owner.ownershipPercent, 0)
    if (total > 100) {
      context.addIssue({
        code: 'custom',
        path: ['beneficialOwners'],
        message: 'ownership_over_100',
      })
    }
    const seen = new Set<string>()
    details.beneficialOwners.forEach((owner, index) => {
      const key = `${owner.firstName} ${owner.lastName} ${owner.birthDate}`.toLowerCase()
      if (seen.has(key)) {
        context.addIssue({
          code: 'custom',
          path: ['beneficialOwners', index],
          message: 'duplicate_owner',
        })
      }
      seen.add(key)
    })
  })
export type BusinessDetails = z.infer<typeof BusinessDetails>

/**
 * Where a business payee stands on the way to a payout.
 *
 * - `details_required`: nothing submitted yet; the gate shows the business form.
 * - `checking`: Persona's KYB workflow (or Coinflow's registration) is running; updates arrive
 *   over `GET /events`.
 * - `in_review`: a watchlist or PEP match, or the workflow asked for a person to look: the
 *   platform's compliance team decides.
 * - `needs_more_info`: Coinflow wants documents (`verificationLink`).
 * - `approved`: destinations, quotes and payouts work as for a person.
 * - `declined`: Persona or Coinflow declined the business. Terminal; contact support.
 * - `stalled`: the check did not finish in time. Terminal for this submission; contact support.
 */
export const BusinessState = z.enum([
  'details_required',
  'checking',
  'in_review',
  'needs_more_info',
  'approved',
  'declined',
  'stalled',
])
export type BusinessState = z.infer<typeof BusinessState>

/** `GET /business` and `PUT /business`: the business's state, never its tax number or owners. */
export const BusinessStatus = z.strictObject({
  state: BusinessState,
  /** The business's name as submitted, for the gate's heading. */
  legalName: z.string().optional(),
  /** Coinflow's document page, when `state` is `needs_more_info`. */
  verificationLink: z.url().optional(),
  updatedAt: z.iso.datetime(),
})
export type BusinessStatus = z.infer<typeof BusinessStatus>
