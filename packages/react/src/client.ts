import {
  IDEMPOTENCY_KEY_HEADER,
  REQUEST_ID_HEADER,
  browserRoutes as routes,
  type CreatePayoutRequest,
  type Currency,
  type ErrorCode,
  type InquiryLink,
  type KycStatus,
  type Money,
  type Payout,
  type Quote,
  type QuoteRequest,
  type Session,
} from '@shareflow/contract'
import { ShareflowError } from './errors'
import type { EventStream, EventStreamTimings, EventSubscriber, LiveStatus } from './event-stream'
import { createIdempotencyKey } from './idempotency'
import { findProblem, parseWire, type WireName, type WireTypes } from './wire/index'

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
  live?: Partial<EventStreamTimings>
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
  /**
   * `GET /balance`: what the host's ledger says the user may withdraw in `currency`; `null` when
   * the host does not say (its debit is then the only check).
   */
  getBalance(currency: Currency, options?: RequestOptions): Promise<Money | null>
  /** `POST /quotes`: every speed for an amount to a destination. */
  quote(input: QuoteRequest, options?: RequestOptions): Promise<Quote>
  /** `POST /payouts`. The same `idempotencyKey` always yields the same payout. */
  createPayout(
    input: CreatePayoutRequest,
    options: WriteOptions & { idempotencyKey: string },
  ): Promise<Payout>
  getPayout(id: string, options?: RequestOptions): Promise<Payout>
  /**
   * Any BFF route, its answer checked against the contract's `name` schema and its failure one
   * `ShareflowError`; a write (`method` given) carries an Idempotency-Key. The kit's own entries
   * build their routes on it (`@shareflow/react/history`: the payouts so far), so the main entry
   * carries none of them.
   */
  request<N extends WireName>(name: N, path: string, init?: CallInit): Promise<WireTypes[N]>
  /**
   * Listens to the user's event stream (`GET /events`). All subscribers share one connection.
   * Returns the unsubscribe function.
   */
  subscribe(subscriber: EventSubscriber): () => void
  /** How events currently arrive. */
  readonly liveStatus: LiveStatus
}

export interface CallInit extends WriteOptions {
  method?: 'POST' | 'DELETE'
  body?: unknown
}

/** The code to report when a response is not our envelope (a proxy's error page, say). */
const statusCodes: Record<number, ErrorCode> = {
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  413: 'payload_too_large',
  429: 'rate_limited',
  502: 'upstream_unavailable',
  503: 'upstream_unavailable',
  504: 'upstream_unavailable',
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

  /** GET, or POST (a write) when `init.method` says so; always answers the contract's `name`. */
  async function call<N extends WireName>(
    name: N,
    path: string,
    init: CallInit = {},
  ): Promise<WireTypes[N]> {
    const headers: Record<string, string> = { Accept: 'application/json', ...extraHeaders() }
    if (init.method) {
      headers['Content-Type'] = 'application/json'
      headers[IDEMPOTENCY_KEY_HEADER] = init.idempotencyKey ?? createIdempotencyKey()
    }
    const response = await send(path, {
      method: init.method,
      headers,
      body: init.method && JSON.stringify(init.body ?? {}),
      signal: init.signal,
    })
    const { ok, status } = response
    const body: unknown = await response.json().catch((cause: unknown) => {
      if (init.signal?.aborted) throw cause
    })
    const envelope = ok ? undefined : parseWire('ErrorEnvelope', body)
    if (envelope) throw new ShareflowError({ ...envelope.error, status })
    // Not our envelope (a proxy's error page), or a success that breaks the contract.
    const problem = ok ? findProblem(name, body) : `HTTP ${status}`
    if (problem) {
      throw new ShareflowError({
        code: ok ? 'internal' : (statusCodes[status] ?? 'internal'),
        status,
        requestId: response.headers.get(REQUEST_ID_HEADER) ?? undefined,
        message: `Unexpected answer to ${init.method ?? 'GET'} ${path}: ${problem}.`,
      })
    }
    return body as WireTypes[N]
  }

  // The live-update machinery (SSE parser, reconnects, polling) is needed only after the first
  // render, so it loads as its own chunk, in parallel with the first requests.
  let eventStream: EventStream | undefined
  let loading: Promise<EventStream> | undefined
  const events = () =>
    (loading ??= import('./event-stream').then(
      ({ createEventStream }) =>
        (eventStream = createEventStream({
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
          read: ({ data }) => {
            // One malformed message must not end a live stream; polling reconciles what it missed.
            try {
              return parseWire('ShareflowEvent', JSON.parse(data))
            } catch {
              return undefined
            }
          },
        })),
    ))

  return {
    baseUrl,
    getSession: (o) => call('Session', routes.session, o),
    startInquiry: (o) => call('InquiryLink', routes.kycInquiry, { ...o, method: 'POST' }),
    share: (o) => call('KycStatus', routes.kycShare, { ...o, method: 'POST' }),
    getBalance: async (currency, o) =>
      (await call('Balance', `${routes.balance}?currency=${currency}`, o)).available,
    quote: (body, o) => call('Quote', routes.quotes, { ...o, method: 'POST', body }),
    createPayout: (body, o) => call('Payout', routes.payouts, { ...o, method: 'POST', body }),
    getPayout: (id, o) => call('Payout', routes.payout(id), o),
    request: call,
    subscribe: (subscriber) => {
      let unsubscribe: (() => void) | undefined
      let left = false
      void events().then((loaded) => {
        if (!left) unsubscribe = loaded.subscribe(subscriber)
      })
      return () => {
        left = true
        unsubscribe?.()
      }
    },
    get liveStatus() {
      return eventStream?.status ?? 'idle'
    },
  }
}
