/**
 * @module
 * The emulator's outgoing webhooks: a queue that POSTs each signed delivery, retries failures on
 * the vendor's schedule (compressed, and measured on the emulator clock), and applies the webhook
 * faults (drop, duplicate, reorder) from `world.faults`, so receivers are tested against the
 * messy delivery both vendors warn about.
 *
 * Nothing here starts a timer: deliveries that are due go out when `deliver()` queues them or when
 * someone calls `runDue()` (the emulator's heartbeat, or the control endpoint after moving the
 * clock); `flush()` fast-forwards every retry for tests.
 */
import { takeFirstDue } from './due'
import type {
  EmulatorClock,
  FaultSettings,
  Vendor,
  WebhookDelivery,
  WebhookDispatcher,
} from './world'

/**
 * When each attempt is due, in seconds after the first. Persona documents 5 attempts at 0, 3, 18,
 * 83 and 258 s; Coinflow documents "retried until a 200 or for 36 h", so its schedule is ours,
 * ending at 36 h.
 */
export const retrySchedules: Record<Vendor, readonly number[]> = {
  persona: [0, 3, 18, 83, 258],
  coinflow: [0, 60, 300, 1_800, 7_200, 21_600, 64_800, 129_600],
}

export interface WebhookDispatcherOptions {
  clock: EmulatorClock
  random: () => number
  /** Read on every delivery, so the control endpoint can flip faults at run time. */
  faults: (vendor: Vendor) => FaultSettings
  /** Sends one attempt. Defaults to the global fetch. */
  fetch?: typeof fetch
  /**
   * Scales the vendor schedules; 1 is the real schedule. The default 0.001 turns Persona's 258 s
   * into 258 ms of emulator time, so a whole retry run fits inside a test.
   */
  retryTimeScale?: number
  /** Wall-clock milliseconds an attempt may take before it counts as failed (Coinflow: 5 s). */
  attemptTimeoutMs?: number
}

export interface WebhookAttempt {
  /** When this attempt was due on the emulator clock (ms). */
  dueAt: number
  /** When it was actually made on the emulator clock (ms). */
  attemptedAt: number
  /** The receiver's HTTP status, or null when the request itself failed. */
  status: number | null
  error: string | null
}

export type WebhookDeliveryState = 'queued' | 'retrying' | 'delivered' | 'failed' | 'dropped'

export interface WebhookDeliveryRecord {
  /** Emulator-local sequence number, in the order the vendor raised the deliveries. */
  sequence: number
  vendor: Vendor
  url: string
  /** The event the body carries (`data.id` for Persona, `eventType` for Coinflow), when readable. */
  event: string | null
  state: WebhookDeliveryState
  /** Set on the extra copy the duplicate fault adds, pointing at the original's sequence. */
  duplicateOf: number | null
  /** True when the reorder fault held this delivery back behind the next one. */
  heldBack: boolean
  attempts: WebhookAttempt[]
  /** The signed request, exactly as sent. */
  delivery: WebhookDelivery
}

export interface EmulatorWebhookDispatcher extends WebhookDispatcher {
  /** Makes every attempt that is due on the emulator clock; resolves when they are done. */
  runDue(): Promise<void>
  /** Every delivery raised so far (oldest first), with its attempts. */
  deliveries(): readonly WebhookDeliveryRecord[]
  /** The emulator time of the next waiting attempt, or null when nothing waits. */
  nextDueAt(): number | null
  /** Forgets every delivery and queued attempt. */
  reset(): void
}

interface QueuedAttempt {
  record: WebhookDeliveryRecord
  dueAt: number
  order: number
}

function eventOf(delivery: WebhookDelivery): string | null {
  try {
    const body = JSON.parse(delivery.body) as {
      data?: { id?: unknown; attributes?: { name?: unknown } }
      eventType?: unknown
    }
    if (typeof body.data?.id === 'string') {
      const name = body.data.attributes?.name
      return typeof name === 'string' ? `${name} ${body.data.id}` : body.data.id
    }
    if (typeof body.eventType === 'string') return body.eventType
  } catch {
    // Not JSON: still deliverable, just not labelled.
  }
  return null
}

/** A fault fires with probability `rate`; a zero rate draws nothing, so runs without faults repeat. */
function rolls(random: () => number, rate: number): boolean {
  return rate > 0 && random() < rate
}

