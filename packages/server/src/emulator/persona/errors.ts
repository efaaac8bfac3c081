/**
 * @module
 * Persona's error envelope, `{ errors: [{ title, details?, source? }] }` (note `details`, plural,
 * not JSON:API's `detail`). Titles follow the examples in Persona's spec; `details` never echoes a
 * submitted value, so no PII reaches an error body.
 */
import type { Context } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'

export interface PersonaErrorObject {
  title: string
  details?: string
  source?: { pointer: string }
}

export class PersonaError extends Error {
  readonly status: ContentfulStatusCode
  readonly errors: PersonaErrorObject[]

  constructor(status: ContentfulStatusCode, errors: PersonaErrorObject[]) {
    super(errors.map((error) => error.details ?? error.title).join('; '))
    this.name = 'PersonaError'
    this.status = status
    this.errors = errors
  }

  toResponse(c: Context): Response {
    return c.json({ errors: this.errors }, this.status)
  }
}

/** 400: the request is malformed (missing or mistyped attributes, bad JSON, bad headers). */
export const badRequest = (details: string) =>
  new PersonaError(400, [{ title: 'Bad Request', details }])

/** 401 carries a title only, and (like Persona) no rate-limit headers. */
export const unauthenticated = () =>
  new PersonaError(401, [{ title: 'Must be authenticated to access this endpoint' }])

export const notFound = (details?: string) =>
  new PersonaError(404, [
    details ? { title: 'Record not found', details } : { title: 'Record not found' },
  ])

/** 409: the record's current state does not allow the operation. */
export const conflict = (details: string) => new PersonaError(409, [{ title: 'Conflict', details }])

/** 422: well-formed but invalid; `pointer` names the attribute (`/data/attributes/source-id`). */
export const recordInvalid = (details: string, pointer?: string) =>
  new PersonaError(422, [
    pointer
      ? { title: 'Record invalid', details, source: { pointer } }
      : { title: 'Record invalid', details },
  ])
