/**
 * A typed Persona client for what the kit needs: inquiries (create, retrieve, list by
 * reference id, resume, one-time link, mark for review) and Connect share tokens (create,
 * retrieve). Vendor JSON is parsed here and mapped to small internal shapes that carry no PII;
 * nothing Persona returns reaches a browser unmapped.
 *
 * Pinned to `Persona-Version: 2025-12-08`, the version of `vendor-specs/persona-openapi.yaml`.
 *
 * @see https://docs.withpersona.com/reference
 * @module
 */
import { z } from 'zod'
import type { ShareflowStore } from '../store/types'
import {
  createUpstreamTransport,
  type UpstreamCallCounter,
  type UpstreamRequest,
  type UpstreamResponse,
  type UpstreamTransportOptions,
  type VendorClientTransportOptions,
} from './http'
import { upstreamFailures } from './failures'
import { createRateBudget } from './rate-budget'

export const PERSONA_API_VERSION = '2025-12-08'
export const PERSONA_BASE_URL = 'https://api.withpersona.com/api/v1'

const BUDGET_WINDOW_MS = 5_000

/** An inquiry as the BFF needs it: ids, status and timestamps, never the user's fields. */
export interface PersonaInquiry {
  id: string
  /** Open enum: `created | pending | completed | failed | expired | needs_review | approved | declined | …`. */
  status: string
  referenceId: string | null
  createdAt: string | null
  updatedAt: string | null
  expiredAt: string | null
  nextStepName: string | null
}

export interface PersonaShareToken {
  id: string
  /** Open enum: `created | pending | redeemed | expired | failed`. */
  status: string
  expiresAt: string | null
  failureReason: string | null
  sourceId: string | null
}

const nullableString = z
  .string()
  .nullish()
  .transform((v) => v ?? null)

const InquiryResource = z.object({
  type: z.literal('inquiry'),
  id: z.string().min(1),
  attributes: z.object({
    status: z.string(),
    'reference-id': nullableString,
    'created-at': nullableString,
    'updated-at': nullableString,
    'expired-at': nullableString,
    'next-step-name': nullableString,
  }),
})

const ShareTokenResource = z.object({
  type: z.literal('connect/share-token'),
  id: z.string().min(1),
  attributes: z.object({
    status: z.string(),
    'expires-at': nullableString,
    'failure-reason': nullableString,
  }),
  relationships: z
    .object({
      source: z.object({ data: z.object({ id: z.string() }).nullish() }).optional(),
    })
    .optional(),
})

const InquiryDocument = z.object({
  data: InquiryResource,
  meta: z
    .object({
      'session-token': nullableString.optional(),
      'one-time-link': nullableString.optional(),
    })
    .nullish(),
})
const InquiryList = z.object({ data: z.array(InquiryResource) })
const TransactionDocument = z.object({
  data: z.object({ id: z.string(), attributes: z.object({ status: z.string() }) }),
})
const IdDocument = z.object({ data: z.object({ id: z.string() }) })
const toTransaction = (
  resource: z.infer<typeof TransactionDocument>['data'],
): PersonaTransaction => ({ id: resource.id, status: resource.attributes.status })
const ShareTokenDocument = z.object({ data: ShareTokenResource })

const toInquiry = (resource: z.infer<typeof InquiryResource>): PersonaInquiry => ({
  id: resource.id,
  status: resource.attributes.status,
  referenceId: resource.attributes['reference-id'],
  createdAt: resource.attributes['created-at'],
  updatedAt: resource.attributes['updated-at'],
  expiredAt: resource.attributes['expired-at'],
  nextStepName: resource.attributes['next-step-name'],
})

const toShareToken = (resource: z.infer<typeof ShareTokenResource>): PersonaShareToken => ({
  id: resource.id,
  status: resource.attributes.status,
  expiresAt: resource.attributes['expires-at'],
  failureReason: resource.attributes['failure-reason'],
  sourceId: resource.relationships?.source?.data?.id ?? null,
})

/** A 4xx Persona answered that the caller decides about (e.g. resuming a finished inquiry). */
export interface PersonaRefusal {
  ok: false
  status: number
  /** Persona's error titles, for the log only. */
  titles: string[]
}

export type PersonaResult<T> = ({ ok: true } & T) | PersonaRefusal

const PersonaErrors = z.object({ errors: z.array(z.object({ title: z.string() })) })

function refusal(response: UpstreamResponse): PersonaRefusal {
  const parsed = PersonaErrors.safeParse(response.body)
  return {
    ok: false,
    status: response.status,
    titles: parsed.success ? parsed.data.errors.map((e) => e.title.slice(0, 120)) : [],
  }
}

