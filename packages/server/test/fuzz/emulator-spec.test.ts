/**
 * A spec-driven fuzz of the emulator: requests for every operation it implements, with bodies
 * generated from the vendor's own request schema (valid ones, and ones with a field broken by the
 * hostile arbitraries), path ids that exist and ids that do not. The emulator never answers 5xx;
 * every answer is one the vendor's OpenAPI document describes, or a documented divergence: a 4xx
 * the document does not list for that operation, in the vendor's error shape (the emulator
 * README's "Where Coinflow's spec is silent", and its "How it differs" table).
 */
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createEmulator, createManualClock, type Emulator } from '../../src/emulator'
import { COINFLOW_PERSONA_CONNECTION_ID } from '../../src/emulator/coinflow'
import { inquiryFieldsOf, kycInfoOf, sandboxAccounts, sandboxPeople } from '../../src/emulator'
import {
  expectResponseMatchesSpec,
  requestBodySchema,
  type Json,
  type JsonObject,
  type Vendor,
} from '../openapi'
import { nastyString } from './arbitraries'

const BASE: Record<Vendor, string> = {
  persona: 'https://api.withpersona.com/api/v1',
  coinflow: 'https://api-sandbox.coinflow.cash/api',
}
const USER = 'fuzz-user'
const headers: Record<Vendor, Record<string, string>> = {
  persona: { Authorization: 'Bearer persona_sandbox_fuzz' },
  coinflow: { Authorization: 'coinflow_sandbox_fuzz', 'x-coinflow-auth-user-id': USER },
}

/* ---- Request bodies from a JSON schema ---- */

const asObject = (value: Json | undefined): JsonObject =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? value : {}

function resolve(document: JsonObject, schema: JsonObject): JsonObject {
  let current = schema
  for (let hops = 0; typeof current.$ref === 'string' && hops < 20; hops++) {
    let value: Json = document
    for (const part of current.$ref.slice(2).split('/')) {
      value = asObject(value)[part.replace(/~1/g, '/').replace(/~0/g, '~')] ?? null
    }
    current = asObject(value)
  }
  return current
}

const formats: Record<string, string> = {
  email: 'jane@example.com',
  date: '1990-01-01',
  'date-time': '2026-11-22T12:00:00.000Z',
  uri: 'https://host.test/done',
}

/** Values the schema allows, mostly; depth-limited so recursive schemas end. */
function fromSchema(document: JsonObject, raw: Json, depth = 0): fc.Arbitrary<unknown> {
  const schema = resolve(document, asObject(raw))
  if (depth > 5) return fc.constant(null)
  if ('const' in schema) return fc.constant(schema.const)
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return fc.constantFrom(...schema.enum)
  for (const key of ['oneOf', 'anyOf'] as const) {
    const options = schema[key]
    if (Array.isArray(options) && options.length > 0) {
      return fc.oneof(...options.map((option) => fromSchema(document, option, depth + 1)))
    }
  }
  if (Array.isArray(schema.allOf) && schema.allOf.length > 0) {
    const merged: JsonObject = { type: 'object', properties: {}, required: [] }
    for (const part of schema.allOf.map((p) => resolve(document, asObject(p)))) {
      Object.assign(asObject(merged.properties), asObject(part.properties))
      ;(merged.required as Json[]).push(...(Array.isArray(part.required) ? part.required : []))
    }
    return fromSchema(document, merged, depth + 1)
  }
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type
  switch (type) {
    case 'object': {
      const properties = asObject(schema.properties)
      const required = new Set(Array.isArray(schema.required) ? schema.required : [])
      const record: Record<string, fc.Arbitrary<unknown>> = {}
      for (const [name, property] of Object.entries(properties)) {
        record[name] = fromSchema(document, property, depth + 1)
      }
      return fc.record(record, {
        requiredKeys: Object.keys(record).filter((name) => required.has(name)),
      })
    }
    case 'array':
      return fc.array(fromSchema(document, schema.items ?? {}, depth + 1), { maxLength: 3 })
    case 'integer':
      return fc.integer({
        min: typeof schema.minimum === 'number' ? schema.minimum : -10,
        max: typeof schema.maximum === 'number' ? schema.maximum : 1_000_000,
      })
    case 'number':
      return fc.double({ noNaN: true, min: -10, max: 1_000_000 })
    case 'boolean':
      return fc.boolean()
    case 'string':
      return typeof schema.format === 'string' && schema.format in formats
        ? fc.constant(formats[schema.format])
        : fc.string({ maxLength: 24 })
    default:
      return fc.constant(null)
  }
}

