/**
 * Test-only: sends one hostile request to the whole BFF and checks what every answer must be,
 * whatever was sent: never a 5xx, never a hang, the error envelope (with the response's request
 * id) on every refusal, the security headers on every answer, and, when the request was refused
 * for its input, nothing changed: the store (snapshot before and after) and the vendors (no call
 * that writes). Tallies what it sent, for the closing count.
 */
import { ErrorEnvelope, REQUEST_ID_HEADER, type ErrorCode } from '@shareflow/contract'
import { expect } from 'vitest'
import { BFF_ORIGIN, MOUNT } from '../journeys/harness'
import { expectUnchanged, snapshotStore } from '../security/state'
import {
  documentsOperation,
  expectResponseMatchesSpec,
  useDocument,
  type JsonObject,
} from '../openapi'
import type { VerifiedWorld } from '../security/world'

export interface HostileRequest {
  method: string
  /** Below the mount point, query included. */
  path: string
  body?: string
  headers?: Record<string, string | undefined>
}

/** Refusals for what the request said: these must leave no trace anywhere. */
const refusedForInput = new Set<ErrorCode>([
  'invalid_request',
  'unauthenticated',
  'forbidden',
  'not_found',
  'payload_too_large',
  'idempotency_key_missing',
  'idempotency_key_reused',
  'rate_limited',
  'destination_not_found',
  'amount_not_allowed',
])

/** Longest any answer may take; the emulator answers in microseconds, so this is a hang. */
const DEADLINE_MS = 10_000

export interface FuzzTally {
  requests: number
  statuses: Map<number, number>
  codes: Map<string, number>
}

export const createTally = (): FuzzTally => ({ requests: 0, statuses: new Map(), codes: new Map() })

const bump = (map: Map<string | number, number>, key: string | number) =>
  map.set(key, (map.get(key) ?? 0) + 1)

export function summarize(tally: FuzzTally): string {
  const statuses = [...tally.statuses].sort(([a], [b]) => a - b).map(([s, n]) => `${s}×${n}`)
  return `${tally.requests} requests; statuses ${statuses.join(' ')}`
}

