import {
  IDEMPOTENCY_KEY_HEADER,
  REQUEST_ID_HEADER,
  routes,
  type CreatePayoutRequest,
  type Destination,
  type ErrorCode,
  type InquiryLink,
  type KycStatus,
  type Payout,
  type PayoutList,
  type Quote,
  type QuoteRequest,
  type Session,
} from '@shareflow/contract'
import { ShareflowError } from './errors'
import {
  createEventHub,
  type EventHub,
  type EventHubTimings,
  type EventSubscriber,
  type LiveStatus,
} from './event-stream'
import { createIdempotencyKey } from './idempotency'
import { wireSchemas } from './wire/schemas.generated'
import { findProblem, type WireName, type WireTypes } from './wire/validate'

export interface ShareflowClientOptions {
  /** Where the host mounted the BFF, e.g. `/api/shareflow` or `https://example.com/api/shareflow`. */
  baseUrl: string
  /** Defaults to the global `fetch`. Tests and Storybook pass the in-process BFF's `app.request`. */
  fetch?: (input: string, init: RequestInit) => Promise<Response>
  /** Extra headers on every request (e.g. the host's CSRF token). */
  headers?: Record<string, string> | (() => Record<string, string>)
  /** Defaults to `same-origin`, so the host's session cookie identifies the user. */
  credentials?: RequestCredentials
  /** Reconnect and polling timings of the live event stream. */
  live?: Partial<EventHubTimings>
}

export interface RequestOptions {
  signal?: AbortSignal
}

export interface WriteOptions extends RequestOptions {
  /** Defaults to a fresh key. Pass the same key to retry the same intent. */
  idempotencyKey?: string
}

/** A typed, validating client for the Shareflow BFF. No React; safe to create anywhere. */
export interface ShareflowClient {
  readonly baseUrl: string
  /** `GET /session`: KYC state, destinations and (when approved) a Coinflow session, at once. */
  getSession(options?: RequestOptions): Promise<Session>
  /** `POST /kyc/inquiry`: creates or resumes the user's Persona inquiry; returns its one-time link. */
  startInquiry(options?: WriteOptions): Promise<InquiryLink>
  /** `POST /kyc/share`: shares the completed inquiry with Coinflow and registers the user. */
  share(options?: WriteOptions): Promise<KycStatus>
  /** `GET /destinations`: the user's linked payout destinations, masked. */
  listDestinations(options?: RequestOptions): Promise<Destination[]>
  /** `POST /quotes`: every speed for an amount to a destination. */
  quote(input: QuoteRequest, options?: RequestOptions): Promise<Quote>
  /** `POST /payouts`. The same `idempotencyKey` always yields the same payout. */
  createPayout(
    input: CreatePayoutRequest,
    options: WriteOptions & { idempotencyKey: string },
  ): Promise<Payout>
  getPayout(id: string, options?: RequestOptions): Promise<Payout>
  listPayouts(query?: { before?: string }, options?: RequestOptions): Promise<PayoutList>
  /**
   * Listens to the user's event stream (`GET /events`). All subscribers share one connection.
   * Returns the unsubscribe function.
   */
  subscribe(subscriber: EventSubscriber): () => void
  /** How events currently arrive. */
  readonly liveStatus: LiveStatus
}

/** The code to report when a response is not our envelope (a proxy's error page, say). */
function codeForStatus(status: number): ErrorCode {
  if (status === 401) return 'unauthenticated'
  if (status === 403) return 'forbidden'
  if (status === 404) return 'not_found'
  if (status === 413) return 'payload_too_large'
  if (status === 429) return 'rate_limited'
  if (status === 502 || status === 503 || status === 504) return 'upstream_unavailable'
  return 'internal'
}

function parseWire<N extends WireName>(name: N, value: unknown): WireTypes[N] | undefined {
  return findProblem(wireSchemas, wireSchemas[name], value) ? undefined : (value as WireTypes[N])
}

/**
 * Creates a client for the BFF mounted at `baseUrl`. Every response is checked against the
 * `@shareflow/contract` schemas; every failure is one `ShareflowError`.
 *
 * @example
 * const client = createShareflowClient({ baseUrl: '/api/shareflow' })
 * const session = await client.getSession()
 */
