/**
 * An OpenAPI 3.1 document of the BFF's own routes, generated from the same zod schemas the routes
 * validate with (`@shareflow/contract`, through zod 4's `z.toJSONSchema`), so the document cannot
 * drift from the wire. Served at `routes.openapi`; route modules add their paths.
 *
 * @module
 */
import {
  AddCardRequest,
  AddIbanRequest,
  AddPixRequest,
  Balance,
  BusinessDetails,
  BusinessStatus,
  CreatePayoutRequest,
  DestinationList,
  ErrorEnvelope,
  Health,
  errorStatus,
  IDEMPOTENCY_KEY_HEADER,
  InquiryLink,
  KycStatus,
  Payout,
  PayoutList,
  Quote,
  QuoteRequest,
  Readiness,
  REQUEST_ID_HEADER,
  routes,
  Session,
  ShareflowEvent,
  type ErrorCode,
} from '@shareflow/contract'
import { z } from 'zod'
import { limitsBody } from './security/body-limit'
import { checksSameSite } from './security/same-site-writes'

/**
 * What a webhook receiver answers a delivery it accepted (`routes/webhooks.ts`); vendors read
 * only the status, so it lives here rather than in the browser's contract.
 */
export const WebhookReceipt = z.strictObject({
  received: z.literal(true),
  /** Set when this delivery was seen before and acknowledged without acting on it again. */
  duplicate: z.literal(true).optional(),
})
export type WebhookReceipt = z.infer<typeof WebhookReceipt>

/** The contract schemas every document carries under `components.schemas`. */
export const componentSchemas = {
  WebhookReceipt,
  Session,
  KycStatus,
  InquiryLink,
  ShareflowEvent,
  ErrorEnvelope,
  DestinationList,
  Balance,
  QuoteRequest,
  Quote,
  CreatePayoutRequest,
  Payout,
  PayoutList,
  AddIbanRequest,
  AddPixRequest,
  AddCardRequest,
  Health,
  Readiness,
  BusinessDetails,
  BusinessStatus,
} satisfies Record<string, z.ZodType>

export type ComponentName = keyof typeof componentSchemas

export type OpenApiOperation = Record<string, unknown>
/** Path items keyed by path, then lower-case method. */
export type OpenApiPaths = Record<string, Record<string, OpenApiOperation>>

const ref = (name: ComponentName) => ({ $ref: `#/components/schemas/${name}` })

/** A JSON response whose body is the named contract schema. */
export const jsonResponse = (description: string, schema: ComponentName) => ({
  description,
  headers: { [REQUEST_ID_HEADER]: { $ref: '#/components/headers/RequestId' } },
  content: { 'application/json': { schema: ref(schema) } },
})

/** A JSON request body with the named contract schema. */
export const jsonBody = (schema: ComponentName, required = true) => ({
  required,
  content: { 'application/json': { schema: ref(schema) } },
})

/**
 * The extension on each error response naming the codes it stands for, so the pipeline's own
 * codes (below) join a route's without repeating them, and clients can read them.
 */
const ERROR_CODES = 'x-error-codes'

