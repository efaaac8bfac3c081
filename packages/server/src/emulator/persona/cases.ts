/**
 * @module
 * `/api/v1/cases`: create (linking inquiries and accounts), retrieve, set-status. A case's status is
 * a free string defined by its template (`Open`, `Approved`, `Declined`, …).
 */
import { Hono } from 'hono'
import { z } from 'zod'
import { badRequest, notFound } from './errors'
import { parseBody, reply, replyWithResource, type PersonaContext, type PersonaEnv } from './http'
import { caseResource, wrapField, type CaseRecord } from './records'
import type { PersonaState } from './state'

const createBody = z.object({
  data: z.object({
    attributes: z.object({
      'case-template-id': z.string(),
      'creator-email-address': z.string().optional(),
      'case-queue-id': z.string().optional(),
      fields: z.record(z.string(), z.unknown()).optional(),
    }),
  }),
  meta: z
    .object({
      'object-ids': z.array(z.string()).optional(),
      'sla-expires-in-seconds': z.number().nullable().optional(),
    })
    .optional(),
})

const setStatusBody = z.object({ meta: z.object({ status: z.string().min(1) }) })

export function caseRoutes(state: PersonaState) {
  const app = new Hono<PersonaEnv>()

  const found = (id: string): CaseRecord => {
    const record = state.cases.get(id)
    if (!record) throw notFound()
    return record
  }

  app.post('/', async (c) => {
    const { data, meta } = parseBody(c, createBody)
    const templateId = data.attributes['case-template-id']
    if (!templateId.startsWith('ctmpl_'))
      throw badRequest('data.attributes.case-template-id must start with ctmpl_')
    const fields = Object.fromEntries(
      Object.entries(data.attributes.fields ?? {}).map(([name, value]) => [
        name,
        wrapField(name, value),
      ]),
    )
    const record = await state.createCase({
      caseTemplateId: templateId,
      fields,
      objectIds: meta?.['object-ids'] ?? [],
    })
    return replyWithResource(c, caseResource(record), 201)
  })

  app.get('/:id', (c) => replyWithResource(c, caseResource(found(c.req.param('id')))))

  app.post('/:id/set-status', async (c) => {
    const record = found(c.req.param('id'))
    await state.setCaseStatus(record, parseBody(c, setStatusBody).meta.status)
    return replyWithResource(c, caseResource(record))
  })

  return app
}