const failures = upstreamFailures(
  'persona',
  'Identity verification is not responding right now. Nothing was lost; please try again shortly.',
)
const { parse, unexpected } = failures

export interface CreateInquiryInput {
  /** `itmpl_…` (or legacy `tmpl_…`, or a version `itmplv_…`). */
  templateId: string
  /** The host's user id; Persona stores it as the inquiry's and the account's reference id. */
  referenceId: string
  /** Same key on retries of one intent; a new key starts a new inquiry. */
  idempotencyKey: string
  /** Where the hosted flow sends the user when done. */
  redirectUri?: string
}

export interface CreatedInquiry {
  inquiry: PersonaInquiry
  oneTimeLink: string | null
  sessionToken: string | null
}

export interface CreateShareTokenInput {
  /** Coinflow's Connect connection (`cxn_…`). */
  connectionId: string
  /** The user's completed inquiry (`inq_…`). */
  sourceId: string
  idempotencyKey: string
  /** 60 … 1 814 400; Persona's default is 14 days. */
  expiresInSeconds?: number
}

/** The Persona operations the BFF uses, every one counted on the journey's counter. */
export interface PersonaApi {
  getInquiry(inquiryId: string): Promise<PersonaInquiry | null>
  /** The user's inquiries, newest first (Persona's list order). */
  listInquiriesByReference(referenceId: string, pageSize?: number): Promise<PersonaInquiry[]>
  createInquiry(input: CreateInquiryInput): Promise<CreatedInquiry>
  /** A fresh session token for a created, pending or expired inquiry (expired → pending). */
  resumeInquiry(
    inquiryId: string,
    idempotencyKey: string,
  ): Promise<PersonaResult<{ inquiry: PersonaInquiry; sessionToken: string | null }>>
  generateOneTimeLink(
    inquiryId: string,
    idempotencyKey: string,
  ): Promise<PersonaResult<{ oneTimeLink: string }>>
  markForReview(
    inquiryId: string,
    idempotencyKey: string,
  ): Promise<PersonaResult<{ inquiry: PersonaInquiry }>>
  createShareToken(
    input: CreateShareTokenInput,
  ): Promise<PersonaResult<{ token: PersonaShareToken }>>
  getShareToken(tokenId: string): Promise<PersonaShareToken | null>
}

/** A Persona transaction as the BFF follows it: its id and status, no fields. */
export interface PersonaTransaction {
  id: string
  /** `created`, `approved`, `declined`, `needs review` … (the type's workflow sets it). */
  status: string
}

export interface PersonaTransactionsApi {
  /** `POST /transactions` of `transactionTypeId`, with the type's `fields` (keys as sent). */
  createTransaction(input: {
    transactionTypeId: string
    referenceId: string
    fields: Record<string, unknown>
    idempotencyKey: string
  }): Promise<PersonaTransaction>
  getTransaction(transactionId: string): Promise<PersonaTransaction | null>
  /** `POST /accounts`: a person (a business's owner); returns the account id. */
  createAccount(input: {
    referenceId: string
    attributes: Record<string, string>
    idempotencyKey: string
  }): Promise<string>
  /** `POST /accounts/{id}/add-relation`: relates the account to another object (a transaction). */
  addAccountRelation(input: {
    accountId: string
    relationKey: string
    targetId: string
    idempotencyKey: string
  }): Promise<void>
}

export interface PersonaClient extends PersonaApi, PersonaTransactionsApi {
  /**
   * The same client, counting its calls on `counter` (one per journey). Once `signal` aborts
   * (the browser's request timed out or went away) its calls still queued for the rate budget
   * leave the queue unsent, so a user's retry never stacks a second call behind the first.
   * A function for `signal` is asked at each call (so a request without Persona calls never
   * builds one).
   */
  withCalls(
    counter: UpstreamCallCounter,
    signal?: AbortSignal | (() => AbortSignal),
  ): PersonaApi & PersonaTransactionsApi
  /** How long a call asked for now would wait for the rate budget (`RateBudget.waitEstimateMs`). */
  waitEstimateMs(): number
  /**
   * Sends a compliance operator's request (the ops module's) on the lane below user journeys:
   * it counts in the same Persona windows as everything else, but goes only while a window is
   * at most half spent, so a bulk review leaves the other half to users. Failures are the
   * client's own (`upstream_unavailable`).
   */
  operatorSender(
    counter?: UpstreamCallCounter,
  ): (request: UpstreamRequest) => Promise<UpstreamResponse>
}

/**
 * Persona's writes through `send`: each under its Idempotency-Key, a 409 for a key still in
 * progress asked again (the user journeys' sender and the operators' alike).
 */
