/**
 * The one way the BFF talks to a vendor: `fetch` (injected, so the emulator or a test can stand in
 * for the network) wrapped in the discipline every upstream call needs:
 *
 * - a timeout per attempt;
 * - retries with exponential backoff and full jitter on network errors, timeouts, 5xx and 429,
 *   honouring `RateLimit-Reset` / `Retry-After`, with the *same* request (and so the same
 *   Idempotency-Key) on every attempt; other 4xx answers are returned at once, never retried;
 * - an optional shared rate budget taken before every attempt;
 * - coalescing of concurrent identical GETs, and of concurrent writes with the same
 *   Idempotency-Key, into one request;
 * - an abort signal per caller: a caller who gave up (its browser request timed out or went away)
 *   stops waiting at once, and a call nobody waits for any more leaves the budget queue without
 *   taking a slot and is never sent. An attempt already sent runs to its end;
 * - a call record per logical call, for per-journey counters and the log.
 *
 * Web Standards only.
 *
 * @module
 */
import { realSleep, systemClock, type Clock, type Sleep } from '../clock'
import type { Logger } from '../logger'
import { silentLogger } from '../logger'
import type { AttemptOutcome, CircuitBreaker } from './breaker'
import { sleepUnlessAborted, type RateBudget } from './rate-budget'
import type { Telemetry } from '../telemetry'
import type { Vendor } from './vendor'

export type { Vendor }

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE'

export interface UpstreamRequest {
  /** A stable name for logs and counters, e.g. `persona.createShareToken`. */
  operation: string
  method: HttpMethod
  /** Path below the vendor base URL, starting with `/`. */
  path: string
  query?: Record<string, string | number | undefined>
  headers?: Record<string, string>
  /** Serialised once as JSON and sent byte-identical on every attempt. */
  body?: unknown
  /** Cap attempts for calls that are not idempotent at the vendor (1 = never retry). */
  maxAttempts?: number
  /**
   * Retry a 409 too, for a POST whose Idempotency-Key may still be in flight at the vendor after
   * an attempt that timed out (Persona answers 409 until the first one finishes, then replays
   * it). The last attempt's 409 is handed back like any other 4xx.
   */
  retryConflicts?: boolean
}

export interface UpstreamResponse {
  status: number
  headers: Headers
  /** Parsed JSON, or `null` for an empty or non-JSON body. */
  body: unknown
}

/** One logical call (all its attempts), as counted per journey. */
export interface UpstreamCall {
  vendor: Vendor
  operation: string
  method: HttpMethod
  /** HTTP attempts made; 0 when the call joined an identical one already in flight. */
  attempts: number
  /** Final status, or `null` when every attempt failed without an answer. */
  status: number | null
  durationMs: number
  coalesced: boolean
}

export interface UpstreamCallCounter {
  record(call: UpstreamCall): void
}

/** Counts upstream calls made during one journey (one BFF request, or one test). */
export function createCallCounter(): UpstreamCallCounter & {
  readonly calls: readonly UpstreamCall[]
  /** Logical calls, optionally for one vendor and operation; coalesced joins are not counted. */
  count(vendor?: Vendor, operation?: string): number
  summary(): Record<Vendor, number>
} {
  const calls: UpstreamCall[] = []
  const count = (vendor?: Vendor, operation?: string) =>
    calls.filter(
      (call) =>
        !call.coalesced &&
        (vendor === undefined || call.vendor === vendor) &&
        (operation === undefined || call.operation === operation),
    ).length
  return {
    calls,
    record: (call) => void calls.push(call),
    count,
    summary: () => ({ persona: count('persona'), coinflow: count('coinflow') }),
  }
}

/** Every attempt failed without a usable answer: network errors, timeouts, 5xx or 429. */
export class UpstreamError extends Error {
  readonly vendor: Vendor
  readonly operation: string
  /** `breaker`: refused unsent while the vendor's circuit breaker is open. */
  readonly kind: 'network' | 'timeout' | 'status' | 'budget' | 'breaker'
  readonly status: number | null
  readonly attempts: number
  /** When trying again is worth it (`breaker` only): the breaker's next probe. */
  readonly retryAfterMs: number | undefined

