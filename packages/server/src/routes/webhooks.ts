/**
 * `POST /webhooks/persona` and `POST /webhooks/coinflow`. Each delivery is checked on its raw
 * bytes before anything is parsed (signature in constant time, timestamp within tolerance),
 * claimed once by its event id so duplicates and replays change nothing, applied with a few
 * store writes, and answered at once. A delivery the BFF fails to apply releases its claim and
 * answers 500, so the vendor's retry gets another chance.
 *
 * Coinflow deliveries carry no event id; the SHA-256 of the raw body stands in for one. They are
 * authenticated by `Coinflow-Signature` when present (HMAC with the validation key, timestamp
 * checked), otherwise by the validation key itself in `Authorization`, compared in constant time.
 *
 * @module
 */
import { routes } from '@shareflow/contract'
import type { Context, Hono } from 'hono'
import { z } from 'zod'
import { sha256Hex } from '../digest'
import { ApiError, parseJsonText } from '../errors'
import type { WebhookReceipt } from '../openapi'
import type { ShareflowEnv } from '../request-context'
import type { PersonaWorkflowEvent, PersonaWorkflowHandler } from '../services'
import type { Vendor } from '../upstream/http'
import { timingSafeEqual, verifyWebhookSignature } from '../webhooks/signature'

const DEDUPE_TTL_MS = 7 * 86_400_000
/**
 * How long a delivery being applied holds its claim. Short, so that if this instance dies in the
 * middle, the vendor's retry is applied instead of being taken for a duplicate for a week.
 */
const APPLY_LEASE_MS = 60_000

const PersonaDelivery = z.object({
  data: z.object({
    type: z.literal('event'),
    id: z.string().min(1).max(128),
    attributes: z.object({
      name: z.string().min(1).max(128),
      'created-at': z.string().nullish(),
      payload: z.object({
        data: z.object({
          type: z.string(),
          id: z.string().min(1).max(128),
          attributes: z.record(z.string(), z.unknown()).default({}),
          relationships: z.record(z.string(), z.unknown()).optional(),
        }),
      }),
      context: z.record(z.string(), z.unknown()).nullish(),
    }),
  }),
})

const CoinflowDelivery = z.object({
  eventType: z.string().min(1).max(128),
  category: z.string().max(64),
  created: z.string().max(64).nullish(),
  data: z.record(z.string(), z.unknown()),
})

const refusal = () => new ApiError('forbidden', 'This webhook delivery could not be verified.')

/** Refuses a delivery that failed verification, counting it against its sender's address. */
async function refused(c: Context<ShareflowEnv>, vendor: Vendor, reason: string): Promise<never> {
  c.get('logger').warn(`${vendor} webhook refused`, { reason })
  c.get('shareflow').telemetry.webhook(vendor, 'refused')
  await c.get('webhookBudget')?.refused()
  throw refusal()
}

/** A verified delivery, counted in its vendor's own budget (it throws `rate_limited` past it). */
const verified = (c: Context<ShareflowEnv>) => c.get('webhookBudget')?.verified()

/**
 * Runs `apply` once per `claimKey`: a duplicate is acknowledged without effect; a failure
 * releases the claim (so the vendor's retry is applied) and rethrows; a crash lets it lapse.
 */
async function once(
  c: Context<ShareflowEnv>,
  vendor: Vendor,
  claimKey: string,
  apply: () => Promise<string>,
): Promise<Response> {
  const { store, telemetry } = c.get('shareflow')
  if (!(await store.setIfAbsent(claimKey, 'applying', { ttlMs: APPLY_LEASE_MS }))) {
    c.get('logger').info('webhook duplicate ignored', { claimKey })
    telemetry.webhook(vendor, 'duplicate')
    return c.json({ received: true, duplicate: true } satisfies WebhookReceipt)
  }
  try {
    const outcome = await apply()
    await store.set(claimKey, 'applied', { ttlMs: DEDUPE_TTL_MS })
    c.get('logger').info('webhook applied', { claimKey, outcome })
    telemetry.webhook(vendor, 'applied')
    return c.json({ received: true } satisfies WebhookReceipt)
  } catch (error) {
    telemetry.webhook(vendor, 'failed')
    await store.compareAndDelete(claimKey, 'applying')
    throw error
  }
}

