/**
 * @module
 * The emulator's outgoing webhooks: a queue that POSTs each signed delivery, retries failures on
 * the vendor's schedule (compressed, and measured on the emulator clock), and applies the webhook
 * faults (drop, duplicate, reorder) from `world.faults`, so receivers are tested against the
 * messy delivery both vendors warn about.
 *
 * Nothing here schedules work: deliveries that are due go out when `deliver()` queues them or when
 * someone calls `runDue()` (the emulator's heartbeat, or the control endpoint after moving the
 * clock); `flush()` fast-forwards every retry for tests. The only timer is each attempt's own
 * deadline, cleared when the attempt ends.
 *
 * Memory stays flat however long the emulator runs: finished deliveries (delivered, failed,
 * dropped) beyond the newest `retainDeliveries` are forgotten; waiting ones are always kept.
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
  /**
   * Wall-clock milliseconds an attempt may take, answer and body included, before it is given up
   * (its request aborted) and counts as a failed attempt, retried on the schedule like a 5xx.
   * Default 5 000 (Coinflow's documented timeout).
   */
  attemptTimeoutMs?: number
  /**
   * Attempts in flight at once. Default 1: the receiver sees deliveries one at a time, in the
   * order they were raised (faults aside), which tests rely on. Real vendors deliver in parallel;
   * more keeps a busy emulator's queue from growing faster than a slow receiver answers.
   */
  concurrency?: number
  /**
   * How many finished deliveries (delivered, failed, dropped) `deliveries()` keeps, newest first;
   * older ones are forgotten. Deliveries still waiting for an attempt are always kept. Default 1 000.
   */
  retainDeliveries?: number
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
  /**
   * The deliveries kept (oldest first), with their attempts: every one still waiting, and the
   * newest `retainDeliveries` finished ones.
   */
  deliveries(): readonly WebhookDeliveryRecord[]
  /** How many finished deliveries were forgotten to keep memory flat. */
  forgotten(): number
  /** The emulator time of the next waiting attempt, or null when nothing waits. */
  nextDueAt(): number | null
  /** Forgets every delivery and queued attempt. */
  reset(): void
  /**
   * Stops for good: no further attempt starts and the one on its way is aborted, so nothing the
   * emulator sent outlives it. Deliveries still waiting stay as they are in `deliveries()`.
   */
  close(): void
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

const finished = (record: WebhookDeliveryRecord) =>
  record.state === 'delivered' || record.state === 'failed' || record.state === 'dropped'