  constructor(init: {
    vendor: Vendor
    operation: string
    kind: UpstreamError['kind']
    status: number | null
    attempts: number
    retryAfterMs?: number
    cause?: unknown
  }) {
    super(
      `${init.vendor} ${init.operation} failed after ${init.attempts} attempt(s): ${init.kind}${
        init.status === null ? '' : ` ${init.status}`
      }`,
      init.cause === undefined ? undefined : { cause: init.cause },
    )
    this.name = 'UpstreamError'
    this.vendor = init.vendor
    this.operation = init.operation
    this.kind = init.kind
    this.status = init.status
    this.attempts = init.attempts
    this.retryAfterMs = init.retryAfterMs
  }
}

export interface RetryPolicy {
  /** Attempts per call, the first included. Default 4. */
  maxAttempts: number
  /** Backoff base; attempt n waits up to `baseDelayMs * 2^(n-1)`. Default 250. */
  baseDelayMs: number
  /** Cap on any single wait, including one a `RateLimit-Reset` asks for. Default 20 000. */
  maxDelayMs: number
}

const defaultRetryPolicy: RetryPolicy = {
  maxAttempts: 4,
  baseDelayMs: 250,
  maxDelayMs: 20_000,
}

export interface UpstreamTransportOptions {
  vendor: Vendor
  baseUrl: string
  fetch?: typeof fetch
  /** Headers on every request (auth, version). Computed per request so nothing is cached. */
  headers: () => Record<string, string>
  /** Per-attempt timeout. Default 10 000 ms. */
  timeoutMs?: number
  retry?: Partial<RetryPolicy>
  /** Taken before every attempt (Persona's 300/min). */
  budget?: RateBudget
  /** Asked before every attempt; told how each went (`breaker.ts`). */
  breaker?: CircuitBreaker
  /** Each call, all its attempts, in one span (`telemetry/`). */
  telemetry?: Telemetry
  logger?: Logger
  clock?: Clock
  sleep?: Sleep
  random?: () => number
}

/** What a vendor client passes through to its transport as it was given. */
export type VendorClientTransportOptions = Pick<
  UpstreamTransportOptions,
  | 'fetch'
  | 'timeoutMs'
  | 'retry'
  | 'logger'
  | 'clock'
  | 'sleep'
  | 'random'
  | 'breaker'
  | 'telemetry'
>

export interface UpstreamTransport {
  readonly vendor: Vendor
  /**
   * Rejects with `signal.reason` as soon as `signal` aborts; the request still goes out only if
   * it had already left the budget queue, or another caller still waits for the same call.
   */
  send(
    request: UpstreamRequest,
    counter?: UpstreamCallCounter,
    signal?: AbortSignal,
  ): Promise<UpstreamResponse>
}

const isRetryableStatus = (status: number) => status === 429 || status >= 500

/** Seconds to wait from `RateLimit-Reset` (Persona) or `Retry-After` (seconds form). */
function rateLimitWaitMs(headers: Headers): number | null {
  for (const name of ['RateLimit-Reset', 'Retry-After']) {
    const value = headers.get(name)
    if (value && /^\d+(\.\d+)?$/.test(value.trim())) return Number(value) * 1000
  }
  return null
}

function buildUrl(baseUrl: string, path: string, query: UpstreamRequest['query']): string {
  const url = new URL(baseUrl.replace(/\/+$/, '') + path)
  for (const [name, value] of Object.entries(query ?? {})) {
    if (value !== undefined) url.searchParams.set(name, String(value))
  }
  return url.toString()
}

function parseBody(text: string): unknown {
  if (text === '') return null
  try {
    return JSON.parse(text) as unknown
  } catch {
    return null
  }
}

/** One attempt's answer, its body already read in full. */
interface Answer {
  status: number
  headers: Headers
  text: string
}

class TimeoutSignal extends Error {}

/**
 * The key under which concurrent callers share one call, or `null` for a call of its own:
 * identical reads, and writes carrying the same Idempotency-Key (the vendor would replay the
 * first one's answer to the others anyway, so one queued attempt serves them all). The scope
 * headers are part of the key so two users' calls never merge.
 */
function sharedCallKey(url: string, request: UpstreamRequest): string | null {
  const idempotent = Object.keys(request.headers ?? {}).some(
    (name) => name.toLowerCase() === 'idempotency-key',
  )
  if (request.method !== 'GET' && !idempotent) return null
  return [
    request.method,
    url,
    JSON.stringify(request.headers ?? {}),
    request.body === undefined ? '' : JSON.stringify(request.body),
  ].join(' ')
}

