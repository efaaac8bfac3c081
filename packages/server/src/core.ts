/**
 * The BFF's shared parts, built once per app: vendor clients, store, logger, clock, the host's
 * `getUser`, the per-user event hub, the KYC service and the webhook hooks. Route modules reach
 * them through `c.var.shareflow` (and per-request, counted vendor clients through `c.var.persona`
 * / `c.var.coinflow`), so adding a domain (payouts) is one `ShareflowModule`.
 *
 * @module
 */
import type { CoinflowEnv, ShareflowEvent } from '@shareflow/contract'
import type { Context, Hono, MiddlewareHandler } from 'hono'
import { systemClock, type Clock, type Sleep } from './clock'
import { ApiError } from './errors'
import { createKycService, type KycService } from './kyc/service'
import { createJsonLogger, type Logger } from './logger'
import type { OpenApiPaths } from './openapi'
import { createEventHub, type EventHub } from './routes/events'
import { createMemoryStore } from './store/memory'
import type { ShareflowStore } from './store/types'
import { createCoinflowClient, type CoinflowApi, type CoinflowClient } from './upstream/coinflow'
import {
  createSessionKeyCache,
  type SessionKeyCache,
  type SessionKeyCacheOptions,
} from './upstream/session-key-cache'
import type { RetryPolicy, UpstreamCallCounter, createCallCounter } from './upstream/http'
import { createPersonaClient, type PersonaApi, type PersonaClient } from './upstream/persona'

/** The signed-in user, as the host's own auth knows them. */
export interface ShareflowUser {
  /** The host's stable user id: Persona's reference id and Coinflow's user id. */
  id: string
  /** Sent to Coinflow when registering the withdrawer. */
  email: string
  /** ISO 3166-1 alpha-2. */
  country?: string
  /** The user's completed Persona inquiry, when the host already knows it. */
  personaInquiryId?: string
}

/**
 * The host's auth: who is signed in for this request, or `null` (→ 401). The user id is never
 * read from anything the browser sends to the BFF.
 */
export type GetUser = (c: Context) => ShareflowUser | null | Promise<ShareflowUser | null>

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
   * minutes, while 5 remain, for 10 000 users per instance); `false` mints one on every visit.
   */
  sessionKeyReuse?:
    Pick<SessionKeyCacheOptions, 'maxUsers' | 'reuseForMs' | 'minRemainingMs'> | false
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
  upstream?: {
    /** Per attempt. Default 10 000 ms. */
    timeoutMs?: number
    retry?: Partial<RetryPolicy>
    sleep?: Sleep
    random?: () => number
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
  }
  /** Largest request body accepted (webhooks included). Default 64 KiB. */
  maxBodyBytes?: number
  /** Extra route modules (payouts). */
  modules?: readonly ShareflowModule[]
}

/** A Coinflow webhook the BFF verified and de-duplicated, passed to hooks as-is. */
export interface CoinflowWebhookEvent {
  eventType: string
  category: string
  created: string
  data: Record<string, unknown>
}

export type CoinflowWebhookHandler = (event: CoinflowWebhookEvent) => void | Promise<void>

/** A list of handlers; `add` returns the function that removes it. */
export interface HookList<H> {
  add(handler: H): () => void
  readonly handlers: readonly H[]
}

function createHookList<H>(): HookList<H> {
  const handlers: H[] = []
  return {
    handlers,
    add(handler) {
      handlers.push(handler)
      return () => {
        const at = handlers.indexOf(handler)
        if (at !== -1) handlers.splice(at, 1)
      }
    },
  }
}

export interface ShareflowCore {
  persona: PersonaClient
  coinflow: CoinflowClient
  store: ShareflowStore
  logger: Logger
  clock: Clock
  getUser: GetUser
  /** Per-user SSE fan-out; `publish(userId, { type: 'payout.updated', payout })`. */
  events: EventHub
  kyc: KycService
  /**
   * Coinflow session keys handed out by `GET /session`, kept per user in this instance while
   * they may be reused; `forget(userId)` makes the next `GET /session` mint a new one.
   */
  sessionKeys: SessionKeyCache
  webhooks: {
    /**
     * Runs for every verified, de-duplicated Coinflow `Withdraw *` webhook (`Withdraw Pending`,
     * `Withdraw Success`, `Withdraw Failure`, …). A handler that throws makes the BFF answer
     * 500, so Coinflow delivers again (the de-duplication claim is released).
     */
    onCoinflowWithdrawEvent: HookList<CoinflowWebhookHandler>
  }
  /** Resolved settings routes need (no secrets). */
  settings: {
    webhookToleranceSeconds: number
    personaWebhookSecrets: readonly string[]
    coinflowWebhookKey: string | null
    heartbeatMs: number
    maxBodyBytes: number
  }
}

/** The Hono environment every Shareflow route runs in. */
export interface ShareflowEnv {
  Variables: {
    requestId: string
    shareflow: ShareflowCore
    /** Request-scoped logger (carries `requestId`). */
    logger: Logger
    /** Upstream calls made while serving this request. */
    calls: ReturnType<typeof createCallCounter>
    /** Persona client counting on `calls`. */
    persona: PersonaApi
    /** Coinflow client counting on `calls`. */
    coinflow: CoinflowApi
    user: ShareflowUser | undefined
  }
}