export function createShareflowClient(options: ShareflowClientOptions): ShareflowClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, '')
  const doFetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init))
  const credentials = options.credentials ?? 'same-origin'
  const extraHeaders = () =>
    typeof options.headers === 'function' ? options.headers() : (options.headers ?? {})

  async function send(path: string, init: RequestInit): Promise<Response> {
    try {
      return await doFetch(baseUrl + path, { credentials, ...init })
    } catch (cause) {
      if (init.signal?.aborted) throw cause
      throw new ShareflowError({
        code: 'upstream_unavailable',
        status: 0,
        message: 'Could not reach the server.',
        cause,
      })
    }
  }

  async function call<N extends WireName>(
    name: N,
    method: 'GET' | 'POST',
    path: string,
    init: { body?: unknown; idempotencyKey?: string; signal?: AbortSignal },
  ): Promise<WireTypes[N]> {
    const headers: Record<string, string> = { Accept: 'application/json', ...extraHeaders() }
    if (init.body !== undefined) headers['Content-Type'] = 'application/json'
    if (method === 'POST')
      headers[IDEMPOTENCY_KEY_HEADER] = init.idempotencyKey ?? createIdempotencyKey()
    const response = await send(path, {
      method,
      headers,
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      signal: init.signal,
    })
    const requestId = response.headers.get(REQUEST_ID_HEADER) ?? undefined
    let body: unknown
    try {
      body = JSON.parse(await response.text())
    } catch (cause) {
      if (init.signal?.aborted) throw cause
      body = undefined
    }
    if (!response.ok) {
      const envelope = parseWire('ErrorEnvelope', body)
      if (envelope) throw new ShareflowError({ ...envelope.error, status: response.status })
      throw new ShareflowError({
        code: codeForStatus(response.status),
        status: response.status,
        requestId,
        message: `The server answered ${method} ${path} with HTTP ${response.status}.`,
      })
    }
    const problem = findProblem(wireSchemas, wireSchemas[name], body)
    if (problem) {
      throw new ShareflowError({
        code: 'internal',
        status: response.status,
        requestId,
        message: `The server's answer to ${method} ${path} does not match the contract (${problem}).`,
      })
    }
    return body as WireTypes[N]
  }

  let hub: EventHub | undefined
  const events = () =>
    (hub ??= createEventHub({
      ...options.live,
      open: (lastEventId, signal) =>
        send(routes.events, {
          method: 'GET',
          headers: {
            Accept: 'text/event-stream',
            ...extraHeaders(),
            ...(lastEventId ? { 'Last-Event-ID': lastEventId } : {}),
          },
          cache: 'no-store',
          signal,
        }),
      read: ({ event, data }) => {
        // One malformed message must not end a live stream; polling reconciles anything missed.
        try {
          const parsed: unknown = JSON.parse(data)
          const withType =
            typeof parsed === 'object' && parsed !== null && !('type' in parsed)
              ? { type: event, ...parsed }
              : parsed
          return parseWire('ShareflowEvent', withType)
        } catch {
          return undefined
        }
      },
    }))

  return {
    baseUrl,
    getSession: (o = {}) => call('Session', 'GET', routes.session, o),
    startInquiry: (o = {}) => call('InquiryLink', 'POST', routes.kycInquiry, o),
    share: (o = {}) => call('KycStatus', 'POST', routes.kycShare, o),
    listDestinations: async (o = {}) =>
      (await call('DestinationList', 'GET', routes.destinations, o)).destinations,
    quote: (input, o = {}) => call('Quote', 'POST', routes.quotes, { ...o, body: input }),
    createPayout: (input, o) => call('Payout', 'POST', routes.payouts, { ...o, body: input }),
    getPayout: (id, o = {}) => call('Payout', 'GET', routes.payout(id), o),
    listPayouts: (query = {}, o = {}) =>
      call(
        'PayoutList',
        'GET',
        routes.payouts + (query.before ? `?before=${encodeURIComponent(query.before)}` : ''),
        o,
      ),
    subscribe: (subscriber) => events().subscribe(subscriber),
    get liveStatus() {
      return hub?.status ?? 'idle'
    },
  }
}
