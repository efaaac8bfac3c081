/**
 * @module
 * `/api/v1/transactions`: create and retrieve. Bodies arrive in any key inflection (Persona's own
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

  app.get('/:id', (c) => {
    const record = state.transactions.get(c.req.param('id'))
    if (!record) throw notFound()
    return replyWithResource(c, transactionResource(record))
  })

  return app
}