/** A body from the schema, or (a third of the time) that body with one field made hostile. */
function bodyFor(vendor: Vendor, method: string, path: string): fc.Arbitrary<unknown> {
  const found = requestBodySchema(vendor, method, path)
  if (!found) return fc.constant(undefined)
  const valid = fromSchema(found.document, found.schema)
  const hostile = fc.oneof(nastyString, fc.integer(), fc.constant(null), fc.constant([]))
  return fc.oneof(
    { weight: 2, arbitrary: valid },
    {
      weight: 1,
      arbitrary: fc.tuple(valid, hostile, fc.nat()).map(([body, value, pick]) => {
        if (body === null || typeof body !== 'object' || Array.isArray(body)) return value
        const keys = Object.keys(body)
        if (keys.length === 0) return body
        return { ...body, [keys[pick % keys.length]!]: value }
      }),
    },
  )
}

/* ---- The operations the emulator implements ---- */

interface Operation {
  vendor: Vendor
  method: string
  /** With `{id}` where an existing (or unknown) id goes. */
  path: string
}

const persona = (method: string, path: string): Operation => ({ vendor: 'persona', method, path })
const coinflow = (method: string, path: string): Operation => ({
  vendor: 'coinflow',
  method,
  path,
})

const operations: Operation[] = [
  persona('POST', '/inquiries'),
  persona('GET', '/inquiries'),
  persona('GET', '/inquiries/{inquiry}'),
  persona('PATCH', '/inquiries/{inquiry}'),
  ...['approve', 'decline', 'mark-for-review', 'expire', 'resume', 'generate-one-time-link'].map(
    (action) => persona('POST', `/inquiries/{inquiry}/${action}`),
  ),
  persona('POST', '/inquiries/{inquiry}/perform-simulate-actions'),
  persona('POST', '/connect/share-tokens'),
  persona('GET', '/connect/share-tokens'),
  persona('GET', '/connect/share-tokens/{token}'),
  persona('POST', '/connect/share-tokens/{token}/redeem'),
  persona('POST', '/connect/share-tokens/{token}/expire'),
  persona('POST', '/cases'),
  persona('GET', '/cases/{case}'),
  persona('POST', '/cases/{case}/set-status'),
  persona('POST', '/accounts'),
  persona('GET', '/accounts/{account}'),
  persona('POST', '/transactions'),
  persona('GET', '/transactions/{transaction}'),
  persona('PATCH', '/transactions/{transaction}'),
  coinflow('GET', '/withdraw'),
  coinflow('GET', '/withdraw/history'),
  coinflow('GET', '/auth/session-key'),
  coinflow('POST', '/withdraw/kyc'),
  coinflow('POST', '/withdraw/kyc/share-token'),
  coinflow('POST', '/withdraw/kyb'),
  coinflow('POST', '/withdraw/account'),
  coinflow('POST', '/withdraw/debit-card'),
  coinflow('POST', '/withdraw/iban'),
  coinflow('POST', '/withdraw/pix'),
  coinflow('DELETE', '/withdraw/account/{bank}'),
  coinflow('POST', '/merchant/withdraws/payout/delegated/quote'),
  coinflow('POST', '/merchant/withdraws/payout/delegated'),
  coinflow('GET', '/merchant/withdraws/payout/balance'),
  coinflow('GET', '/merchant/withdraws/{payout}'),
]

/* ---- The run ---- */

let emulator: Emulator
/** Ids that exist, per placeholder, so requests reach past the lookup. */
const known: Record<string, string> = {}
const tally = new Map<string, number>()
const divergences = new Map<string, Set<number>>()

