/**
 * The payout routes' part of the BFF's OpenAPI document (merged in by `createShareflowApp`).
 */
import { Currency, IDEMPOTENCY_KEY_HEADER, routes } from '@shareflow/contract'
import { errorResponses, jsonBody, jsonResponse, type OpenApiPaths } from '../openapi'

const signedUser = [{ hostSession: [] }]

const destinationId = {
  name: 'id',
  in: 'path',
  required: true,
  description: 'A destination id from `GET /destinations`.',
  schema: { type: 'string' },
}

const addDestination = (
  operationId: string,
  summary: string,
  body: Parameters<typeof jsonBody>[0],
) => ({
  post: {
    operationId,
    summary,
    security: signedUser,
    requestBody: jsonBody(body),
    responses: {
      '201': jsonResponse('The user’s destinations, the new one included.', 'DestinationList'),
      ...errorResponses(
        'unauthenticated',
        'kyc_required',
        'verification_required',
        'upstream_unavailable',
      ),
    },
  },
})

export const payoutPaths: OpenApiPaths = {
  [routes.destinations]: {
    get: {
      operationId: 'listDestinations',
      summary: 'The user’s linked payout destinations, masked, with the speeds each allows',
      security: signedUser,
      responses: {
        '200': jsonResponse('The user’s destinations.', 'DestinationList'),
        ...errorResponses(
          'unauthenticated',
          'kyc_required',
          'verification_required',
          'upstream_unavailable',
        ),
      },
    },
  },
  [`${routes.destinations}/{id}`]: {
    delete: {
      operationId: 'removeDestination',
      summary: 'Unlink one of the user’s destinations',
      security: signedUser,
      parameters: [destinationId],
      responses: {
        '200': jsonResponse('The user’s remaining destinations.', 'DestinationList'),
        ...errorResponses('unauthenticated', 'destination_not_found', 'upstream_unavailable'),
      },
    },
  },
  [routes.destinationsIban]: addDestination(
    'addIbanDestination',
    'Link an IBAN (EUR) or a UK account with its sort code (GBP)',
    'AddIbanRequest',
  ),
  [routes.destinationsPix]: addDestination(
    'addPixDestination',
    'Link a PIX key (BRL)',
    'AddPixRequest',
  ),
  [routes.destinationsCard]: addDestination(
    'addCardDestination',
    'Link a debit card by its Coinflow card token (never a card number)',
    'AddCardRequest',
  ),
  [routes.balance]: {
    get: {
      operationId: 'getBalance',
      summary: 'What the user may withdraw now in a currency, as the host’s ledger says',
      description:
        '`available` is `null` when the host’s ledger has no `availableBalance` hook; quotes above the balance answer `amount_not_allowed`.',
      security: signedUser,
      parameters: [
        {
          name: 'currency',
          in: 'query',
          required: true,
          schema: { type: 'string', enum: Currency.options },
        },
      ],
      responses: {
        '200': jsonResponse('The available balance.', 'Balance'),
        ...errorResponses('unauthenticated'),
      },
    },
  },
  [routes.quotes]: {
    post: {
      operationId: 'quotePayout',
      summary: 'Fee, amount received, limit and expected delivery for every speed of a destination',
      description:
        'Speeds over their limit are marked unavailable with the reason; same_day above $1,000,000 is quoted as standard (`effectiveSpeed`). Identical quotes are answered from a short cache.',
      security: signedUser,
      requestBody: jsonBody('QuoteRequest'),
      responses: {
        '200': jsonResponse('The quote.', 'Quote'),
        ...errorResponses(
          'unauthenticated',
          'kyc_required',
          'verification_required',
          'destination_not_found',
          'amount_not_allowed',
          'upstream_unavailable',
        ),
      },
    },
  },
  [routes.payouts]: {
    post: {
      operationId: 'createPayout',
      summary: 'Pay the user out (debited by the host, sent through Coinflow)',
      description:
        'The same Idempotency-Key with the same body answers with the same payout (200, `Idempotent-Replayed: true`); with another body, `idempotency_key_reused`. Keys are scoped to the user.',
      security: signedUser,
      parameters: [
        {
          name: IDEMPOTENCY_KEY_HEADER,
          in: 'header',
          required: true,
          description: 'One key per payout intent: 8–255 characters of `A-Za-z0-9_.:-`.',
          schema: { type: 'string', minLength: 8, maxLength: 255, pattern: '^[A-Za-z0-9_.:-]+$' },
        },
      ],
      requestBody: jsonBody('CreatePayoutRequest'),
      responses: {
        '201': jsonResponse('The new payout, as far as it got.', 'Payout'),
        '200': jsonResponse('The payout this key already made.', 'Payout'),
        ...errorResponses(
          'unauthenticated',
          'idempotency_key_missing',
          'idempotency_key_reused',
          'kyc_required',
          'verification_required',
          'destination_not_found',
          'amount_not_allowed',
          'quote_changed',
          'payout_refused',
          'payouts_unavailable',
          'upstream_unavailable',
          'conflict',
        ),
      },
    },
    get: {
      operationId: 'listPayouts',
      summary: 'The user’s payouts, newest first',
      security: signedUser,
      parameters: [
        {
          name: 'before',
          in: 'query',
          required: false,
          description: 'A `nextCursor`.',
          schema: { type: 'string' },
        },
        {
          name: 'limit',
          in: 'query',
          required: false,
          schema: { type: 'integer', minimum: 1, maximum: 100 },
        },
      ],
      responses: {
        '200': jsonResponse('A page of payouts.', 'PayoutList'),
        ...errorResponses('unauthenticated'),
      },
    },
  },
  [`${routes.payouts}/{id}`]: {
    get: {
      operationId: 'getPayout',
      summary: 'One of the user’s payouts',
      security: signedUser,
      parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
      responses: {
        '200': jsonResponse('The payout.', 'Payout'),
        ...errorResponses('unauthenticated', 'not_found'),
      },
    },
  },
}
