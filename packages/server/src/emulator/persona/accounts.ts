/**
 * @module
 * `/api/v1/accounts`: create, retrieve, and relations between an account and other accounts or
 * transactions (`add-relation`, `GET …/relations?filter[key]=…`).
 */
import { Hono } from 'hono'
import { z } from 'zod'
import { badRequest, notFound } from './errors'
import {
  filters,
  paginate,
  parseBody,
  reply,
  replyWithResource,
  timeFilter,
  type PersonaContext,
  type PersonaEnv,
} from './http'
import { accountResource, transactionResource, wrapField, type AccountRecord } from './records'
import type { PersonaState } from './state'

/** Top-level identity attributes the create body may carry; they become the account's fields. */
const identityAttributes = [
  'name-first',
  'name-middle',
  'name-last',
  'birthdate',
  'phone-number',
  'email-address',
  'address-street-1',
  'address-street-2',
  'address-city',
  'address-subdivision',
  'address-postal-code',
  'country-code',
  'social-security-number',
] as const

const createBody = z.object({
  data: z
    .object({
      attributes: z
        .object({
          'account-type-id': z.string().optional(),
          'account-status': z.string().optional(),
          'reference-id': z.string().optional(),
          tags: z.array(z.string()).nullable().optional(),
          fields: z.record(z.string(), z.unknown()).optional(),
          ...Object.fromEntries(identityAttributes.map((name) => [name, z.string().optional()])),
        })
        .optional(),
    })
    .optional(),
  meta: z.object({ 'upsert-by': z.string().nullable().optional() }).optional(),
})

const addRelationBody = z.object({
  meta: z.object({ 'relation-schema-key': z.string().min(1), 'target-object-id': z.string() }),
})

export function accountRoutes(state: PersonaState) {
  const app = new Hono<PersonaEnv>()

  const found = (id: string): AccountRecord => {
    const record = state.accounts.get(id)
    if (!record) throw notFound()
    return record
  }

  app.post('/', async (c) => {
    const attributes: Record<string, unknown> = parseBody(c, createBody).data?.attributes ?? {}
    const accountTypeId = attributes['account-type-id'] as string | undefined
    if (accountTypeId !== undefined && !accountTypeId.startsWith('acttp_')) {
      throw badRequest('data.attributes.account-type-id must start with acttp_')
    }
    const fields = Object.fromEntries(
      Object.entries((attributes.fields as Record<string, unknown> | undefined) ?? {}).map(
        ([name, value]) => [name, wrapField(name, value)],
      ),
    )
    // Persona stores identity attributes as snake_case fields of the account.
    for (const name of identityAttributes) {
      if (typeof attributes[name] === 'string')
        fields[name.replace(/-/g, '_')] = wrapField(name, attributes[name])
    }
    const record = await state.createAccount({
      referenceId: (attributes['reference-id'] as string | undefined) ?? null,
      accountTypeId: accountTypeId ?? null,
      fields,
      tags: (attributes.tags as string[] | null | undefined) ?? [],
    })
    if (typeof attributes['account-status'] === 'string')
      record.accountStatus = attributes['account-status']
    return replyWithResource(c, accountResource(record), 201)
  })

  app.get('/:id', (c) => replyWithResource(c, accountResource(found(c.req.param('id')))))

  app.post('/:id/add-relation', async (c) => {
    const record = found(c.req.param('id'))
    const { meta } = parseBody(c, addRelationBody)
    const target = meta['target-object-id']
    if (!state.accounts.has(target) && !state.transactions.has(target)) {
      throw notFound('meta.target-object-id is not found')
    }
    await state.addAccountRelation(record, meta['relation-schema-key'], target)
    return replyWithResource(c, accountResource(record))
  })

  app.get('/:id/relations', (c) => {
    const record = found(c.req.param('id'))
    const filter = filters(c, ['key', 'created-at-start', 'created-at-end'])
    if (filter.key === undefined) throw badRequest('filter[key] is missing')
    const from = timeFilter(filter['created-at-start'], 'created-at-start')
    const to = timeFilter(filter['created-at-end'], 'created-at-end')
    const related = record.relations
      .filter(
        (relation) =>
          relation.key === filter.key &&
          (from === undefined || relation.createdAt >= from) &&
          (to === undefined || relation.createdAt <= to),
      )
      .map(
        (relation) =>
          state.accounts.get(relation.targetId) ?? state.transactions.get(relation.targetId),
      )
      .filter((object) => object !== undefined)
    const page = paginate(c, related, (id) => related.find((object) => object.id === id))
    return reply(c, {
      data: page.data.map((object) =>
        'accountTypeId' in object ? accountResource(object) : transactionResource(object),
      ),
      links: page.links,
    })
  })

  return app
}
