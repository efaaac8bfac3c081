/**
 * @module
 * `POST /withdraw/kyb`, Coinflow's business registration, in both of its forms
 * (`KybRequestBody`):
 * - **passive**: the business's `info` (name, tax number, website, address, a contact person) and
 *   its beneficial owners (`ubos`), checked at once: `200 {withdrawer: IBackwardBusiness}`;
 * - **document verification**: `email` and `country` only, answered `451` with a
 *   `verificationLink` where the business uploads its documents.
 * A second registration for the same user is `409`. The magic values (README) steer the
 * passive check to a rejection or to Coinflow asking for documents.
 */
import type { Context, Hono, MiddlewareHandler } from 'hono'
import { z } from 'zod'
import type { KnownBusiness } from './records'
import { backwardBusinessJson } from './serialize'
import { identityOfCountry, type CoinflowState } from './state'

const text = (max = 256) => z.string().trim().min(1).max(max)
const country = z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 country code')
const dob = z.string().regex(/^\d{4}-?\d{2}-?\d{2}$/, 'must be YYYYMMDD')

/** Countries whose businesses the passive check covers (US TIN, Canadian business number). */
export const PASSIVE_KYB_COUNTRIES = ['US', 'CA'] as const

/** A tax number ending in `9999` with business zip `99999` is rejected (as Coinflow's KYC values). */
export const KYB_REJECTED_TIN_LAST4 = '9999'
/** A tax number ending in `5555` passes the database check only with documents (`451` + link). */
export const KYB_DOCUMENTS_TIN_LAST4 = '5555'

const passive = z.object({
  merchantId: text(),
  redirectLink: z.url().max(2048).optional(),
  info: z.object({
    name: text(200),
    dateFormed: z.string().max(32).optional(),
    tin: z.string().regex(/^\d{2}-?\d{7}$|^\d{9}$/, 'must be the 9-digit tax number'),
    website: text(2048),
    phoneNumber: z.string().max(32).optional(),
    entityType: z.string().max(64).optional(),
    merchantId: z.string().optional(),
    business: z.object({
      country,
      zip: text(20),
      state: text(60),
      city: text(120),
      address1: text(),
      address2: z.string().max(256).optional(),
    }),
    person: z.object({
      email: z.email().max(254),
      firstName: text(100),
      lastName: text(100),
    }),
  }),
  ubos: z
    .array(
      z.object({
        ssn: z.string().regex(/^(\d{4}|\d{9})$/, 'must be the last 4 digits of the SSN'),
        dob,
        country,
        zip: text(20),
        state: text(60),
        city: text(120),
        physicalAddress: text(),
        surName: text(100),
        firstName: text(100),
      }),
    )
    .max(10)
    .optional(),
})

const documents = z.object({
  merchantId: text(),
  redirectLink: z.url().max(2048).optional(),
  country,
  email: z.email().max(254),
})

export function kybRegistration(state: CoinflowState) {
  const { registration } = state

  async function registerPassive(userId: string, body: z.infer<typeof passive>) {
    registration.rejectIfExists(userId)
    const { info } = body
    const tin = info.tin.replace(/-/g, '')
    const business: KnownBusiness = {
      name: info.name,
      tinLast4: tin.slice(-4),
      ubos: (body.ubos ?? []).map((ubo) => ({
        reference: registration.objectId(),
        name: `${ubo.firstName} ${ubo.surName}`,
        status: 'pending',
      })),
    }
    const withdrawer = await registration.create(
      userId,
      info.person.email,
      {
        // The contact person and the business's address: what Coinflow shows of the withdrawer.
        ...identityOfCountry(info.business.country),
        firstName: info.person.firstName,
        lastName: info.person.lastName,
        address1: info.business.address1,
        city: info.business.city,
        state: info.business.state,
        zip: info.business.zip,
      },
      { reference: registration.objectId(), status: 'pending', vendor: 'middesk' },
    )
    withdrawer.business = business
    withdrawer.redirectLink = body.redirectLink ?? null
    const passiveCovers = (PASSIVE_KYB_COUNTRIES as readonly string[]).includes(
      info.business.country,
    )
    if (business.tinLast4 === KYB_REJECTED_TIN_LAST4 && info.business.zip === '99999') {
      for (const ubo of business.ubos) ubo.status = 'rejected'
      await registration.reject(withdrawer, 'Business could not be verified')
    } else if (
      !passiveCovers ||
      business.ubos.length === 0 ||
      business.tinLast4 === KYB_DOCUMENTS_TIN_LAST4
    ) {
      // Coinflow cannot finish the check from the data alone (no owners, a country its database
      // does not cover, or an inconclusive match): the business uploads documents on the link.
      withdrawer.awaiting = 'document'
    } else {
      for (const ubo of business.ubos) ubo.status = 'approved'
      await registration.approve(withdrawer)
      return {
        status: 200 as const,
        body: { withdrawer: backwardBusinessJson(withdrawer, state.merchantId) },
      }
    }
    return { status: 451 as const, body: registration.verificationRequired(withdrawer) }
  }

  async function registerWithDocuments(userId: string, body: z.infer<typeof documents>) {
    registration.rejectIfExists(userId)
    const withdrawer = await registration.create(
      userId,
      body.email,
      identityOfCountry(body.country),
      {
        reference: registration.objectId(),
        status: 'pending',
        vendor: 'persona_kyb',
      },
    )
    withdrawer.business = { name: '', tinLast4: null, ubos: [] }
    withdrawer.redirectLink = body.redirectLink ?? null
    withdrawer.awaiting = 'document'
    return { status: 451 as const, body: registration.verificationRequired(withdrawer) }
  }

  return { passive, documents, registerPassive, registerWithDocuments }
}

type Env = { Variables: { userId: string } }

/** Registers `POST /withdraw/kyb` on the API app, behind the withdrawer-scoped auth `user`. */
export function kybRoutes(
  app: Hono<Env>,
  state: CoinflowState,
  helpers: {
    user: MiddlewareHandler<Env>
    readBody: <T>(c: Context, schema: z.ZodType<T>) => Promise<T>
    invalid: (error: z.ZodError) => Error
  },
) {
  const kyb = kybRegistration(state)
  app.post('/withdraw/kyb', helpers.user, async (c) => {
    const raw = await helpers.readBody(c, z.unknown())
    if (typeof raw === 'object' && raw !== null && 'info' in raw) {
      const parsed = kyb.passive.safeParse(raw)
      if (!parsed.success) throw helpers.invalid(parsed.error)
      const result = await kyb.registerPassive(c.var.userId, parsed.data)
      return c.json(result.body, result.status)
    }
    const parsed = kyb.documents.safeParse(raw)
    if (!parsed.success) throw helpers.invalid(parsed.error)
    const result = await kyb.registerWithDocuments(c.var.userId, parsed.data)
    return c.json(result.body, result.status)
  })
}