async function send(vendor: Vendor, method: string, path: string, body?: unknown) {
  const response = await emulator.fetch(`${BASE[vendor]}${path}`, {
    method,
    headers: {
      ...headers[vendor],
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  const text = await response.text()
  return { status: response.status, body: text === '' ? undefined : JSON.parse(text) }
}

beforeAll(async () => {
  // Persona's 300 a minute would answer most of the run 429 on a clock that does not move.
  emulator = createEmulator({
    seed: 18,
    clock: createManualClock(),
    persona: { rateLimitPerMinute: 1_000_000 },
  })
  // One of each object, so generated requests find something to act on.
  const inquiry = await send('persona', 'POST', '/inquiries', {
    data: {
      attributes: {
        'inquiry-template-id': 'itmpl_Fuzz',
        fields: inquiryFieldsOf(sandboxPeople.usVerified),
      },
    },
  })
  known.inquiry = inquiry.body.data.id
  await send('persona', 'POST', `/inquiries/${known.inquiry}/perform-simulate-actions`, {
    meta: { 'simulate-actions': [{ type: 'start_inquiry' }, { type: 'complete_inquiry' }] },
  })
  const token = await send('persona', 'POST', '/connect/share-tokens', {
    data: {
      attributes: { 'connection-id': COINFLOW_PERSONA_CONNECTION_ID, 'source-id': known.inquiry },
    },
  })
  known.token = token.body.data.id
  known.case = (
    await send('persona', 'POST', '/cases', {
      data: { attributes: { 'case-template-id': 'ctmpl_F' } },
    })
  ).body.data.id
  known.account = inquiry.body.data.relationships.account.data.id
  known.transaction = (
    await send('persona', 'POST', '/transactions', {
      data: { attributes: { 'transaction-type-id': 'txntp_Fuzz' } },
    })
  ).body.data.id
  await send('coinflow', 'POST', '/withdraw/kyc', { info: kycInfoOf(sandboxPeople.usVerified) })
  const linked = await send('coinflow', 'POST', '/withdraw/account', {
    alias: 'Fuzz',
    ...sandboxAccounts.usChecking,
  })
  known.bank = linked.body.withdrawer.bankAccounts[0].token
  const paid = await send('coinflow', 'POST', '/merchant/withdraws/payout/delegated', {
    speed: 'standard',
    account: known.bank,
    userId: USER,
    amount: { cents: 1_00 },
    idempotencyKey: 'fuzz-seed-payout',
  })
  known.payout = paid.body.withdrawal?.id ?? paid.body.id ?? 'unknown'
  for (const [name, id] of Object.entries(known)) expect(id, name).toEqual(expect.any(String))
})

afterAll(() => {
  const statuses = [...tally].map(([status, n]) => `${status}×${n}`).join(' ')
  const undocumented = [...divergences].map(([op, set]) => `${op} ${[...set].join('/')}`)
  console.log(`fuzz (emulator vs the vendors' specs): ${statuses}`)
  console.log(
    `  undocumented 4xx in the vendor's error shape: ${undocumented.join('; ') || 'none'}`,
  )
  emulator?.close()
})

const errorShape: Record<Vendor, (body: unknown) => boolean> = {
  persona: (body) =>
    Array.isArray((body as { errors?: unknown })?.errors) &&
    (body as { errors: Array<{ title?: unknown }> }).errors.every(
      (error) => typeof error.title === 'string',
    ),
  coinflow: (body) => typeof (body as { details?: unknown })?.details === 'string',
}

describe('the emulator under requests generated from the vendors’ OpenAPI documents', () => {
  it.each(operations.map((op) => [`${op.method} ${op.path}`, op] as const))(
    '%s: never 5xx, every answer described by the spec or a documented divergence',
    async (_, op) => {
      const placeholder = /\{(\w+)\}/.exec(op.path)?.[1]
      const specPath = `${BASE[op.vendor].replace(/^https:\/\/[^/]+/, '')}${op.path.replace(/\{\w+\}/, 'x')}`
      await fc.assert(
        fc.asyncProperty(
          fc.boolean(),
          nastyString,
          bodyFor(op.vendor, op.method, specPath),
          async (existing, unknownId, body) => {
            const id =
              existing && placeholder
                ? known[placeholder]!
                : encodeURIComponent(unknownId.replace(/[\ud800-\udfff]/g, '\ufffd'))
            const path = placeholder ? op.path.replace(`{${placeholder}}`, id || 'x') : op.path
            const answer = await send(op.vendor, op.method, path, body)
            tally.set(String(answer.status), (tally.get(String(answer.status)) ?? 0) + 1)
            expect(answer.status, JSON.stringify(answer.body)).toBeLessThan(500)
            try {
              expectResponseMatchesSpec(op.vendor, {
                method: op.method,
                path: `${new URL(BASE[op.vendor]).pathname}${path}`,
                status: answer.status,
                body: answer.body,
              })
            } catch (error) {
              if (!/does not list/.test(String(error)) || answer.status < 400) throw error
              expect(errorShape[op.vendor](answer.body), JSON.stringify(answer.body)).toBe(true)
              const name = `${op.method} ${op.path}`
              divergences.set(name, (divergences.get(name) ?? new Set()).add(answer.status))
            }
          },
        ),
        { numRuns: 40 },
      )
    },
  )
})
