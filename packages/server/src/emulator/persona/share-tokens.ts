/**
 * @module
 * `/api/v1/connect/share-tokens`: create from a completed or approved inquiry, retrieve, list,
 * redeem (202, finishing on the emulator clock) and expire.
 */
import { Hono } from 'hono'
import { z } from 'zod'
import { badRequest, recordInvalid } from './errors'
import {
  filters,
  paginate,
  parseBody,
  reply,
  replyWithResource,
  type PersonaContext,
  type PersonaEnv,
} from './http'
import { shareTokenResource, type ShareTokenRecord } from './records'
import { SHARE_TOKEN_MAX_SECONDS, SHARE_TOKEN_MIN_SECONDS, type PersonaState } from './state'

const createBody = z.object({
  data: z.object({
    attributes: z.object({
      'connection-id': z.string(),
      'source-id': z.string(),
      'expires-in-seconds': z.int().optional(),
    }),
  }),
})

const redeemBody = z.object({
  data: z
    .object({ attributes: z.object({ 'destination-id': z.string().optional() }).optional() })
    .optional(),
  meta: z
    .object({
      'field-mappings': z
        .array(z.object({ 'source-field-name': z.string(), 'destination-field-name': z.string() }))
        .optional(),
    })
    .optional(),
})

const statuses = ['created', 'pending', 'redeemed', 'expired', 'failed']

export function shareTokenRoutes(state: PersonaState) {
  const app = new Hono<PersonaEnv>()

  app.post('/', async (c) => {
    const { attributes } = parseBody(c, createBody).data
    const seconds = attributes['expires-in-seconds']
    if (
      seconds !== undefined &&
      (seconds < SHARE_TOKEN_MIN_SECONDS || seconds > SHARE_TOKEN_MAX_SECONDS)
    ) {
      throw recordInvalid(
        `expires-in-seconds must be between ${SHARE_TOKEN_MIN_SECONDS} and ${SHARE_TOKEN_MAX_SECONDS}`,
        '/data/attributes/expires-in-seconds',
      )
    }
    const token = await state.createShareToken({
      connectionId: attributes['connection-id'],
      sourceId: attributes['source-id'],
      expiresInSeconds: seconds ?? null,
    })
    return replyWithResource(c, shareTokenResource(token), 201)
  })

  app.get('/', (c) => {
    const filter = filters(c, ['connection-id', 'status', 'direction'])
    if (filter.status !== undefined && !statuses.includes(filter.status)) {
      throw badRequest(`filter[status] must be one of ${statuses.join(', ')}`)
    }
    const matching = [...state.shareTokens.values()].filter(
      (token) =>
        (filter['connection-id'] === undefined || token.connectionId === filter['connection-id']) &&
        (filter.status === undefined || token.status === filter.status) &&
        // Every token the emulated org made is outbound; it receives none.
        (filter.direction === undefined || filter.direction === 'outbound'),
    )
    const page = paginate(c, matching, (id) => state.shareTokens.get(id))
    return reply(c, { data: page.data.map(shareTokenResource), links: page.links })
  })

  app.get('/:id', (c) =>
    replyWithResource(c, shareTokenResource(state.shareToken(c.req.param('id')))),
  )

  app.post('/:id/redeem', (c) => {
    const token = state.shareToken(c.req.param('id'))
    const destinationId = parseBody(c, redeemBody).data?.attributes?.['destination-id'] ?? null
    state.redeemShareToken(token, destinationId)
    return replyWithResource(c, shareTokenResource(token), 202)
  })

  app.post('/:id/expire', async (c) => {
    const token = state.shareToken(c.req.param('id'))
    await state.expireShareToken(token)
    return replyWithResource(c, shareTokenResource(token))
  })

  return app
}