export const idempotentPost =
  (send: (request: UpstreamRequest) => Promise<UpstreamResponse>) =>
  (operation: string, path: string, idempotencyKey: string, body?: unknown) =>
    send({
      operation,
      method: 'POST',
      path,
      headers: { 'Idempotency-Key': idempotencyKey },
      body,
      retryConflicts: true,
    })

export interface PersonaClientOptions extends VendorClientTransportOptions {
  apiKey: string
  /** Default `https://api.withpersona.com/api/v1`. */
  baseUrl?: string
  /** Shares the rate budget between instances. */
  store: ShareflowStore
  /**
   * The most requests this BFF sends in any 60 seconds, across all instances. Default 300,
   * Persona's limit per environment.
   */
  requestsPerMinute?: number
}

const encode = encodeURIComponent

/**
 * @example
 * const persona = createPersonaClient({ apiKey, store, fetch: emulator.fetch })
 * const inquiry = await persona.getInquiry('inq_…')
 */
export function createPersonaClient({
  apiKey,
  baseUrl = PERSONA_BASE_URL,
  store,
  requestsPerMinute = 300,
  ...transportOptions
}: PersonaClientOptions): PersonaClient {
  const windowLimit = Math.max(1, Math.floor(requestsPerMinute / (60_000 / BUDGET_WINDOW_MS + 1)))
  const budget = createRateBudget({
    store,
    name: 'persona',
    // Short windows, because Persona's own minute need not line up with ours: any 60 s span
    // touches at most 13 five-second windows, so this many per window keeps every minute,
    // however it is aligned, at or under `requestsPerMinute` (276/min sustained for 300).
    windowMs: BUDGET_WINDOW_MS,
    limit: windowLimit,
    clock: transportOptions.clock,
    sleep: transportOptions.sleep,
    random: transportOptions.random,
  })
  const transportWith = (laneBudget: typeof budget) =>
    createUpstreamTransport({
      ...transportOptions,
      vendor: 'persona',
      baseUrl,
      headers: () => ({
        Authorization: `Bearer ${apiKey}`,
        'Persona-Version': PERSONA_API_VERSION,
        'Key-Inflection': 'kebab',
      }),
      budget: laneBudget,
    })
  const transport = transportWith(budget)
  // The same windows (`rate:persona`), a lower ceiling: operators wait once half is spent.
  const operatorTransport = transportWith(
    createRateBudget({
      store,
      name: 'persona',
      windowMs: BUDGET_WINDOW_MS,
      limit: Math.max(1, Math.floor(windowLimit / 2)),
      clock: transportOptions.clock,
      sleep: transportOptions.sleep,
      random: transportOptions.random,
    }),
  )

  function api(
    counter: UpstreamCallCounter | undefined,
    signal?: AbortSignal | (() => AbortSignal),
  ): PersonaApi & PersonaTransactionsApi {
    const send = failures.sender(transport, counter, signal)
    const post = idempotentPost(send)

    return {
      async getInquiry(inquiryId) {
        const response = await send({
          operation: 'persona.getInquiry',
          method: 'GET',
          path: `/inquiries/${encode(inquiryId)}`,
        })
        if (response.status === 404) return null
        if (response.status !== 200) throw unexpected('getInquiry', response)
        return toInquiry(parse(InquiryDocument, response, 'getInquiry').data)
      },

      async listInquiriesByReference(referenceId, pageSize = 10) {
        const response = await send({
          operation: 'persona.listInquiries',
          method: 'GET',
          path: '/inquiries',
          query: { 'filter[reference-id]': referenceId, 'page[size]': pageSize },
        })
        if (response.status !== 200) throw unexpected('listInquiries', response)
        return parse(InquiryList, response, 'listInquiries').data.map(toInquiry)
      },

      async createInquiry({ templateId, referenceId, idempotencyKey, redirectUri }) {
        const templateField = templateId.startsWith('itmplv_')
          ? 'inquiry-template-version-id'
          : templateId.startsWith('tmpl_')
            ? 'template-id'
            : 'inquiry-template-id'
        const response = await post('persona.createInquiry', '/inquiries', idempotencyKey, {
          data: {
            attributes: {
              [templateField]: templateId,
              // Deprecated in favour of the account reference below, but still the field
              // `filter[reference-id]` matches, which is how the BFF finds the user's inquiries.
              'reference-id': referenceId,
              ...(redirectUri ? { 'redirect-uri': redirectUri } : {}),
            },
          },
          meta: {
            'auto-create-account-reference-id': referenceId,
            'auto-create-inquiry-session': true,
            'auto-create-one-time-link': true,
          },
        })
        if (response.status !== 201 && response.status !== 200) {
          throw unexpected('createInquiry', response)
        }
        const document = parse(InquiryDocument, response, 'createInquiry')
        return {
          inquiry: toInquiry(document.data),
          oneTimeLink: document.meta?.['one-time-link'] ?? null,
          sessionToken: document.meta?.['session-token'] ?? null,
        }
      },

      async resumeInquiry(inquiryId, idempotencyKey) {
        const response = await post(
          'persona.resumeInquiry',
          `/inquiries/${encode(inquiryId)}/resume`,
          idempotencyKey,
        )
        if (response.status !== 200) return refusal(response)
        const document = parse(InquiryDocument, response, 'resumeInquiry')
        return {
          ok: true,
          inquiry: toInquiry(document.data),
          sessionToken: document.meta?.['session-token'] ?? null,
        }
      },

      async generateOneTimeLink(inquiryId, idempotencyKey) {
        const response = await post(
          'persona.generateOneTimeLink',
          `/inquiries/${encode(inquiryId)}/generate-one-time-link`,
          idempotencyKey,
        )
        if (response.status !== 200) return refusal(response)
        const link = parse(InquiryDocument, response, 'generateOneTimeLink').meta?.['one-time-link']
        if (!link) throw unexpected('generateOneTimeLink', response)
        return { ok: true, oneTimeLink: link }
      },

      async markForReview(inquiryId, idempotencyKey) {
        const response = await post(
          'persona.markForReview',
          `/inquiries/${encode(inquiryId)}/mark-for-review`,
          idempotencyKey,
        )
        if (response.status !== 200) return refusal(response)
        return {
          ok: true,
          inquiry: toInquiry(parse(InquiryDocument, response, 'markForReview').data),
        }
      },

      async createShareToken({ connectionId, sourceId, idempotencyKey, expiresInSeconds }) {
        const response = await post(
          'persona.createShareToken',
          '/connect/share-tokens',
          idempotencyKey,
          {
            data: {
              attributes: {
                'connection-id': connectionId,
                'source-id': sourceId,
                ...(expiresInSeconds === undefined
                  ? {}
                  : { 'expires-in-seconds': expiresInSeconds }),
              },
            },
          },
        )
        if (response.status !== 201 && response.status !== 200) return refusal(response)
        return {
          ok: true,
          token: toShareToken(parse(ShareTokenDocument, response, 'createShareToken').data),
        }
      },

      async createTransaction({ transactionTypeId, referenceId, fields, idempotencyKey }) {
        const response = await post('persona.createTransaction', '/transactions', idempotencyKey, {
          data: {
            attributes: {
              'transaction-type-id': transactionTypeId,
              'reference-id': referenceId,
              fields,
            },
          },
        })
        if (response.status !== 201 && response.status !== 200) {
          throw unexpected('createTransaction', response)
        }
        return toTransaction(parse(TransactionDocument, response, 'createTransaction').data)
      },

      async getTransaction(transactionId) {
        const response = await send({
          operation: 'persona.getTransaction',
          method: 'GET',
          path: `/transactions/${encode(transactionId)}`,
        })
        if (response.status === 404) return null
        if (response.status !== 200) throw unexpected('getTransaction', response)
        return toTransaction(parse(TransactionDocument, response, 'getTransaction').data)
      },

      async createAccount({ referenceId, attributes, idempotencyKey }) {
        const response = await post('persona.createAccount', '/accounts', idempotencyKey, {
          data: { attributes: { 'reference-id': referenceId, ...attributes } },
        })
        if (response.status !== 201 && response.status !== 200) {
          throw unexpected('createAccount', response)
        }
        return parse(IdDocument, response, 'createAccount').data.id
      },

      async addAccountRelation({ accountId, relationKey, targetId, idempotencyKey }) {
        const response = await post(
          'persona.addAccountRelation',
          `/accounts/${encode(accountId)}/add-relation`,
          idempotencyKey,
          { meta: { 'relation-schema-key': relationKey, 'target-object-id': targetId } },
        )
        if (response.status !== 200) throw unexpected('addAccountRelation', response)
      },

      async getShareToken(tokenId) {
        const response = await send({
          operation: 'persona.getShareToken',
          method: 'GET',
          path: `/connect/share-tokens/${encode(tokenId)}`,
        })
        if (response.status === 404) return null
        if (response.status !== 200) throw unexpected('getShareToken', response)
        return toShareToken(parse(ShareTokenDocument, response, 'getShareToken').data)
      },
    }
  }

  return {
    ...api(undefined),
    withCalls: (counter, signal) => api(counter, signal),
    waitEstimateMs: () => budget.waitEstimateMs(),
    operatorSender: (counter) => failures.sender(operatorTransport, counter),
  }
}
