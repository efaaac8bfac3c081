/**
 * The Persona calls a compliance operator makes (mark for review, approve, decline, cases and
 * their status, an account's relations), sent on the operator lane of the BFF's one Persona
 * budget (`PersonaClient.operatorSender`). Persona's JSON is mapped to ids and statuses here;
 * nothing else of it reaches an operator's browser.
 *
 * @module
 */
import { z } from 'zod'
import { ApiError } from '../errors'
import type { UpstreamCallCounter, UpstreamResponse } from '../upstream/http'
import { idempotentPost, type PersonaClient } from '../upstream/persona'

const encode = encodeURIComponent

const CaseDocument = z.object({
  data: z.object({
    id: z.string(),
    attributes: z.object({ status: z.string(), 'updated-at': z.string().nullish() }),
    relationships: z
      .object({
        inquiries: z.object({ data: z.array(z.object({ id: z.string() })).nullish() }).nullish(),
      })
      .nullish(),
  }),
})

const InquiryDocument = z.object({
  data: z.object({ id: z.string(), attributes: z.object({ status: z.string() }) }),
})

const RelationDocument = z.object({
  data: z.array(z.object({ type: z.enum(['account', 'transaction']), id: z.string() })),
})

export interface PersonaCase {
  id: string
  status: string
  inquiryIds: string[]
}

/** What Persona said to an operator's write: done, or refused for what was asked (4xx). */
export type OperatorResult<T> = { ok: true; value: T } | { ok: false; status: number }

const toCase = (body: unknown): PersonaCase => {
  const { data } = CaseDocument.parse(body)
  return {
    id: data.id,
    status: data.attributes.status,
    inquiryIds: (data.relationships?.inquiries?.data ?? []).map((inquiry) => inquiry.id),
  }
}

const unexpected = (operation: string, response: UpstreamResponse) =>
  new ApiError(
    'upstream_unavailable',
    'Identity verification is not responding right now. Nothing was changed; please try again shortly.',
    { cause: new Error(`persona ${operation}: unexpected status ${response.status}`) },
  )

export type OperatorPersona = ReturnType<typeof operatorPersona>

export function operatorPersona(client: PersonaClient, counter?: UpstreamCallCounter) {
  const send = client.operatorSender(counter)
  const post = idempotentPost(send)

  /** A 2xx mapped with `map`; a 4xx is Persona refusing what was asked; anything else throws. */
  const result = <T>(
    operation: string,
    response: UpstreamResponse,
    map: (body: unknown) => T,
  ): OperatorResult<T> => {
    if (response.status >= 200 && response.status < 300) {
      try {
        return { ok: true, value: map(response.body) }
      } catch (cause) {
        throw new ApiError('upstream_unavailable', 'Identity verification answered oddly.', {
          cause,
        })
      }
    }
    if (response.status >= 400 && response.status < 500 && response.status !== 429) {
      return { ok: false, status: response.status }
    }
    throw unexpected(operation, response)
  }

  const inquiryStatus = (body: unknown) => InquiryDocument.parse(body).data.attributes.status

  return {
    async inquiryAction(
      action: 'mark-for-review' | 'approve' | 'decline',
      inquiryId: string,
      idempotencyKey: string,
      comment?: string,
    ) {
      const response = await post(
        `persona.${action}`,
        `/inquiries/${encode(inquiryId)}/${action}`,
        idempotencyKey,
        comment ? { meta: { comment } } : undefined,
      )
      return result(`inquiry ${action}`, response, inquiryStatus)
    },

    async createCase(templateId: string, objectIds: string[], idempotencyKey: string) {
      const response = await post('persona.createCase', '/cases', idempotencyKey, {
        data: { attributes: { 'case-template-id': templateId } },
        meta: { 'object-ids': objectIds },
      })
      return result('createCase', response, toCase)
    },

    async getCase(caseId: string) {
      const response = await send({
        operation: 'persona.getCase',
        method: 'GET',
        path: `/cases/${encode(caseId)}`,
      })
      return result('getCase', response, toCase)
    },

    async setCaseStatus(caseId: string, status: string, idempotencyKey: string) {
      const response = await post(
        'persona.setCaseStatus',
        `/cases/${encode(caseId)}/set-status`,
        idempotencyKey,
        { meta: { status } },
      )
      return result('setCaseStatus', response, toCase)
    },

    async relations(accountId: string, key: string) {
      const response = await send({
        operation: 'persona.listAccountRelations',
        method: 'GET',
        path: `/accounts/${encode(accountId)}/relations`,
        query: { 'filter[key]': key, 'page[size]': 100 },
      })
      return result('listAccountRelations', response, (body) => RelationDocument.parse(body).data)
    },
  }
}
