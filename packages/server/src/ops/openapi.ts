/**
 * The ops app's own OpenAPI document (served at `<staff prefix>/openapi.json`), generated from
 * the contract's ops schemas, with every status each route can answer.
 *
 * @module
 */
import {
  CaseFacts,
  ErrorEnvelope,
  JournalPage,
  MerchantBalance,
  OperatorActionRequest,
  OperatorUserRecord,
  REQUEST_ID_HEADER,
  RelationList,
  ReviewQueuePage,
  SetCaseStatusRequest,
  opsRoutes,
  type ErrorCode,
} from '@shareflow/contract'
import { z } from 'zod'
import { errorResponses, jsonSchemaComponents } from '../openapi'

const schemas = {
  ErrorEnvelope,
  ReviewQueuePage,
  JournalPage,
  OperatorUserRecord,
  OperatorActionRequest,
  SetCaseStatusRequest,
  CaseFacts,
  RelationList,
  MerchantBalance,
} satisfies Record<string, z.ZodType>
type Name = keyof typeof schemas

const ref = (name: Name) => ({ $ref: `#/components/schemas/${name}` })
const json = (description: string, name: Name) => ({
  description,
  headers: { [REQUEST_ID_HEADER]: { $ref: '#/components/headers/RequestId' } },
  content: { 'application/json': { schema: ref(name) } },
})
const body = (name: Name) => ({
  required: true,
  content: { 'application/json': { schema: ref(name) } },
})

/** `/users/:userId` → `/users/{userId}`. */
const templated = (path: string) => path.replace(/:([A-Za-z]+)/g, '{$1}')
const pathParameter = (name: string) => ({
  name,
  in: 'path',
  required: true,
  schema: { type: 'string' },
})
const pageParameters = [
  { name: 'cursor', in: 'query', required: false, schema: { type: 'string' } },
  {
    name: 'limit',
    in: 'query',
    required: false,
    schema: { type: 'integer', minimum: 1, maximum: 100 },
  },
]

// Every route: the operator check (403), the pipeline's deadline, store and body rules.
const everywhere: ErrorCode[] = ['forbidden', 'upstream_unavailable', 'internal']
const writes: ErrorCode[] = [...everywhere, 'invalid_request', 'payload_too_large']

const operation = (
  operationId: string,
  summary: string,
  ok: [string, string, Name],
  codes: ErrorCode[],
  extra: Record<string, unknown> = {},
) => ({
  operationId,
  summary,
  security: [{ hostStaffSession: [] }],
  ...extra,
  responses: { [ok[0]]: json(ok[1], ok[2]), ...errorResponses(...codes) },
})

const userAction = (operationId: string, summary: string, request: Name) => ({
  post: operation(
    operationId,
    summary,
    ['200', 'The user’s record after the action.', 'OperatorUserRecord'],
    [...writes, 'not_found', 'conflict'],
    { parameters: [pathParameter('userId')], requestBody: body(request) },
  ),
})

export function opsOpenApiDocument(): Record<string, unknown> {
  const paths = {
    [opsRoutes.reviewQueue]: {
      get: operation(
        'listReviewQueue',
        'Users whose identity check waits for a human, oldest first, with why',
        ['200', 'One page of the queue.', 'ReviewQueuePage'],
        [...everywhere, 'invalid_request'],
        { parameters: pageParameters },
      ),
    },
    [opsRoutes.journal]: {
      get: operation(
        'listOperatorJournal',
        'Every operator action, newest first',
        ['200', 'One page of the journal.', 'JournalPage'],
        [...everywhere, 'invalid_request'],
        { parameters: pageParameters },
      ),
    },
    [templated(opsRoutes.user)]: {
      get: operation(
        'getOperatorUserRecord',
        'A user’s identity record: ids and statuses, cases, queue place, journal',
        ['200', 'The record.', 'OperatorUserRecord'],
        [...everywhere, 'invalid_request', 'not_found'],
        { parameters: [pathParameter('userId')] },
      ),
    },
    [templated(opsRoutes.markForReview)]: userAction(
      'markInquiryForReview',
      'Mark the user’s inquiry for review (the reason is journaled)',
      'OperatorActionRequest',
    ),
    [templated(opsRoutes.approve)]: userAction(
      'approveInquiry',
      'Approve the user’s inquiry',
      'OperatorActionRequest',
    ),
    [templated(opsRoutes.decline)]: userAction(
      'declineInquiry',
      'Decline the user’s inquiry',
      'OperatorActionRequest',
    ),
    [templated(opsRoutes.recheck)]: userAction(
      'recheckUser',
      'Ask both vendors where the user stands, now',
      'OperatorActionRequest',
    ),
    [templated(opsRoutes.cases)]: {
      post: operation(
        'createCase',
        'Open a Persona case about the user’s inquiry',
        ['201', 'The case.', 'CaseFacts'],
        [...writes, 'not_found', 'conflict'],
        { parameters: [pathParameter('userId')], requestBody: body('OperatorActionRequest') },
      ),
    },
    [templated(opsRoutes.caseStatus)]: {
      post: operation(
        'setCaseStatus',
        'Set a case’s status; the configured decision for it is applied to the inquiry',
        ['200', 'The case.', 'CaseFacts'],
        [...writes, 'not_found', 'conflict'],
        { parameters: [pathParameter('caseId')], requestBody: body('SetCaseStatusRequest') },
      ),
    },
    [templated(opsRoutes.relations)]: {
      get: operation(
        'listAccountRelations',
        'The objects related to a Persona account under one relation key',
        ['200', 'The related objects.', 'RelationList'],
        [...everywhere, 'invalid_request', 'not_found', 'conflict'],
        {
          parameters: [
            pathParameter('accountId'),
            { name: 'key', in: 'query', required: true, schema: { type: 'string' } },
          ],
        },
      ),
    },
    [opsRoutes.merchantBalance]: {
      get: operation(
        'getMerchantBalance',
        'What Coinflow’s merchant payout wallet holds',
        ['200', 'The balance.', 'MerchantBalance'],
        everywhere,
      ),
    },
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Shareflow operator API',
      version: '0.1.0',
      description:
        'The compliance staff’s side of Shareflow, mounted on the host’s staff-only prefix. Every error answers with `ErrorEnvelope`.',
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    paths,
    components: {
      schemas: jsonSchemaComponents(schemas),
      headers: {
        RequestId: {
          description: 'The id under which this request is logged; also in error bodies.',
          schema: { type: 'string' },
        },
      },
      securitySchemes: {
        hostStaffSession: {
          type: 'apiKey',
          in: 'cookie',
          name: 'session',
          description: 'The host’s own staff session; the ops app asks the host’s `getOperator`.',
        },
      },
    },
  }
}