/** A domain's routes, mounted by `createShareflowApp` after the core ones. */
export interface ShareflowModule {
  name: string
  register(app: Hono<ShareflowEnv>, core: ShareflowCore): void
  /** Its routes' OpenAPI path items, merged into `GET /openapi.json`. */
  openapi?: OpenApiPaths
}

const text = (value: unknown, min: number, max: number): value is string =>
  typeof value === 'string' && value.length >= min && value.length <= max

/**
 * The host's user with only the fields the BFF knows, each checked, or `null` when one is
 * unusable. Checked by hand rather than by a schema: it runs on every request.
 */
function usableUser(found: ShareflowUser): ShareflowUser | null {
  const { id, email, country, personaInquiryId } = found
  if (!text(id, 1, 256) || !text(email, 3, 320)) return null
  if (country !== undefined && !text(country, 2, 2)) return null
  if (personaInquiryId !== undefined && !text(personaInquiryId, 1, 64)) return null
  return {
    id,
    email,
    ...(country ? { country } : {}),
    ...(personaInquiryId ? { personaInquiryId } : {}),
  }
}

/**
 * The signed-in user for this request, from the host's `getUser`; `unauthenticated` (401) when
 * there is none. Cached on the context.
 */
export async function requireUser(c: Context<ShareflowEnv>): Promise<ShareflowUser> {
  const cached = c.get('user')
  if (cached) return cached
  const found = await c.get('shareflow').getUser(c)
  if (!found) throw new ApiError('unauthenticated', 'Sign in to continue.')
  const user = typeof found === 'object' ? usableUser(found) : null
  if (!user) {
    throw new ApiError('internal', 'Something went wrong on our side.', {
      cause: new Error('getUser returned a user without a usable id or email'),
    })
  }
  c.set('user', user)
  return user
}

/** Middleware: refuses the request (401) unless the host says someone is signed in. */
export const signedIn: MiddlewareHandler<ShareflowEnv> = async function signedIn(c, next) {
  await requireUser(c)
  await next()
}

const asList = (value: string | readonly string[] | undefined): readonly string[] =>
  value === undefined ? [] : typeof value === 'string' ? [value] : value

/** Builds the shared core from the app options. */
export function createShareflowCore(options: ShareflowOptions): ShareflowCore {
  const clock = options.clock ?? systemClock
  const logger = options.logger ?? createJsonLogger({ clock })
  const store = options.store ?? createMemoryStore({ clock })
  const transport = {
    fetch: options.fetch,
    timeoutMs: options.upstream?.timeoutMs,
    retry: options.upstream?.retry,
    sleep: options.upstream?.sleep,
    random: options.upstream?.random,
    logger,
    clock,
  }
  const persona = createPersonaClient({
    ...transport,
    apiKey: options.persona.apiKey,
    baseUrl: options.persona.baseUrl,
    requestsPerMinute: options.persona.requestsPerMinute,
    store,
  })
  const coinflow = createCoinflowClient({
    ...transport,
    apiKey: options.coinflow.apiKey,
    merchantId: options.coinflow.merchantId,
    env: options.coinflow.env,
    baseUrl: options.coinflow.baseUrl,
    uiOrigin: options.coinflow.uiOrigin,
  })
  const events = createEventHub({ store })
  const reuse = options.coinflow.sessionKeyReuse
  const sessionKeys = createSessionKeyCache({
    clock,
    ...(reuse === false ? { reuseForMs: 0 } : reuse),
  })
  const publish = (userId: string, event: ShareflowEvent) => {
    // A key is kept for the status it was minted under; a new status never reuses it.
    if (event.type === 'kyc.updated') sessionKeys.forget(userId)
    return events.publish(userId, event)
  }
  const kyc = createKycService({
    store,
    clock,
    logger,
    publish,
    merchantId: options.coinflow.merchantId,
    personaTemplateId: options.persona.templateId,
    personaConnectionId: options.persona.connectionId,
    recheckAfterMs: options.kyc?.recheckAfterMs,
    inquiryRedirectUri: options.kyc?.inquiryRedirectUri,
    shareTokenExpiresInSeconds: options.kyc?.shareTokenExpiresInSeconds,
    verificationRedirectUri: options.kyc?.verificationRedirectUri,
    sleep: options.upstream?.sleep,
    personaQueue: persona,
  })
  return {
    persona,
    coinflow,
    store,
    logger,
    clock,
    getUser: options.getUser,
    events,
    kyc,
    sessionKeys,
    webhooks: { onCoinflowWithdrawEvent: createHookList<CoinflowWebhookHandler>() },
    settings: {
      webhookToleranceSeconds: options.webhookToleranceSeconds ?? 300,
      personaWebhookSecrets: asList(options.persona.webhookSecrets),
      coinflowWebhookKey: options.coinflow.webhookKey ?? null,
      heartbeatMs: options.events?.heartbeatMs ?? 15_000,
      maxBodyBytes: options.maxBodyBytes ?? 64 * 1024,
    },
  }
}

export type { UpstreamCallCounter }