const errorResponse = (codes: readonly ErrorCode[]) => ({
  description: `Error envelope; \`code\` is ${codes.map((c) => `\`${c}\``).join(' or ')}.`,
  headers: { [REQUEST_ID_HEADER]: { $ref: '#/components/headers/RequestId' } },
  content: { 'application/json': { schema: ref('ErrorEnvelope') } },
  [ERROR_CODES]: codes,
})

/**
 * Error responses for the codes a route's own handler can answer, grouped by status, all in the
 * one envelope. What the middleware in front of every route can answer is added by
 * {@link pipelineErrorCodes}; a route lists only its own.
 */
export function errorResponses(...codes: ErrorCode[]): Record<string, unknown> {
  const byStatus = new Map<number, ErrorCode[]>()
  for (const code of codes) {
    const status = errorStatus[code]
    byStatus.set(status, [...new Set([...(byStatus.get(status) ?? []), code])])
  }
  return Object.fromEntries(
    [...byStatus].map(([status, group]) => [String(status), errorResponse(group)]),
  )
}

/** Answered ahead of the request context, the deadline and the rate limits (`app.ts`). */
const probes = new Set<string>([routes.healthz, routes.readyz])

/**
 * What the app's pipeline (`app.ts`) can answer for `method` `path` before or around its
 * handler, by the same rules the middleware applies.
 */
export function pipelineErrorCodes(
  method: string,
  path: string,
  operation: OpenApiOperation = {},
): ErrorCode[] {
  // Anything that escapes a handler is `internal` (`errors.ts`).
  const codes: ErrorCode[] = ['internal']
  if (probes.has(path)) return codes
  // `rate_limited` from the per-user, per-address and webhook budgets; `upstream_unavailable`
  // from the request deadline and from a store outage anywhere (the limits' store included).
  codes.push('rate_limited', 'upstream_unavailable')
  if (limitsBody(method)) codes.push('payload_too_large', 'invalid_request')
  if (checksSameSite(method, path)) codes.push('forbidden')
  const parameters = Array.isArray(operation.parameters) ? operation.parameters : []
  if (parameters.some((p: { in?: string }) => p.in === 'path' || p.in === 'query')) {
    codes.push('invalid_request')
  }
  return codes
}

/** `responses` with each code of `codes` joined to its status's error response. */
function withErrorCodes(
  responses: Record<string, unknown>,
  codes: readonly ErrorCode[],
): Record<string, unknown> {
  const merged = { ...responses }
  for (const code of codes) {
    const status = String(errorStatus[code])
    const listed = (merged[status] as { [ERROR_CODES]?: ErrorCode[] } | undefined)?.[ERROR_CODES]
    if (merged[status] && !listed) continue
    if (listed?.includes(code)) continue
    merged[status] = errorResponse([...(listed ?? []), code])
  }
  return merged
}

const signedUser = [{ hostSession: [] }]

/** The core routes: session, KYC, events, webhooks and this document. */
const corePaths: OpenApiPaths = {
  [routes.session]: {
    get: {
      operationId: 'getSession',
      summary: 'Everything a mounted gate needs in one round trip',
      description:
        "The user's KYC state and next action, linked payout destinations (masked), and a fresh Coinflow browser session when approved.",
      security: signedUser,
      responses: {
        '200': jsonResponse('The signed-in user’s session.', 'Session'),
        ...errorResponses('unauthenticated', 'upstream_unavailable'),
      },
    },
  },
  [routes.kycShare]: {
    post: {
      operationId: 'shareKyc',
      summary: 'Share the completed Persona inquiry with Coinflow',
      description:
        'Creates the Persona share token (once) and registers the user with Coinflow (once). Safe to call twice, concurrently, or after a failure. No body.',
      security: signedUser,
      responses: {
        '200': jsonResponse('The KYC status after sharing.', 'KycStatus'),
        ...errorResponses('unauthenticated', 'kyc_required', 'upstream_unavailable'),
      },
    },
  },
  [routes.kycInquiry]: {
    post: {
      operationId: 'startInquiry',
      summary: 'Resume the user’s Persona inquiry, or start a new one',
      description:
        'Returns a one-time link to Persona’s hosted flow (and a session token for the embedded flow). No body.',
      security: signedUser,
      responses: {
        '200': jsonResponse('Where to send the user.', 'InquiryLink'),
        ...errorResponses('unauthenticated', 'conflict', 'forbidden', 'upstream_unavailable'),
      },
    },
  },
  [routes.events]: {
    get: {
      operationId: 'streamEvents',
      summary: 'Server-Sent Events for the signed-in user',
      description:
        'Each message has `event: <type>`, an `id` for `Last-Event-ID`, and a `ShareflowEvent` as JSON `data`. Without a known `Last-Event-ID` the stream opens with a `kyc.updated` snapshot. Comment lines are heartbeats.',
      security: signedUser,
      parameters: [
        {
          name: 'Last-Event-ID',
          in: 'header',
          required: false,
          schema: { type: 'string' },
        },
      ],
      responses: {
        '200': {
          description: 'An event stream; each `data` is a `ShareflowEvent`.',
          content: { 'text/event-stream': { schema: ref('ShareflowEvent') } },
        },
        ...errorResponses('unauthenticated'),
      },
    },
  },
  [routes.webhooksPersona]: {
    post: {
      operationId: 'receivePersonaWebhook',
      summary: 'Persona webhook receiver (signed with `Persona-Signature`)',
      responses: {
        '200': jsonResponse('Accepted (or a duplicate, acknowledged).', 'WebhookReceipt'),
        ...errorResponses('forbidden', 'payload_too_large'),
      },
    },
  },
  [routes.webhooksCoinflow]: {
    post: {
      operationId: 'receiveCoinflowWebhook',
      summary:
        'Coinflow webhook receiver (`Coinflow-Signature`, or the validation key in `Authorization`)',
      responses: {
        '200': jsonResponse('Accepted (or a duplicate, acknowledged).', 'WebhookReceipt'),
        ...errorResponses('forbidden', 'payload_too_large'),
      },
    },
  },
  [routes.healthz]: {
    get: {
      operationId: 'getHealth',
      summary: 'Liveness: the process answers (outside the rate limits)',
      responses: { '200': jsonResponse('Up.', 'Health') },
    },
  },
  [routes.readyz]: {
    get: {
      operationId: 'getReadiness',
      summary: 'Readiness: the store answers and the instance is not draining',
      responses: {
        '200': jsonResponse('Ready for traffic.', 'Readiness'),
        ...errorResponses('upstream_unavailable'),
      },
    },
  },
  [routes.openapi]: {
    get: {
      operationId: 'getOpenApiDocument',
      summary: 'This document',
      responses: {
        '200': {
          description: 'OpenAPI 3.1 JSON.',
          content: { 'application/json': { schema: { type: 'object' } } },
        },
      },
    },
  },
}

/** JSON Schema (2020-12) for each of `schemas`; `$defs` are kept inline per schema. */
export function jsonSchemaComponents(
  schemas: Record<string, z.ZodType> = componentSchemas,
): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(schemas).map(([name, schema]) => {
      const { $schema: _dialect, ...json } = z.toJSONSchema(schema, {
        target: 'draft-2020-12',
        unrepresentable: 'any',
      }) as Record<string, unknown>
      return [name, json]
    }),
  )
}

export interface OpenApiDocumentOptions {
  /** Path items contributed by route modules (payouts). */
  paths?: readonly OpenApiPaths[]
  /** Where the BFF is mounted, e.g. `/api/shareflow`. */
  serverUrl?: string
  version?: string
}

/**
 * @example
 * const document = createOpenApiDocument({ serverUrl: '/api/shareflow' })
 */
export function createOpenApiDocument({
  paths = [],
  serverUrl = '/',
  version = '0.1.0',
}: OpenApiDocumentOptions = {}): Record<string, unknown> {
  const merged: OpenApiPaths = {}
  for (const group of [corePaths, ...paths]) {
    for (const [path, item] of Object.entries(group)) {
      merged[path] = { ...merged[path], ...item }
    }
  }
  for (const [path, item] of Object.entries(merged)) {
    for (const [method, operation] of Object.entries(item)) {
      const responses = (operation.responses ?? {}) as Record<string, unknown>
      const codes = pipelineErrorCodes(method, path, operation)
      item[method] = { ...operation, responses: withErrorCodes(responses, codes) }
    }
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Shareflow BFF',
      version,
      description:
        'The backend-for-frontend a host mounts to pay users out through Coinflow, re-using their Persona identity check. Every error answers with `ErrorEnvelope`; every response carries a request id.',
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    servers: [{ url: serverUrl }],
    paths: merged,
    components: {
      schemas: jsonSchemaComponents(),
      headers: {
        RequestId: {
          description: 'The id under which this request is logged; also in error bodies.',
          schema: { type: 'string' },
        },
        IdempotencyKey: {
          description: `Sent by the client as \`${IDEMPOTENCY_KEY_HEADER}\` on writes that move money.`,
          schema: { type: 'string' },
        },
      },
      securitySchemes: {
        hostSession: {
          type: 'apiKey',
          in: 'cookie',
          name: 'session',
          description:
            'The host application’s own session; the BFF asks the host’s `getUser` who is signed in.',
        },
      },
    },
  }
}
