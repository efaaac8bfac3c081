/**
 * @module
 * `/api/v1/transactions`: create, retrieve and update (a status set after review). A transaction of
 * a type with a bound workflow runs it (`transaction-workflow.ts`). Bodies arrive in any key inflection (Persona's own
 * integration guide sends snake_case); the keys inside `fields` belong to the transaction type and
 * are echoed exactly as sent.
 */
import { Hono } from 'hono'
import { z } from 'zod'
import { badRequest, notFound } from './errors'
import { parseBody, reply, replyWithResource, type PersonaContext, type PersonaEnv } from './http'
import { transactionResource, wrapField, type TransactionRecord } from './records'
import type { PersonaState } from './state'

const createBody = z.object({
  data: z.object({
    attributes: z.object({
      'transaction-type-id': z.string(),
      fields: z.record(z.string(), z.unknown()).optional(),
      'reference-id': z.string().optional(),
      tags: z.array(z.string()).nullable().optional(),
    }),
  }),
  meta: z.object({}).optional(),
})

const patchBody = z.object({
  data: z
    .object({
      attributes: z
        .object({
          fields: z.record(z.string(), z.unknown()).optional(),
          status: z.string().min(1).max(64).optional(),
          'reference-id': z.string().optional(),
          label: z.string().optional(),
          tags: z.array(z.string()).optional(),
        })
        .optional(),
    })
    .optional(),
})

export function transactionRoutes(state: PersonaState) {
  const app = new Hono<PersonaEnv>()

  app.post('/', async (c) => {
    const { attributes } = parseBody(c, createBody).data
    const typeId = attributes['transaction-type-id']
    if (!typeId.startsWith('txntp_'))
      throw badRequest('data.attributes.transaction-type-id must start with txntp_')
    const fields = Object.fromEntries(
      Object.entries(attributes.fields ?? {}).map(([name, value]) => [
        name,
        wrapField(name, value),
      ]),
    )
    const record = await state.createTransaction({
      transactionTypeId: typeId,
      referenceId: attributes['reference-id'] ?? null,
      fields,
      tags: attributes.tags ?? [],
    })
    // Persona's document allows no `included` on a created transaction, even when asked for.
    return reply(c, { data: transactionResource(record) }, 201)
  })

  // An operator's decision on a transaction in review, or a host's own status change: the status
  // moves and `transaction.status-updated` goes out. Fields and tags are replaced as sent.
  app.patch('/:id', async (c) => {
    const record = state.transactions.get(c.req.param('id'))
    if (!record) throw notFound()
    const attributes = parseBody(c, patchBody).data?.attributes ?? {}
    if (attributes.fields) {
      for (const [name, value] of Object.entries(attributes.fields))
        record.fields[name] = wrapField(name, value)
    }
    if (attributes.tags) record.tags = attributes.tags
    if (attributes['reference-id'] !== undefined) record.referenceId = attributes['reference-id']
    if (attributes.status !== undefined) await state.setTransactionStatus(record, attributes.status)
    return replyWithResource(c, transactionResource(record))
  })

  app.get('/:id', (c) => {
    const record = state.transactions.get(c.req.param('id'))
    if (!record) throw notFound()
    return replyWithResource(c, transactionResource(record))
  })

  return app
}
