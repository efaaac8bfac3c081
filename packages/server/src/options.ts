/**
 * What a host configures: the options `createShareflowApp` takes (`app.ts` adds the browser-facing
 * ones and the modules), with their defaults. Every secret stays on the server.
 *
 * @module
 */
import type { CoinflowEnv } from '@shareflow/contract'
import type { Clock, Sleep } from './clock'
import type { Logger } from './logger'
import type { ShareflowStore } from './store/types'
import type { SessionKeyCacheOptions } from './upstream/session-key-cache'
import type { CircuitBreakerOptions } from './upstream/breaker'
import type { RetryPolicy } from './upstream/http'
import type { TelemetryOptions } from './telemetry'
import type { GetUser } from './user'

export interface PersonaOptions {
  apiKey: string
  /** The inquiry template new inquiries start from (`itmpl_…`). */
  templateId: string
  /** Coinflow's Persona Connect connection (`cxn_…`), the share tokens' destination. */
  connectionId: string
  /** Default `https://api.withpersona.com/api/v1`. */
  baseUrl?: string
  /** Webhook secrets (`wbhsec_…`); more than one while rotating. */
  webhookSecrets?: string | readonly string[]
  /** The most Persona requests in any 60 s, across all instances. Default 300 (Persona's limit). */
  requestsPerMinute?: number
}

export interface CoinflowOptions {
  apiKey: string
  merchantId: string
  /** Default `sandbox`. */
  env?: CoinflowEnv
  /** Overrides the REST base (the emulator). */
  baseUrl?: string
  /** Overrides the hosted-pages origin (the emulator). */
  uiOrigin?: string
  /** The dashboard's Webhook Validation Key. */
  webhookKey?: string
  /**
   * How long `GET /session` hands a verified user the same session key (default: up to 20
   * minutes, while 5 remain), on whichever instance answers; `false` mints one on every visit.
   */
  sessionKeyReuse?: Pick<SessionKeyCacheOptions, 'reuseForMs' | 'minRemainingMs'> | false
}

export interface ShareflowOptions {
  getUser: GetUser
  persona: PersonaOptions
  coinflow: CoinflowOptions
  /** Used for every vendor call; the emulator's `fetch` in sandbox mode. */
  fetch?: typeof fetch
  /** Default: an in-memory store (nothing survives a restart; use the file or Redis store). */
  store?: ShareflowStore
  /** Default: JSON lines on stdout, redacted. */
  logger?: Logger
  clock?: Clock
  /** Webhook timestamps older (or further ahead) than this are refused. Default 300 s. */
  webhookToleranceSeconds?: number
  /**
   * What webhook signature timestamps are checked against. Default: the system clock, not
   * `clock`: Persona and Coinflow (and the emulator) sign with real time, so a test or sandbox
   * that moves `clock` still accepts their deliveries.
   */
  webhookClock?: Clock
  upstream?: {
    /** Per attempt. Default 10 000 ms. */
    timeoutMs?: number
    retry?: Partial<RetryPolicy>
    sleep?: Sleep
    random?: () => number
    /**
     * A circuit breaker per vendor (`upstream/breaker.ts`): after `failureThreshold` failed
     * attempts in a row (default 5) calls fail at once with `503 upstream_unavailable` and
     * `Retry-After` for `openMs` (default 10 000), then one probe decides. Off unless set (`true`
     * or options): under a burst, timeouts from a slow but working vendor open it too, and the
     * bench's burst then left users stuck mid-share (see the server README).
     */
    breaker?: CircuitBreakerOptions | boolean
  }
  kyc?: {
    /** A pending or in-progress user's `/session` re-asks the vendors after this long. Default 10 000 ms. */
    recheckAfterMs?: number
    /** Where Persona's hosted flow sends the user when done. */
    inquiryRedirectUri?: string
    /** Lifetime of the Persona share token. Default Persona's (14 days). */
    shareTokenExpiresInSeconds?: number
    /** Where Coinflow's verification page sends the user when done. */
    verificationRedirectUri?: string
  }
  events?: {
    /** Default 15 000 ms. */
    heartbeatMs?: number
    /**
     * Open `/events` streams one user may hold on one instance; the next is refused with
     * `429 rate_limited` and `Retry-After`. Default 8 (a few tabs, each with one stream).
     */
    maxStreamsPerUser?: number
    /**
     * Open streams one instance holds for all users; the next is refused with
     * `503 upstream_unavailable` and `Retry-After`. Default 2 000 (each holds a socket, a store
     * subscription and some tens of kilobytes).
     */
    maxStreams?: number
  }
  /** Largest request body accepted (webhooks included). Default 64 KiB. */
  maxBodyBytes?: number
  /**
   * OpenTelemetry: a tracer and a meter from `@opentelemetry/api` (an optional peer), e.g.
   * `{ tracer: trace.getTracer('@shareflow/server'), meter: metrics.getMeter('@shareflow/server') }`.
   * A span per vendor call; journey, payout, webhook and breaker metrics (README "Telemetry").
   * Default: nothing recorded.
   */
  telemetry?: TelemetryOptions
}
