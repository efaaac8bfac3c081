/**
 * The services every route of one BFF app shares, built once from its options: the vendor
 * clients, store, logger, clock, the host's `getUser`, the event hub, the KYC service, the
 * reusable session keys and the webhook hooks. Routes reach them through `c.get('shareflow')`
 * (and their per-request, counted vendor clients through `c.get('persona')` /
 * `c.get('coinflow')`, set by `request-context.ts`); a module (payouts) is handed them in
 * `register`.
 *
 * @module
 */
import { systemClock, type Clock } from './clock'
import { createEventHub, type EventHub } from './event-hub'
import { createKycService, type KycService, type PersonaEvent } from './kyc'
import type { KycStatus } from '@shareflow/contract'
import { createJsonLogger, type Logger } from './logger'
import type { ShareflowOptions } from './options'
import { createMemoryStore } from './store/memory'
import type { ShareflowStore } from './store/types'
import { createCircuitBreaker, type CircuitBreaker } from './upstream/breaker'
import { createCoinflowClient, type CoinflowClient } from './upstream/coinflow'
import type { Vendor } from './upstream/http'
import { createPersonaClient, type PersonaClient } from './upstream/persona'
import {
  createSessionKeyCache,
  forgetKeyOnKycChange,
  type SessionKeyCache,
} from './upstream/session-key-cache'
import { countJourneyEvents, createTelemetry, type Telemetry } from './telemetry'
import type { GetUser } from './user'

/** A Coinflow webhook the BFF verified and de-duplicated, passed to hooks as-is. */
export interface CoinflowWebhookEvent {
  eventType: string
  category: string
  created: string
  data: Record<string, unknown>
}

export type CoinflowWebhookHandler = (event: CoinflowWebhookEvent) => void | Promise<void>

/**
 * A verified, de-duplicated Persona event of a transaction's workflow (`transaction.*`,
 * `verification.*`, `report/*`), by the spec's name, with the object it carries.
 */
export interface PersonaWorkflowEvent {
  id: string
  name: string
  createdAt: string | null
  resource: { type: string; id: string; attributes: Record<string, unknown> }
}

export type PersonaWorkflowHandler = (
  event: PersonaWorkflowEvent,
) => 'applied' | 'ignored' | Promise<'applied' | 'ignored'>

/** Runs for every verified, de-duplicated Persona event, after the KYC records applied it. */
export type PersonaEventHandler = (event: PersonaEvent) => void | Promise<void>

/** Runs after a user's KYC status changed in a way they would see (`kyc.updated`). */
export type KycChangeHandler = (userId: string, kyc: KycStatus) => void | Promise<void>

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

export interface ShareflowServices {
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
   * Coinflow session keys handed out by `GET /session`, kept per user in the store (sealed)
   * while they may be reused; `forget(userId)` makes the next `GET /session`, on any instance,
   * mint a new one.
   */
  sessionKeys: SessionKeyCache
  webhooks: {
    /**
     * Runs for every verified, de-duplicated Coinflow `Withdraw *` webhook (`Withdraw Pending`,
     * `Withdraw Success`, `Withdraw Failure`, …). A handler that throws makes the BFF answer
     * 500, so Coinflow delivers again (the de-duplication claim is released).
     */
    onCoinflowWithdrawEvent: HookList<CoinflowWebhookHandler>
    /** Runs for every Persona `transaction.*`, `verification.*` and `report/*` event (KYB). */
    onPersonaWorkflowEvent: HookList<PersonaWorkflowHandler>
    /**
     * Runs for every verified, de-duplicated Persona event (any name), after the KYC records
     * applied it. A handler that throws makes the BFF answer 500, so Persona delivers again.
     */
    onPersonaEvent: HookList<PersonaEventHandler>
  }
  /** Runs after each change of a user's KYC status they would see (the ops module's queue). */
  onKycChanged: HookList<KycChangeHandler>
  /** Each vendor's circuit breaker, when turned on (`upstream.breaker`). */
  breakers: Record<Vendor, CircuitBreaker | undefined>
  /** Where spans and counters go (`options.telemetry`); records nothing without it. */
  telemetry: Telemetry
  /** Resolved settings routes need (no secrets). */
  settings: {
    webhookToleranceSeconds: number
    /** Webhook signatures are checked against this (real time unless told otherwise). */
    webhookClock: Clock
    personaWebhookSecrets: readonly string[]
    coinflowWebhookKey: string | null
    heartbeatMs: number
    maxBodyBytes: number
  }
}

const asList = (value: string | readonly string[] | undefined): readonly string[] =>
  value === undefined ? [] : typeof value === 'string' ? [value] : value

/** Builds the app's shared services from its options, once per app. */
export function createShareflowServices(options: ShareflowOptions): ShareflowServices {
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
  const breakerSetting = options.upstream?.breaker
  const breakerOptions = breakerSetting === true ? {} : breakerSetting || undefined
  const breakers = {
    persona: breakerOptions ? createCircuitBreaker(breakerOptions, clock) : undefined,
    coinflow: breakerOptions ? createCircuitBreaker(breakerOptions, clock) : undefined,
  }
  const telemetry = createTelemetry(options.telemetry, breakers)
  const persona = createPersonaClient({
    ...transport,
    telemetry,
    breaker: breakers.persona,
    apiKey: options.persona.apiKey,
    baseUrl: options.persona.baseUrl,
    requestsPerMinute: options.persona.requestsPerMinute,
    store,
  })
  const coinflow = createCoinflowClient({
    ...transport,
    telemetry,
    breaker: breakers.coinflow,
    apiKey: options.coinflow.apiKey,
    merchantId: options.coinflow.merchantId,
    env: options.coinflow.env,
    baseUrl: options.coinflow.baseUrl,
    uiOrigin: options.coinflow.uiOrigin,
  })
  const reuse = options.coinflow.sessionKeyReuse
  const sessionKeys = createSessionKeyCache({
    clock,
    store,
    secret: options.coinflow.apiKey,
    ...(reuse === false ? { reuseForMs: 0 } : reuse),
  })
  const events = countJourneyEvents(
    forgetKeyOnKycChange(createEventHub({ store }), sessionKeys),
    options.telemetry?.meter,
  )
  const onKycChanged = createHookList<KycChangeHandler>()
  const kyc = createKycService({
    store,
    clock,
    logger,
    publish: async (userId, event) => {
      await events.publish(userId, event)
      if (event.type !== 'kyc.updated') return
      for (const handler of [...onKycChanged.handlers]) await handler(userId, event.kyc)
    },
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
    breakers,
    telemetry,
    webhooks: {
      onCoinflowWithdrawEvent: createHookList<CoinflowWebhookHandler>(),
      onPersonaWorkflowEvent: createHookList<PersonaWorkflowHandler>(),
      onPersonaEvent: createHookList<PersonaEventHandler>(),
    },
    onKycChanged,
    settings: {
      webhookToleranceSeconds: options.webhookToleranceSeconds ?? 300,
      webhookClock: options.webhookClock ?? systemClock,
      personaWebhookSecrets: asList(options.persona.webhookSecrets),
      coinflowWebhookKey: options.coinflow.webhookKey ?? null,
      heartbeatMs: options.events?.heartbeatMs ?? 15_000,
      maxBodyBytes: options.maxBodyBytes ?? 64 * 1024,
    },
  }
}