/** A transaction workflow's events (KYB), which the KYB module follows, not the KYC service. */
const isWorkflowEvent = (name: string) =>
  name.startsWith('transaction.') || name.startsWith('verification.') || name.startsWith('report/')

async function applyWorkflowEvent(
  handlers: readonly PersonaWorkflowHandler[],
  event: PersonaWorkflowEvent,
): Promise<'applied' | 'ignored'> {
  let applied = false
  for (const handler of [...handlers]) applied = (await handler(event)) === 'applied' || applied
  return applied ? 'applied' : 'ignored'
}

export function registerWebhookRoutes(app: Hono<ShareflowEnv>): void {
  app.post(routes.webhooksPersona, async (c) => {
    const { settings, kyc, webhooks } = c.get('shareflow')
    if (settings.personaWebhookSecrets.length === 0) {
      throw new ApiError('not_found', 'There is nothing here.')
    }
    const raw = await c.req.text()
    const signature = await verifyWebhookSignature({
      payload: raw,
      header: c.req.header('Persona-Signature'),
      secret: settings.personaWebhookSecrets,
      toleranceSeconds: settings.webhookToleranceSeconds,
      now: Math.floor(settings.webhookClock.now() / 1000),
    })
    if (!signature.ok) await refused(c, 'persona', signature.reason)
    await verified(c)
    const { data } = parseJsonText(raw, PersonaDelivery)
    const event = {
      id: data.id,
      name: data.attributes.name,
      createdAt: data.attributes['created-at'] ?? null,
      resource: data.attributes.payload.data,
      ...(data.attributes.context ? { context: data.attributes.context } : {}),
    }
    return once(c, 'persona', `webhook:persona:${data.id}`, async () => {
      const outcome = isWorkflowEvent(event.name)
        ? await applyWorkflowEvent(webhooks.onPersonaWorkflowEvent.handlers, event)
        : await kyc.applyPersonaEvent(event)
      // Every event, whatever it is about, reaches the handlers (the ops module, the host's).
      for (const handler of [...webhooks.onPersonaEvent.handlers]) await handler(event)
      return outcome
    })
  })

  app.post(routes.webhooksCoinflow, async (c) => {
    const { settings, kyc, webhooks, logger } = c.get('shareflow')
    const key = settings.coinflowWebhookKey
    if (!key) throw new ApiError('not_found', 'There is nothing here.')
    const raw = await c.req.text()
    const header = c.req.header('Coinflow-Signature')
    if (header !== undefined) {
      const signature = await verifyWebhookSignature({
        payload: raw,
        header,
        secret: key,
        toleranceSeconds: settings.webhookToleranceSeconds,
        now: Math.floor(settings.webhookClock.now() / 1000),
      })
      if (!signature.ok) await refused(c, 'coinflow', signature.reason)
    } else {
      const authorization = c.req.header('Authorization')
      if (!authorization || !timingSafeEqual(authorization, key)) {
        await refused(c, 'coinflow', 'bad_authorization')
      }
    }
    await verified(c)
    const event = parseJsonText(raw, CoinflowDelivery)
    return once(c, 'coinflow', `webhook:coinflow:${await sha256Hex(raw)}`, async () => {
      const delivered = {
        eventType: event.eventType,
        category: event.category,
        created: event.created ?? null,
        data: event.data,
      }
      if (event.category === 'KYC' || event.eventType.startsWith('KYC ')) {
        return kyc.applyCoinflowKycEvent(delivered)
      }
      if (event.eventType.startsWith('Withdraw ')) {
        const handlers = webhooks.onCoinflowWithdrawEvent.handlers
        if (handlers.length === 0) {
          logger.warn('coinflow withdraw webhook with no handler', { eventType: event.eventType })
          return 'ignored'
        }
        for (const handler of [...handlers]) {
          await handler({ ...delivered, created: delivered.created ?? '' })
        }
        return 'applied'
      }
      return 'ignored'
    })
  })
}
