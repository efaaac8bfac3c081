/**
 * The shapes the KYC journeys share: who they serve, the request they serve, the webhooks they
 * apply, and what a host configures.
 *
 * @module
 */
import type { ShareflowEvent } from '@shareflow/contract'
import type { Clock, Sleep } from '../clock'
import type { Logger } from '../logger'
import type { ShareflowStore } from '../store/types'
import type { CoinflowApi } from '../upstream/coinflow'
import type { PersonaApi } from '../upstream/persona'
import type { PersonaQueue, WorkRequest } from './work-queue'

/** The user as the KYC journeys need them (a subset of `ShareflowUser`). */
export interface KycUser {
  id: string
  email: string
  personaInquiryId?: string
}

/**
 * The request a KYC journey serves: its vendor clients (counted on the request's counter) and,
 * with `answerWithinMs`, how long it may still take before its user's work is kept in line.
 */
export interface KycRequest extends WorkRequest<PersonaApi> {
  coinflow: CoinflowApi
}

/** A Persona `inquiry.*` or `connect/share-token.*` webhook, verified and de-duplicated. */
export interface PersonaEvent {
  id: string
  name: string
  createdAt: string | null
  /** The event's `payload.data` resource. */
  resource: {
    type: string
    id: string
    attributes: Record<string, unknown>
    /** Its related objects, as `{ data: {type, id} | [...] }` (cases name their inquiries). */
    relationships?: Record<string, unknown>
  }
  /** What relation events are about (`account.added-relation`: the key and the related object). */
  context?: Record<string, unknown>
}

/** A Coinflow `KYC *` webhook, verified and de-duplicated. */
export interface CoinflowKycEvent {
  eventType: string
  created: string | null
  data: Record<string, unknown>
}

export interface KycServiceOptions {
  store: ShareflowStore
  clock: Clock
  logger: Logger
  publish(userId: string, event: ShareflowEvent): Promise<unknown>
  /** Coinflow merchant id; KYC webhooks name the user as `<merchantId>ʬ<userId>`. */
  merchantId: string
  personaTemplateId: string
  personaConnectionId: string
  recheckAfterMs?: number
  inquiryRedirectUri?: string
  shareTokenExpiresInSeconds?: number
  verificationRedirectUri?: string
  /** How long a second `POST /kyc/share` waits for the first before answering. Default 15 s. */
  shareWaitMs?: number
  /** An open inquiry older than this is not resumed; a new one starts. Default 30 days. */
  maxResumeAgeMs?: number
  /** Registration attempts when Coinflow does not answer (each checked first). Default 3. */
  registerAttempts?: number
  sleep?: Sleep
  /**
   * When set, a user's inquiry, share and re-check keep their place in Persona's queue: a request
   * that cannot be served before it must answer is answered early (a re-check with what the BFF
   * knows; an action with `upstream_unavailable` and a `Retry-After` from the queue), the work
   * carries on, and the user's retry joins it instead of queueing again (`work-queue.ts`).
   */
  personaQueue?: PersonaQueue<PersonaApi>
  /** How long a one-time link made while its user was away waits for their retry. Default 10 minutes. */
  keepResultMs?: number
}

/** The options with their defaults applied, as each journey reads them. */
export type KycSettings = Required<
  Omit<
    KycServiceOptions,
    'inquiryRedirectUri' | 'shareTokenExpiresInSeconds' | 'verificationRedirectUri' | 'personaQueue'
  >
> &
  Pick<
    KycServiceOptions,
    'inquiryRedirectUri' | 'shareTokenExpiresInSeconds' | 'verificationRedirectUri' | 'personaQueue'
  >
