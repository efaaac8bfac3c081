/**
 * The KYB routes' part of the BFF's OpenAPI document (merged in by `createShareflowApp`).
 */
import { routes } from '@shareflow/contract'
import { errorResponses, jsonBody, jsonResponse, type OpenApiPaths } from '../openapi'

const signedUser = [{ hostSession: [] }]

export const kybPaths: OpenApiPaths = {
  [routes.business]: {
    get: {
      operationId: 'getBusiness',
      summary: 'Where the signed-in business payee stands in its KYB check (never its details)',
      security: signedUser,
      responses: {
        '200': jsonResponse('The business’s state.', 'BusinessStatus'),
        ...errorResponses('unauthenticated', 'forbidden', 'upstream_unavailable'),
      },
    },
    put: {
      operationId: 'submitBusiness',
      summary:
        'Submit the business’s details: starts its Persona KYB transaction once; a second submit answers the state',
      security: signedUser,
      requestBody: jsonBody('BusinessDetails'),
      responses: {
        '200': jsonResponse('The business’s state after the submission.', 'BusinessStatus'),
        ...errorResponses(
          'unauthenticated',
          'invalid_request',
          'forbidden',
          'upstream_unavailable',
        ),
      },
    },
  },
}
