/**
 * @module
 * `/api/v1/inquiries`: create, retrieve, update, redact, list, one-time links, resume, review
 * decisions, expire and the sandbox's `perform-simulate-actions`.
 */
import { Hono } from 'hono'
import { z } from 'zod'
import { badRequest, conflict } from './errors'
import {
  commaList,
  filters,
  paginate,
  parseBody,
  reply,
  timeFilter,
  type PersonaContext,
  type PersonaEnv,
} from './http'
import { kebabKey } from './inflection'
import {
  accountResource,
  defaultInquiryFields,
  inquiryResource,
  wrapField,
  type FieldValue,
  type InquiryRecord,
} from './records'
import type { PersonaState } from './state'

const optionalText = z.string().nullable().optional()
const positiveSeconds = z.int().min(1).nullable().optional()

const plainFields = z.record(z.string(), z.unknown()).nullable().optional()

const createBody = z.object({
  data: z.object({
    attributes: z.object({
      'inquiry-template-id': optionalText,
      'template-id': optionalText,
      'inquiry-template-version-id': optionalText,
      'reference-id': optionalText,
      'account-id': optionalText,
      'creator-email-address': optionalText,
      'theme-id': optionalText,
      'theme-set-id': optionalText,
      'redirect-uri': optionalText,
      note: optionalText,
      fields: plainFields,
      tags: z.array(z.string()).nullable().optional(),
      'initial-step-name': optionalText,
    }),
  }),
  meta: z
    .object({
      'auto-create-account': z.boolean().optional(),
      'auto-create-account-type-id': z.string().optional(),
      'auto-create-account-reference-id': z.string().optional(),
      'auto-create-inquiry-session': z.boolean().optional(),
      'auto-create-one-time-link': z.boolean().optional(),
      'expiration-after-create-interval-seconds': positiveSeconds,
      'expiration-after-start-interval-seconds': positiveSeconds,
      'expiration-after-resume-interval-seconds': positiveSeconds,
      'one-time-link-expiration-seconds': positiveSeconds,
    })
    .optional(),
})

const updateBody = z.object({
  data: z
    .object({
      attributes: z
        .object({
          note: optionalText,
          fields: plainFields,
          tags: z.array(z.string()).optional(),
          'redirect-uri': optionalText,
        })
        .optional(),
    })
    .optional(),
})

const commentBody = z.object({ meta: z.object({ comment: z.string().optional() }).optional() })

const oneTimeLinkBody = z.object({
  meta: z.object({ 'expires-in-seconds': z.int().min(1).max(2_147_483_647).optional() }).optional(),
})

const statusActions = [
  'start_inquiry',
  'complete_inquiry',
  'fail_inquiry',
  'expire_inquiry',
  'mark_for_review_inquiry',
  'approve_inquiry',
  'decline_inquiry',
] as const

const simulateBody = z.object({
  meta: z.object({
    'simulate-actions': z.array(
      z.union([
        z.object({ type: z.enum(statusActions) }),
        z.object({
          type: z.enum(['create_passed_verification', 'create_failed_verification']),
          data: z.object({ 'verification-template-id': z.string() }),
        }),
      ]),
    ),
  }),
})

const templatePrefixes = [
  ['inquiry-template-id', 'itmpl_'],
  ['template-id', 'tmpl_'],
  ['inquiry-template-version-id', 'itmplv_'],
] as const

const isoDate = /^\d{4}-\d{2}-\d{2}$/

/**
 * Request `fields` carry plain values in any key inflection; responses wrap them. The default
 * template's fields must be strings (birthdate as YYYY-MM-DD); others are echoed with their type.
 */
function readFields(
  input: Record<string, unknown> | null | undefined,
  pointer: string,
): Record<string, FieldValue> {
  const fields: Record<string, FieldValue> = {}
  for (const [rawName, value] of Object.entries(input ?? {})) {
    const kebab = kebabKey(rawName)
    const name = kebab in defaultInquiryFields ? kebab : rawName
    if (name in defaultInquiryFields) {
      if (value !== null && typeof value !== 'string')
        throw badRequest(`${pointer}.${name} must be a string`)
      if (
        name === 'birthdate' &&
        typeof value === 'string' &&
        (!isoDate.test(value) || Number.isNaN(Date.parse(value)))
      ) {
        throw badRequest(`${pointer}.birthdate must be a date (YYYY-MM-DD)`)
      }
    }
    fields[name] = wrapField(name, value)
  }
  return fields
}