async function withDeadline<T>(work: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} hung for ${DEADLINE_MS} ms`)), DEADLINE_MS)
  })
  try {
    return await Promise.race([work, deadline])
  } finally {
    clearTimeout(timer)
  }
}

/**
 * Vendor calls that changed something: accepted writes. A quote is a POST that changes nothing,
 * and a write the vendor refused left its state as it was.
 */
const vendorWrites = (world: VerifiedWorld) =>
  world.harness.vendorRequests.filter(
    (r) =>
      r.method !== 'GET' &&
      !r.path.endsWith('/quote') &&
      r.status !== null &&
      r.status >= 200 &&
      r.status < 300,
  ).length

/** One operation of the served document, with a concrete path below the mount point to call it. */
export interface ServedOperation {
  method: string
  template: string
  path: string
  statuses: string[]
  /** A minimal request to it (`{}` as the body of a write). */
  request: (headers: Record<string, string>) => HostileRequest
}

/**
 * Fetches the OpenAPI document the running BFF serves about itself and returns its operations;
 * after this, a `sendHostile(…, { matchesDocument: true })` answer must be one that document lists.
 */
export async function loadServedDocument(world: VerifiedWorld): Promise<ServedOperation[]> {
  const response = await world.harness.host.request(`${BFF_ORIGIN}${MOUNT}/openapi.json`)
  expect(response.status).toBe(200)
  const document = (await response.json()) as {
    paths: Record<string, Record<string, { responses: Record<string, unknown> }>>
  }
  useDocument('shareflow', document as unknown as JsonObject, { strictTrailingSlash: true })
  return Object.entries(document.paths).flatMap(([template, item]) =>
    Object.entries(item).map(([verb, operation]) => {
      const method = verb.toUpperCase()
      const path = template.replace(/\{[^}]+\}/g, 'fuzz-id')
      return {
        method,
        template,
        path,
        statuses: Object.keys(operation.responses),
        request: (headers: Record<string, string>) => ({
          method,
          path,
          headers: { 'Content-Type': 'application/json', ...headers },
          ...(method === 'GET' || method === 'DELETE' ? {} : { body: '{}' }),
        }),
      }
    }),
  )
}

export interface HostileOptions {
  /**
   * Also fail when a documented operation answers a status its document (see
   * {@link loadServedDocument}) does not list, or a body that does not match that status's schema.
   */
  matchesDocument?: boolean
}

/** Sends `request` and checks the answer; returns its status and, for refusals, its code. */
export async function sendHostile(
  world: VerifiedWorld,
  tally: FuzzTally,
  request: HostileRequest,
  { matchesDocument = false }: HostileOptions = {},
): Promise<{ status: number; code: ErrorCode | null }> {
  const what = `${request.method} ${request.path}`
  const storeBefore = await snapshotStore(world.harness.store)
  const writesBefore = vendorWrites(world)
  const headers = Object.fromEntries(
    Object.entries(request.headers ?? {}).filter(
      (entry): entry is [string, string] => entry[1] !== undefined,
    ),
  )
  const response = await withDeadline(
    Promise.resolve(
      world.harness.host.request(`${BFF_ORIGIN}${MOUNT}${request.path}`, {
        method: request.method,
        headers,
        ...(request.body === undefined ? {} : { body: request.body }),
      }),
    ),
    what,
  )
  tally.requests++
  bump(tally.statuses, response.status)
  // `..` and `%2e%2e` segments resolve as URLs do in every browser, possibly above the mount
  // point: then the host answered, not the BFF, and only "no 5xx" applies.
  const reachedBff = new URL(`${BFF_ORIGIN}${MOUNT}${request.path}`).pathname.startsWith(MOUNT)

  const isStream = response.headers.get('Content-Type')?.startsWith('text/event-stream')
  if (isStream) {
    await response.body?.cancel()
    expect(response.status, what).toBe(200)
    return { status: response.status, code: null }
  }
  const text = await withDeadline(response.text(), `${what} (body)`)
  expect(response.status, `${what} → ${text.slice(0, 300)}`).toBeLessThan(500)
  if (!reachedBff) return { status: response.status, code: null }
  expect(response.headers.get(REQUEST_ID_HEADER), what).toMatch(/^req_/)
  // A HEAD answer has the status and headers of its GET, and by definition no body.
  if (request.method === 'HEAD') return { status: response.status, code: null }
  expect(response.headers.get('X-Content-Type-Options'), what).toBe('nosniff')
  const documentedPath = new URL(`${BFF_ORIGIN}${MOUNT}${request.path}`).pathname
  if (matchesDocument && documentsOperation('shareflow', request.method, documentedPath)) {
    expectResponseMatchesSpec('shareflow', {
      method: request.method,
      path: documentedPath,
      status: response.status,
      body: text === '' ? undefined : JSON.parse(text),
    })
  }
  if (response.status < 400) return { status: response.status, code: null }

  const envelope = ErrorEnvelope.safeParse(JSON.parse(text))
  expect(
    envelope.success,
    `${what} answered ${response.status} outside the envelope: ${text.slice(0, 300)}`,
  ).toBe(true)
  const { code, requestId } = envelope.data!.error
  bump(tally.codes, code)
  expect(requestId).toBe(response.headers.get(REQUEST_ID_HEADER))
  // An answer never grows with the input (no echo of a megabyte of attacker text).
  expect(text.length, what).toBeLessThan(8_192)
  if (refusedForInput.has(code)) {
    expectUnchanged(storeBefore, await snapshotStore(world.harness.store), `${what} (${code})`)
    expect(vendorWrites(world), `${what} (${code}) wrote to a vendor`).toBe(writesBefore)
  }
  return { status: response.status, code }
}