/** One call and everyone waiting for its answer. */
interface SharedCall {
  result: Promise<UpstreamResponse & { attempts: number }>
  /**
   * Aborted when the last caller waiting gives up; absent when the first caller cannot give up
   * (no signal), which pins the call to its end anyway.
   */
  abandon: AbortController | undefined
  waiting: number
  /** A caller without a signal never gives up, so the call always runs to its end. */
  pinned: boolean
  /** The first caller to hear the answer counts the call's attempts; the rest are joins. */
  counted: boolean
}

/** `result`, or `signal.reason` as soon as `signal` aborts (then `leave` runs once). */
function followUntilAborted<T>(
  result: Promise<T>,
  signal: AbortSignal | undefined,
  leave: () => void,
): Promise<T> {
  if (!signal) return result
  return new Promise<T>((resolve, reject) => {
    const abort = () => {
      leave()
      reject(signal.reason)
    }
    signal.addEventListener('abort', abort, { once: true })
    result.then(
      (value) => {
        signal.removeEventListener('abort', abort)
        resolve(value)
      },
      (error: unknown) => {
        signal.removeEventListener('abort', abort)
        reject(error)
      },
    )
  })
}

/**
 * Creates the transport for one vendor.
 *
 * @example
 * const transport = createUpstreamTransport({
 *   vendor: 'persona', baseUrl, fetch, headers: () => ({ Authorization: `Bearer ${key}` }),
 * })
 * const { status, body } = await transport.send({ operation: 'persona.getInquiry', method: 'GET', path })
 */