export function inquiryRoutes(state: PersonaState) {
  const app = new Hono<PersonaEnv>()
  /** Stable template ids for inquiries created from a template version only. */
  const templateOfVersion = new Map<string, string>()

  const single = (
    c: PersonaContext,
    inquiry: InquiryRecord,
    extra: Record<string, unknown> = {},
    status: 200 | 201 = 200,
  ) => {
    const include = c.get('include')
    const body: Record<string, unknown> = { data: inquiryResource(inquiry), ...extra }
    if (include !== null) {
      const account = inquiry.accountId === null ? undefined : state.accounts.get(inquiry.accountId)
      body.included = include.includes('account') && account ? [accountResource(account)] : []
    }
    return reply(c, body, status)
  }

  app.post('/', async (c) => {
    const { data, meta = {} } = parseBody(c, createBody)
    const attributes = data.attributes
    const given = templatePrefixes.filter(([key]) => typeof attributes[key] === 'string')
    if (given.length !== 1) {
      throw badRequest(
        given.length === 0
          ? 'data.attributes.inquiry-template-id is missing'
          : 'only one of data.attributes.inquiry-template-id, template-id and inquiry-template-version-id may be given',
      )
    }
    const [key, prefix] = given[0]!
    const templateValue = attributes[key] as string
    if (!templateValue.startsWith(prefix) || templateValue.length === prefix.length) {
      throw badRequest(`data.attributes.${key} must start with ${prefix}`)
    }
    let templateId = templateValue
    let templateVersionId: string | null = null
    if (key === 'inquiry-template-version-id') {
      templateVersionId = templateValue
      templateId = templateOfVersion.get(templateValue) ?? state.world.ids.next('itmpl')
      templateOfVersion.set(templateValue, templateId)
    }
    const inquiry = await state.createInquiry({
      templateId,
      templateVersionId,
      referenceId: attributes['reference-id'] ?? null,
      accountId: attributes['account-id'] ?? null,
      autoCreateAccount: meta['auto-create-account'] ?? true,
      accountReferenceId: meta['auto-create-account-reference-id'] ?? null,
      fields: readFields(attributes.fields, 'data.attributes.fields'),
      note: attributes.note ?? null,
      tags: attributes.tags ?? [],
      redirectUri: attributes['redirect-uri'] ?? null,
      creatorEmail: attributes['creator-email-address'] ?? null,
      expireAfterCreateSeconds: meta['expiration-after-create-interval-seconds'] ?? null,
      expireAfterStartSeconds: meta['expiration-after-start-interval-seconds'] ?? null,
      expireAfterResumeSeconds: meta['expiration-after-resume-interval-seconds'] ?? null,
    })
    const session = meta['auto-create-inquiry-session']
      ? state.newSession(inquiry, state.now())
      : null
    const link = meta['auto-create-one-time-link']
      ? state.oneTimeLink(inquiry, meta['one-time-link-expiration-seconds'] ?? null)
      : null
    return single(
      c,
      inquiry,
      {
        meta: {
          'session-token': session?.token ?? null,
          'one-time-link': link?.['one-time-link'] ?? null,
          'one-time-link-short': link?.['one-time-link-short'] ?? null,
        },
      },
      201,
    )
  })

  app.get('/', (c) => {
    const filter = filters(c, [
      'inquiry-id',
      'account-id',
      'note',
      'reference-id',
      'inquiry-template-id',
      'template-id',
      'status',
      'created-at-start',
      'created-at-end',
    ])
    if (filter.note !== undefined && Object.keys(filter).length > 1) {
      throw badRequest('filter[note] must be the only filter')
    }
    const ids = commaList(filter['inquiry-id'])
    const accountIds = commaList(filter['account-id'])
    const templateIds = commaList(filter['inquiry-template-id'] ?? filter['template-id'])
    const statuses = commaList(filter.status)
    const from = timeFilter(filter['created-at-start'], 'created-at-start')
    const to = timeFilter(filter['created-at-end'], 'created-at-end')
    const matching = [...state.inquiries.values()].filter(
      (inquiry) =>
        (!ids || ids.includes(inquiry.id)) &&
        (!accountIds || (inquiry.accountId !== null && accountIds.includes(inquiry.accountId))) &&
        (filter['reference-id'] === undefined || inquiry.referenceId === filter['reference-id']) &&
        (filter.note === undefined || inquiry.note === filter.note) &&
        (!templateIds || templateIds.includes(inquiry.templateId)) &&
        (!statuses || statuses.includes(inquiry.status)) &&
        (from === undefined || inquiry.createdAt >= from) &&
        (to === undefined || inquiry.createdAt <= to),
    )
    const page = paginate(c, matching, (id) => state.inquiries.get(id))
    return reply(c, { data: page.data.map(inquiryResource), links: page.links })
  })

  app.get('/:id', (c) => single(c, state.inquiry(c.req.param('id'))))

  app.patch('/:id', async (c) => {
    const inquiry = state.inquiry(c.req.param('id'))
    const attributes = parseBody(c, updateBody).data?.attributes ?? {}
    if (inquiry.redactedAt !== null) throw conflict('Inquiry already redacted')
    if (attributes.note !== undefined) inquiry.note = attributes.note
    if (attributes.tags !== undefined) inquiry.tags = attributes.tags
    if (attributes['redirect-uri'] !== undefined) inquiry.redirectUri = attributes['redirect-uri']
    if (attributes.fields)
      Object.assign(inquiry.fields, readFields(attributes.fields, 'data.attributes.fields'))
    inquiry.updatedAt = state.now()
    return single(c, inquiry)
  })

  app.delete('/:id', async (c) => {
    const inquiry = state.inquiry(c.req.param('id'))
    await state.redactInquiry(inquiry)
    return single(c, inquiry)
  })

  app.post('/:id/generate-one-time-link', (c) => {
    const inquiry = state.inquiry(c.req.param('id'))
    const { meta } = parseBody(c, oneTimeLinkBody)
    return single(c, inquiry, {
      meta: state.oneTimeLink(inquiry, meta?.['expires-in-seconds'] ?? null),
    })
  })

  app.post('/:id/resume', async (c) => {
    const inquiry = state.inquiry(c.req.param('id'))
    const session = await state.resumeInquiry(inquiry)
    return single(c, inquiry, { meta: { 'session-token': session.token } })
  })

  app.post('/:id/mark-for-review', async (c) => {
    const inquiry = state.inquiry(c.req.param('id'))
    await state.markForReview(inquiry, parseBody(c, commentBody).meta?.comment ?? null)
    return single(c, inquiry)
  })

  for (const decision of ['approve', 'decline'] as const) {
    app.post(`/:id/${decision}`, async (c) => {
      const inquiry = state.inquiry(c.req.param('id'))
      const comment = parseBody(c, commentBody).meta?.comment ?? null
      await state.decide(inquiry, decision === 'approve' ? 'approved' : 'declined', comment)
      return single(c, inquiry)
    })
  }

  app.post('/:id/expire', async (c) => {
    const inquiry = state.inquiry(c.req.param('id'))
    await state.expireInquiry(inquiry)
    return single(c, inquiry)
  })

  app.post('/:id/perform-simulate-actions', async (c) => {
    const inquiry = state.inquiry(c.req.param('id'))
    const actions = parseBody(c, simulateBody).meta['simulate-actions']
    // Applied in order, as the sandbox does; an action the status forbids stops the run with 409.
    for (const action of actions) {
      switch (action.type) {
        case 'start_inquiry':
          await state.startInquiry(inquiry)
          break
        case 'complete_inquiry':
          await state.completeInquiry(inquiry)
          break
        case 'fail_inquiry':
          await state.failInquiry(inquiry)
          break
        case 'expire_inquiry':
          await state.expireInquiry(inquiry)
          break
        case 'mark_for_review_inquiry':
          await state.markForReview(inquiry, null)
          break
        case 'approve_inquiry':
          await state.decide(inquiry, 'approved', null)
          break
        case 'decline_inquiry':
          await state.decide(inquiry, 'declined', null)
          break
        case 'create_passed_verification':
        case 'create_failed_verification':
          inquiry.verifications.push({
            id: state.world.ids.next('ver'),
            type: 'verification/government-id',
            status: action.type === 'create_passed_verification' ? 'passed' : 'failed',
          })
          inquiry.updatedAt = state.now()
          break
        default:
          action satisfies never
      }
    }
    return single(c, inquiry)
  })

  return app
}
