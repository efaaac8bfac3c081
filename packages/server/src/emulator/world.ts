/**
 * The one in-memory world both emulated vendors share. Persona's share tokens are redeemed by the
 * Coinflow side through `world.personaConnect`, exactly as Coinflow's Persona org redeems a real
 * token; time, ids and randomness come from here so tests are deterministic.
 *
 * Web Standards only: the emulator also runs inside a browser (Storybook).
 */

/** Milliseconds since the epoch. Tests pass a clock they can move. */
export interface EmulatorClock {
  now(): number
}

/** A clock tests can set and advance. */
export function createManualClock(start = Date.UTC(2026, 10, 22, 12)): EmulatorClock & {
  set(ms: number): void
  advance(ms: number): void
} {
  let current = start
  return {
    now: () => current,
    set: (ms) => {
      current = ms
    },
    advance: (ms) => {
      current += ms
    },
  }
}

export const systemClock: EmulatorClock = { now: () => Date.now() }

/** A small seeded PRNG (mulberry32), so ids and fault rolls repeat for the same seed. */
export function createRandom(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * A seed of its own for an emulator given none, so two emulators (two processes, two tests) never
 * report the same environment, organization or request ids, as two Persona environments never do.
 */
export const randomSeed = (): number => crypto.getRandomValues(new Uint32Array(1))[0]!

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'

/** Vendor-style ids: a prefix plus 24 alphanumerics (`inq_5FrMN7NAGgFdGGysCDd7DaBW`). */
export function createIds(random: () => number): { next(prefix: string): string } {
  return {
    next(prefix) {
      let body = ''
      for (let i = 0; i < 24; i++) body += ALPHABET[Math.floor(random() * ALPHABET.length)]
      return `${prefix}_${body}`
    },
  }
}

/** Faults on demand, per vendor. Rates are probabilities in [0, 1]. */
export interface FaultSettings {
  /** Added to every API response. */
  latencyMs: number
  /** Share of API requests answered 503 in the vendor's error shape. */
  errorRate: number
  /** Share of API requests that never answer (the connection hangs until the client gives up). */
  timeoutRate: number
  /** Share of API requests answered 429 regardless of the real rate budget. */
  rateLimitRate: number
  /** Webhook deliveries: dropped, sent twice, or held back and sent after the next one. */
  webhookDropRate: number
  webhookDuplicateRate: number
  webhookReorderRate: number
}

export const noFaults: FaultSettings = {
  latencyMs: 0,
  errorRate: 0,
  timeoutRate: 0,
  rateLimitRate: 0,
  webhookDropRate: 0,
  webhookDuplicateRate: 0,
  webhookReorderRate: 0,
}

/** What Coinflow learns when it redeems a Persona share token: the shared inquiry's identity. */
export interface SharedIdentity {
  inquiryId: string
  /** Persona inquiry status at redemption (`completed` or `approved` are the only usable ones). */
  inquiryStatus: string
  referenceId: string | null
  email: string | null
  nameFirst: string | null
  nameLast: string | null
  birthdate: string | null
  addressStreet1: string | null
  addressCity: string | null
  addressSubdivision: string | null
  addressPostalCode: string | null
  /** ISO 3166-1 alpha-2. */
  addressCountryCode: string | null
  /** Last four of the identification number (US SSN), if collected. */
  identificationNumberLast4: string | null
}

export type ShareTokenRedemption =
  | { ok: true; identity: SharedIdentity }
  | { ok: false; reason: 'not_found' | 'expired' | 'already_redeemed' | 'wrong_connection' }

/** A shared identity field (`SharedIdentity` less the inquiry's own facts). */
export type SharedField = Exclude<
  keyof SharedIdentity,
  'inquiryId' | 'inquiryStatus' | 'referenceId'
>

/**
 * The destination organization's inquiry template a redemption runs. Persona's Connect guide:
 * redeeming runs the destination inquiry against the destination's requirements, and one whose
 * template needs a field the share lacks stays `created`/`pending`, waiting for the person.
 */
export interface DestinationTemplate {
  /** Fields the template needs; a source without one leaves the token `pending` for good. */
  requiredFields: readonly SharedField[]
  /**
   * Emulator-clock ms the template's checks take before the token is `redeemed`. Default: the
   * Persona emulator's `redeemDelayMs`.
   */
  runMs?: number
}

/** Persona Connect as seen from the destination org (Coinflow). */
export interface PersonaConnect {
  /**
   * Redeems share token `cnst_…` for connection `cxn_…` into an inquiry of `destination`'s
   * template. Moves the token to `pending` and, once the template's checks have run on the
   * emulator clock, to `redeemed` (or `failed`; or it stays `pending` when the source lacks a
   * field the template needs), signing Persona's `connect/share-token.*` webhooks as it goes.
   */
  redeemShareToken(
    tokenId: string,
    connectionId: string,
    destination?: DestinationTemplate,
  ): Promise<ShareTokenRedemption>
}

/** One outgoing webhook delivery, already signed by the vendor side that raised it. */
export interface WebhookDelivery {
  vendor: 'persona' | 'coinflow'
  url: string
  /** The exact bytes sent (the signature covers them). */
  body: string
  headers: Record<string, string>
}

/**
 * Sends vendor webhooks to configured URLs with the vendor's retry behaviour, applying the
 * webhook faults (drop, duplicate, reorder). Implemented in `webhooks.ts`.
 */
export interface WebhookDispatcher {
  /** Queues a delivery; returns at once (vendors never wait on the receiver). */
  deliver(delivery: WebhookDelivery): void
  /** Resolves when every queued delivery (and retry) has been attempted; for tests. */
  flush(): Promise<void>
}

export type Vendor = 'persona' | 'coinflow'

/** The state both emulated vendors share. */
export interface EmulatorWorld {
  /** What ids and fault rolls are drawn from: the `seed` option, or one drawn at random. */
  seed: number
  clock: EmulatorClock
  random: () => number
  ids: { next(prefix: string): string }
  /** Live, mutable fault switches per vendor (the control endpoint edits these). */
  faults: Record<Vendor, FaultSettings>
  webhooks: WebhookDispatcher
  /** Set by the Persona emulator; the Coinflow emulator redeems share tokens through it. */
  personaConnect: PersonaConnect
}
