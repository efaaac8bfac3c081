/**
 * @module
 * The HTTP rules every Persona endpoint shares: reading and inflecting request bodies, turning
 * zod issues into Persona's 400s, answering in the client's `Key-Inflection`, `include`, and
 * cursor pagination over newest-first lists.
 */
import type { Context } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import type { z } from 'zod'
import { badRequest } from './errors'
import { inflectKeys, type KeyInflection } from './inflection'

export type PersonaEnv = {
  Variables: {
    inflection: KeyInflection
    /** The request body with its keys in kebab-case; undefined when there was none. */
    body: unknown
    /** `?include=` as a list; null when the client did not ask (nothing is included then). */
    include: string[] | null
    /** Rate-limit and request headers every authenticated answer carries. */
    responseHeaders: Record<string, string>
  }
}

export type PersonaContext = Context<PersonaEnv>

/** Sends `body` as JSON in the client's key inflection. */
export function reply(
  c: PersonaContext,
  body: unknown,
  status: ContentfulStatusCode = 200,
): Response {
  const inflection = c.get('inflection') ?? 'kebab'
  return c.json(
    inflection === 'kebab' ? (body as object) : (inflectKeys(body, inflection) as object),
    status,
  )
}

/**
 * Sends one resource, `{ data }`, plus `included: []` when the client asked for related objects
 * this emulator does not serialise.
 */
export function replyWithResource(
  c: PersonaContext,
  data: unknown,
  status: ContentfulStatusCode = 200,
): Response {
  return reply(c, c.get('include') === null ? { data } : { data, included: [] }, status)
}

const describeType = (expected: string) =>
  expected === 'int' || expected === 'integer'
    ? 'an integer'
    : /^[aeiou]/.test(expected)
      ? `an ${expected}`
      : `a ${expected}`

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let node = root
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined
    node = (node as Record<PropertyKey, unknown>)[key]
  }
  return node
}

/**
 * Parses the request body with `schema`, answering like Persona on failure:
 * `400 { errors: [{ title: 'Bad Request', details: 'data.attributes.source-id is missing' }] }`.
 */
export function parseBody<Schema extends z.ZodType>(
  c: PersonaContext,
  schema: Schema,
): z.output<Schema> {
  const body = c.get('body') ?? {}
  const result = schema.safeParse(body)
  if (result.success) return result.data
  const details = result.error.issues.map((issue) => {
    const where = issue.path.map(String).join('.') || 'body'
    if (issue.code === 'invalid_type') {
      return valueAt(body, issue.path) === undefined
        ? `${where} is missing`
        : `${where} must be ${describeType(issue.expected)}`
    }
    if (issue.code === 'invalid_value')
      return `${where} must be one of ${issue.values.map(String).join(', ')}`
    if (issue.code === 'unrecognized_keys')
      return `${where} has unknown keys ${issue.keys.join(', ')}`
    return `${where} ${issue.message.charAt(0).toLowerCase()}${issue.message.slice(1)}`
  })
  throw badRequest([...new Set(details)].join(', '))
}

/** Reads `name[key]` query parameters (`filter[status]`, `page[size]`) into an object. */
export function bracketParams(c: PersonaContext, name: string): Record<string, string> {
  const out: Record<string, string> = {}
  const prefix = `${name}[`
  for (const [key, value] of new URL(c.req.url).searchParams) {
    if (key.startsWith(prefix) && key.endsWith(']')) out[key.slice(prefix.length, -1)] = value
  }
  return out
}

/** Rejects `filter[...]` keys an endpoint does not support, as Persona's schemas do. */
export function filters(c: PersonaContext, allowed: readonly string[]): Record<string, string> {
  const given = bracketParams(c, 'filter')
  const unknown = Object.keys(given).filter((key) => !allowed.includes(key))
  if (unknown.length > 0) throw badRequest(`filter[${unknown[0]}] is not a supported filter`)
  return given
}

/** `filter[x]=a,b` as a list. */
export const commaList = (value: string | undefined) =>
  value === undefined
    ? undefined
    : value
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean)

/** Parses `filter[created-at-start|end]`; an unreadable time is a 400, not an empty list. */
export function timeFilter(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined
  const ms = Date.parse(value)
  if (Number.isNaN(ms)) throw badRequest(`filter[${name}] must be an ISO 8601 time`)
  return ms
}

interface Listed {
  id: string
  sequence: number
}

export interface Page<T> {
  data: T[]
  links: { prev: string | null; next: string | null }
}

/**
 * One page of `items` (any order in; newest first out), with Persona's cursors: `page[after]=<id>`
 * continues with older objects, `page[before]=<id>` goes back to newer ones. Default size 10,
 * 1 to 100 allowed. Links keep the request's other parameters.
 */
export function paginate<T extends Listed>(
  c: PersonaContext,
  items: Iterable<T>,
  lookup: (id: string) => Listed | undefined,
): Page<T> {
  const page = bracketParams(c, 'page')
  const size = page.size === undefined ? 10 : Number(page.size)
  if (!Number.isInteger(size) || size < 1 || size > 100) {
    throw badRequest('page[size] must be an integer between 1 and 100')
  }
  if (page.after !== undefined && page.before !== undefined) {
    throw badRequest('page[after] and page[before] cannot be used together')
  }
  const newestFirst = [...items].sort((a, b) => b.sequence - a.sequence)
  const cursorId = page.after ?? page.before
  const cursor = cursorId === undefined ? undefined : lookup(cursorId)
  if (cursorId !== undefined && !cursor) {
    throw badRequest(
      `page[${page.after !== undefined ? 'after' : 'before'}] must be the id of an object in this list`,
    )
  }

  let start = 0
  let end = Math.min(size, newestFirst.length)
  if (cursor && page.after !== undefined) {
    start = newestFirst.findIndex((item) => item.sequence < cursor.sequence)
    if (start === -1) start = newestFirst.length
    end = Math.min(start + size, newestFirst.length)
  } else if (cursor) {
    end = newestFirst.findIndex((item) => item.sequence <= cursor.sequence)
    if (end === -1) end = newestFirst.length
    start = Math.max(0, end - size)
  }
  const data = newestFirst.slice(start, end)

  const link = (direction: 'after' | 'before', id: string) => {
    const url = new URL(c.req.url)
    url.searchParams.delete('page[after]')
    url.searchParams.delete('page[before]')
    url.searchParams.set(`page[${direction}]`, id)
    return `${url.pathname}${url.search}`
  }
  return {
    data,
    links: {
      prev: start > 0 && data[0] ? link('before', data[0].id) : null,
      next:
        end < newestFirst.length && data.length > 0
          ? link('after', data[data.length - 1]!.id)
          : null,
    },
  }
}