export function createUpstreamTransport({
  vendor,
  baseUrl,
  fetch: fetchImpl = globalThis.fetch.bind(globalThis),
  headers,
  timeoutMs = 10_000,
  retry,
  budget,
  breaker,
  telemetry,
  logger = silentLogger,
  clock = systemClock,
  sleep = realSleep,
  random = Math.random,
}: UpstreamTransportOptions): UpstreamTransport {
  const policy: RetryPolicy = { ...defaultRetryPolicy, ...retry }
  const inflight = new Map<string, SharedCall>()

  async function attempt(url: string, init: RequestInit): Promise<Answer> {
    const controller = new AbortController()
    let timer: ReturnType<typeof setTimeout> | undefined
    // Race the timer too: a fetch that ignores its signal must still not hold the request.
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort()
        reject(new TimeoutSignal())
      }, timeoutMs)
    })
    try {
      const response = await Promise.race([
        fetchImpl(url, { ...init, signal: controller.signal }),
        timeout,
      ])
      // Read the body under the same timer: a vendor that stalls mid-body is a timeout too.
      const text = await Promise.race([response.text(), timeout])
      return { status: response.status, headers: response.headers, text }
    } finally {
      clearTimeout(timer)
    }
  }

  function backoffMs(attemptNumber: number): number {
    const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attemptNumber - 1))
    return Math.floor(random() * ceiling)
  }

  async function execute(
    url: string,
    request: UpstreamRequest,
    signal: AbortSignal | undefined,
  ): Promise<UpstreamResponse & { attempts: number }> {
    const body = request.body === undefined ? undefined : JSON.stringify(request.body)
    const maxAttempts = Math.max(1, request.maxAttempts ?? policy.maxAttempts)
    let lastFailure: { kind: UpstreamError['kind']; status: number | null; cause?: unknown } = {
      kind: 'network',
      status: null,
    }
    for (let n = 1; n <= maxAttempts; n++) {
      // Nobody waits for the answer any more: send nothing (more), spend no budget.
      signal?.throwIfAborted()
      const admission = breaker?.admit() ?? ({ allowed: true, probe: false } as const)
      if (!admission.allowed) {
        throw new UpstreamError({
          vendor,
          operation: request.operation,
          kind: 'breaker',
          status: lastFailure.status,
          attempts: n - 1,
          retryAfterMs: admission.retryAfterMs,
        })
      }
      let outcome: AttemptOutcome = 'neutral'
      let waitMs = backoffMs(n)
      try {
        if (budget) {
          try {
            await budget.acquire(signal)
          } catch (cause) {
            if (signal?.aborted) throw signal.reason

            throw new UpstreamError({
              vendor,
              operation: request.operation,
              kind: 'budget',
              status: null,
              attempts: n - 1,
              cause,
            })
          }
        }
        try {
          const response = await attempt(url, {
            method: request.method,
            headers: {
              Accept: 'application/json',
              ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
              ...headers(),
              ...request.headers,
            },
            body,
          })
          // The vendor answered: only a 5xx says it is failing (a 429 is the budget's concern).
          outcome =
            response.status >= 500 ? 'failure' : response.status === 429 ? 'neutral' : 'success'
          const conflictToRetry = request.retryConflicts === true && response.status === 409
          if (!isRetryableStatus(response.status) && !(conflictToRetry && n < maxAttempts)) {
            return {
              status: response.status,
              headers: response.headers,
              body: parseBody(response.text),
              attempts: n,
            }
          }
          lastFailure = { kind: 'status', status: response.status }
          const askedMs = rateLimitWaitMs(response.headers)
          if (response.status === 429) {
            if (askedMs !== null) waitMs = Math.max(waitMs, askedMs + Math.floor(random() * 250))
            await budget?.blockUntil(clock.now() + Math.min(waitMs, policy.maxDelayMs))
          }
        } catch (cause) {
          outcome = 'failure'
          lastFailure =
            cause instanceof TimeoutSignal
              ? { kind: 'timeout', status: null }
              : { kind: 'network', status: null, cause }
        }
      } finally {
        breaker?.settle(admission, outcome)
      }
      if (n < maxAttempts) {
        const delay = Math.min(waitMs, policy.maxDelayMs)
        logger.warn('upstream retry', {
          vendor,
          operation: request.operation,
          attempt: n,
          failure: lastFailure.kind,
          status: lastFailure.status,
          delayMs: delay,
        })
        await sleepUnlessAborted(sleep, delay, signal)
      }
    }
    throw new UpstreamError({
      vendor,
      operation: request.operation,
      attempts: maxAttempts,
      ...lastFailure,
    })
  }

  function start(
    url: string,
    request: UpstreamRequest,
    key: string | null,
    cancellable: boolean,
  ): SharedCall {
    const abandon = cancellable ? new AbortController() : undefined
    const call: SharedCall = {
      result: telemetry
        ? telemetry.vendorCall(
            { vendor, operation: request.operation, method: request.method },
            () => execute(url, request, abandon?.signal),
          )
        : execute(url, request, abandon?.signal),
      abandon,
      waiting: 0,
      pinned: !cancellable,
      counted: false,
    }
    const forget = () => {
      if (key !== null && inflight.get(key) === call) inflight.delete(key)
    }
    if (key !== null) inflight.set(key, call)
    // Also settles an abandoned call's rejection, which no caller is left to hear.
    void call.result.then(forget, forget)
    return call
  }

  return {
    vendor,
    async send(request, counter, signal) {
      signal?.throwIfAborted()
      const started = clock.now()
      const record = (attempts: number, status: number | null, coalesced: boolean) =>
        counter?.record({
          vendor,
          operation: request.operation,
          method: request.method,
          attempts,
          status,
          durationMs: clock.now() - started,
          coalesced,
        })
      const url = buildUrl(baseUrl, request.path, request.query)
      const key = sharedCallKey(url, request)
      const call =
        (key === null ? undefined : inflight.get(key)) ?? start(url, request, key, !!signal)
      call.waiting++
      if (!signal) call.pinned = true
      const leave = () => {
        call.waiting--
        if (call.waiting > 0 || call.pinned) return
        // The last caller gave up: a call still queued for the budget leaves without being sent,
        // and a later caller starts afresh rather than joining an abandoned call.
        if (key !== null && inflight.get(key) === call) inflight.delete(key)
        call.abandon?.abort(signal?.reason)
      }
      const coalescedNow = () => {
        const coalesced = call.counted
        call.counted = true
        return coalesced
      }
      try {
        const response = await followUntilAborted(call.result, signal, leave)
        const coalesced = coalescedNow()
        record(coalesced ? 0 : response.attempts, response.status, coalesced)
        if (!coalesced) {
          logger.debug('upstream call', {
            vendor,
            operation: request.operation,
            status: response.status,
            attempts: response.attempts,
            durationMs: clock.now() - started,
          })
        }
        return { status: response.status, headers: response.headers, body: response.body }
      } catch (error) {
        // A caller who gave up has no journey left to count the call on.
        if (signal?.aborted) throw error
        const coalesced = coalescedNow()
        record(coalesced || !(error instanceof UpstreamError) ? 0 : error.attempts, null, coalesced)
        if (!coalesced) {
          logger.warn('upstream call failed', {
            vendor,
            operation: request.operation,
            durationMs: clock.now() - started,
            error,
          })
        }
        throw error
      }
    },
  }
}