export function createWebhookDispatcher({
  clock,
  random,
  faults,
  fetch: send = (input, init) => fetch(input, init),
  retryTimeScale = 0.001,
  attemptTimeoutMs = 5_000,
  concurrency = 1,
  retainDeliveries = 1_000,
}: WebhookDispatcherOptions): EmulatorWebhookDispatcher {
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError('concurrency must be a whole number of attempts, 1 or more')
  }
  if (!Number.isInteger(retainDeliveries) || retainDeliveries < 0) {
    throw new RangeError('retainDeliveries must be a whole number of deliveries, 0 or more')
  }
  let records: WebhookDeliveryRecord[] = []
  let queue: QueuedAttempt[] = []
  /** Deliveries the reorder fault holds until the next one is queued. */
  let heldBack: WebhookDeliveryRecord[] = []
  let sequence = 0
  let order = 0
  /** The drain under way and the horizon it drains to. */
  let running: { upTo: () => number; done: Promise<void> } | null = null
  /** Wakes a drain waiting on attempts in flight when new work is queued. */
  let wake: (() => void) | null = null
  let generation = 0
  /** Finished records still in `records`, and how many were forgotten. */
  let finishedKept = 0
  let forgottenCount = 0
  /** Set by close(): no attempt starts, and those on their way are given up. */
  let closed = false
  /** How to give up each attempt on its way, for close(). */
  const givingUp = new Set<(reason: unknown) => void>()

  const enqueue = (record: WebhookDeliveryRecord, dueAt: number) => {
    queue.push({ record, dueAt, order: order++ })
    wake?.()
  }

  /** Marks a delivery finished and forgets the oldest finished ones beyond `retainDeliveries`. */
  const finish = (record: WebhookDeliveryRecord, state: 'delivered' | 'failed' | 'dropped') => {
    record.state = state
    finishedKept++
    while (finishedKept > retainDeliveries) {
      // Oldest first; a delivery still waiting for a retry is skipped, never forgotten.
      const oldest = records.findIndex(finished)
      if (oldest === -1) break
      records.splice(oldest, 1)
      finishedKept--
      forgottenCount++
    }
  }

  /**
   * Rejects when the attempt's deadline passes or the dispatcher closes, aborting `controller`.
   * The deadline is a timer of our own that holds the controller, not `AbortSignal.timeout()`:
   * on Node 20 a timeout signal that a sender wraps in `AbortSignal.any()` is held only weakly and,
   * once garbage-collected, never fires, so a receiver that never answered held its delivery (and
   * the run) for good. Racing also ends an attempt whose sender ignores the signal.
   */
  const deadline = (controller: AbortController) => {
    let timer: ReturnType<typeof setTimeout> | undefined
    let give: (reason: unknown) => void = () => {}
    const expired = new Promise<never>((_, reject) => {
      give = (reason) => {
        controller.abort(reason)
        reject(reason)
      }
      timer = setTimeout(
        () => give(new DOMException('The receiver did not answer in time.', 'TimeoutError')),
        attemptTimeoutMs,
      )
      // On Node, an attempt's deadline alone must not keep a process alive.
      ;(timer as { unref?: () => void }).unref?.()
    })
    givingUp.add(give)
    // Nobody awaits it once the attempt ended first.
    expired.catch(() => undefined)
    return {
      expired,
      clear() {
        clearTimeout(timer)
        givingUp.delete(give)
      },
    }
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
    const controller = new AbortController()
    const limit = deadline(controller)
    try {
      const response = await Promise.race([
        send(record.delivery.url, {
          method: 'POST',
          headers,
          body: record.delivery.body,
          signal: controller.signal,
        }),
        limit.expired,
      ])
      result.status = response.status
      // Read the body to its end, within the same deadline, so a keep-alive connection goes back
      // to the pool; the status already decided the attempt.
      await Promise.race([response.arrayBuffer(), limit.expired]).catch(() => undefined)
    } catch (error) {
      result.error = error instanceof Error ? error.name : 'Error'
    } finally {
      limit.clear()
    }
    if (startedIn !== generation) return
    if (result.status !== null && result.status >= 200 && result.status < 300) {
      finish(record, 'delivered')
      return
    }
    const offsetSeconds = schedule[made]
    if (offsetSeconds === undefined) {
      finish(record, 'failed')
      return
    }
    record.state = 'retrying'
    const firstDueAt = record.attempts[0]!.dueAt
    enqueue(record, firstDueAt + Math.round(offsetSeconds * 1000 * retryTimeScale))
  }

  /**
   * Makes every attempt due by `upTo` (emulator ms), starting them in due order with at most
   * `concurrency` in flight, until nothing due is left; retries that fall due meanwhile included.
   */
  const drain = async (upTo: () => number, self: object) => {
    const due = () => (closed ? undefined : takeFirstDue(queue, upTo()))
    const active = new Set<Promise<void>>()
    for (;;) {
      for (let next = active.size < concurrency ? due() : undefined; next;) {
        const made: Promise<void> = attempt(next).finally(() => active.delete(made))
        active.add(made)
        next = active.size < concurrency ? due() : undefined
      }
      if (active.size === 0) {
        // Cleared in the same step as the last look at the queue, so a caller arriving after
        // it starts a drain of its own rather than sharing one that has already ended.
        if (running === self) running = null
        return
      }
      await Promise.race([...active, new Promise<void>((resolve) => (wake = resolve))])
      wake = null
    }
  }

  const untilNow = () => clock.now()
  const untilEnd = () => Number.POSITIVE_INFINITY

  /**
   * One drain at a time. A caller asking for the horizon of the drain under way shares it (it
   * picks up whatever falls due while it runs), so a heartbeat never stacks up drains; another
   * horizon runs after it.
   */
  const run = (upTo: () => number): Promise<void> => {
    if (running?.upTo === upTo) return running.done
    const after = running?.done ?? Promise.resolve()
    const current = { upTo, done: Promise.resolve() }
    current.done = after
      .then(() => drain(upTo, current))
      .finally(() => {
        if (running === current) running = null
      })
    running = current
    return current.done
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
        finish(record, 'dropped')
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
      void run(untilNow)
    },
    runDue: () => run(untilNow),
    async flush() {
      releaseHeldBack()
      // Retries are fast-forwarded: their `dueAt` keeps the schedule, the clock does not move.
      while ((queue.length > 0 && !closed) || running) await run(untilEnd)
    },
    deliveries: () => records,
    forgotten: () => forgottenCount,
    nextDueAt: () => (queue.length === 0 ? null : Math.min(...queue.map((entry) => entry.dueAt))),
    reset() {
      generation++
      records = []
      queue = []
      heldBack = []
      finishedKept = 0
      forgottenCount = 0
    },
    close() {
      closed = true
      for (const give of [...givingUp]) give(new DOMException('The emulator closed.', 'AbortError'))
    },
  }
}