export function createWebhookDispatcher({
  clock,
  random,
  faults,
  fetch: send = (input, init) => fetch(input, init),
  retryTimeScale = 0.001,
  attemptTimeoutMs = 5_000,
}: WebhookDispatcherOptions): EmulatorWebhookDispatcher {
  let records: WebhookDeliveryRecord[] = []
  let queue: QueuedAttempt[] = []
  /** Deliveries the reorder fault holds until the next one is queued. */
  let heldBack: WebhookDeliveryRecord[] = []
  let sequence = 0
  let order = 0
  let running: Promise<void> | null = null
  let generation = 0

  const enqueue = (record: WebhookDeliveryRecord, dueAt: number) => {
    queue.push({ record, dueAt, order: order++ })
  }

  const attempt = async ({ record, dueAt }: QueuedAttempt) => {
    const schedule = retrySchedules[record.vendor]
    const made = record.attempts.length + 1
    const firstAttemptedAt = record.attempts[0]?.attemptedAt ?? clock.now()
    const headers: Record<string, string> = { ...record.delivery.headers }
    if (record.vendor === 'persona') {
      headers['Persona-Webhook-Attempts-Made'] = String(made)
      headers['Persona-Webhook-Attempts-Left'] = String(schedule.length - made)
      headers['Persona-Webhook-First-Attempted-At'] = String(Math.floor(firstAttemptedAt / 1000))
    }
    const result: WebhookAttempt = { dueAt, attemptedAt: clock.now(), status: null, error: null }
    record.attempts.push(result)
    const startedIn = generation
    try {
      const response = await send(record.delivery.url, {
        method: 'POST',
        headers,
        body: record.delivery.body,
        signal: AbortSignal.timeout(attemptTimeoutMs),
      })
      result.status = response.status
      // Drain the body so keep-alive connections are released.
      await response.arrayBuffer().catch(() => undefined)
    } catch (error) {
      result.error = error instanceof Error ? error.name : 'Error'
    }
    if (startedIn !== generation) return
    if (result.status !== null && result.status >= 200 && result.status < 300) {
      record.state = 'delivered'
      return
    }
    const offsetSeconds = schedule[made]
    if (offsetSeconds === undefined) {
      record.state = 'failed'
      return
    }
    record.state = 'retrying'
    const firstDueAt = record.attempts[0]!.dueAt
    enqueue(record, firstDueAt + Math.round(offsetSeconds * 1000 * retryTimeScale))
  }

  /** Attempts due by `upTo` (emulator ms), one at a time so the receiver sees the vendor's order. */
  const drain = async (upTo: () => number) => {
    for (let next = takeFirstDue(queue, upTo()); next; next = takeFirstDue(queue, upTo()))
      await attempt(next)
  }

  /** Runs one drain after any drain already under way, so attempts never overlap. */
  const run = (upTo: () => number): Promise<void> => {
    const current: Promise<void> = (running ?? Promise.resolve())
      .then(() => drain(upTo))
      .finally(() => {
        if (running === current) running = null
      })
    running = current
    return current
  }

  const releaseHeldBack = () => {
    for (const record of heldBack) enqueue(record, clock.now())
    heldBack = []
  }

  return {
    deliver(delivery) {
      const settings = faults(delivery.vendor)
      const record: WebhookDeliveryRecord = {
        sequence: sequence++,
        vendor: delivery.vendor,
        url: delivery.url,
        event: eventOf(delivery),
        state: 'queued',
        duplicateOf: null,
        heldBack: false,
        attempts: [],
        delivery,
      }
      records.push(record)
      if (rolls(random, settings.webhookDropRate)) {
        record.state = 'dropped'
        return
      }
      const copies = [record]
      if (rolls(random, settings.webhookDuplicateRate)) {
        const copy: WebhookDeliveryRecord = {
          ...record,
          sequence: sequence++,
          duplicateOf: record.sequence,
          attempts: [],
        }
        records.push(copy)
        copies.push(copy)
      }
      const holdBack = rolls(random, settings.webhookReorderRate)
      const released = heldBack
      heldBack = []
      if (holdBack) {
        for (const copy of copies) copy.heldBack = true
        heldBack.push(...copies)
      } else {
        for (const copy of copies) enqueue(copy, clock.now())
      }
      // What an earlier reorder held back now goes out after this one.
      for (const late of released) enqueue(late, clock.now())
      void run(() => clock.now())
    },
    runDue: () => run(() => clock.now()),
    async flush() {
      releaseHeldBack()
      // Retries are fast-forwarded: their `dueAt` keeps the schedule, the clock does not move.
      while (queue.length > 0 || running) await run(() => Number.POSITIVE_INFINITY)
    },
    deliveries: () => records,
    nextDueAt: () => (queue.length === 0 ? null : Math.min(...queue.map((entry) => entry.dueAt))),
    reset() {
      generation++
      records = []
      queue = []
      heldBack = []
    },
  }
}
