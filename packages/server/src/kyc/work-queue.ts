/**
 * How a user's KYC work keeps its place in Persona's queue (the rate budget,
 * `upstream/rate-budget.ts`) when a burst makes that queue longer than a request may wait. The
 * whole policy, in two halves:
 *
 * - **A request's own calls leave with it** (`personaCallsLeftBehind`): once the browser has its
 *   answer (a timeout's 503 included) or has gone away, nobody waits for the Persona calls still
 *   queued for that request, so they leave the queue unsent instead of spending budget a user's
 *   retry needs.
 * - **A user's work stays in line** (`createWorkQueue`): the re-check, share and inquiry run on
 *   calls of their own that no departing request cancels. A request that must answer before the
 *   queue reaches its work answers early (when to come back, from the queue's own estimate); the
 *   work carries on, and the user's retry joins it instead of queueing again. One queue per
 *   operation, keyed by user id, so one user's re-check never waits on their share.
 *
 * @module
 */
import type { Clock } from '../clock'
import { ApiError } from '../errors'
import { createCallCounter, type UpstreamCallCounter } from '../upstream/http'

/**
 * Persona's shared queue as the work queue needs it: `withCalls(counter)` without a signal gives
 * a client whose calls no departing request cancels.
 */
export interface PersonaQueue<Client> {
  withCalls(counter: UpstreamCallCounter): Client
  /** How long a Persona call asked for now would wait for the budget, ms. */
  waitEstimateMs(): number
}

/** The request a run serves. */
export interface WorkRequest<Client> {
  /** The request's own Persona client: used when the work runs inside the request. */
  persona: Client
  /**
   * Real milliseconds the request may still take (`timeLeftMs`). Without it the work runs inside
   * the request, on the request's own client.
   */
  answerWithinMs?: number
  /** The request's counter, so Persona calls made for it are counted even when kept in line. */
  calls?: UpstreamCallCounter
}

export interface WorkQueueOptions<T, Client> {
  clock: Clock
  /** Without it, every run is inside its request, on the request's own client. */
  personaQueue: PersonaQueue<Client> | undefined
  /** The Persona calls one run makes at most, for the `Retry-After` of an early answer. */
  personaCalls: number
  /**
   * Keep an outcome nobody was there to hear (the request answered early and no retry came yet)
   * this long for the user's retry, ms: for work whose result cannot be found again in the
   * record, such as a one-time link. Unset: a later request starts afresh from what the work
   * recorded.
   */
  keepUnheardMs?: number
  /** What a request answers while its user's work is still in line. */
  answerInLine(userId: string, retryAfterSeconds: number): Promise<T>
}

export interface WorkQueue<T, Client> {
  /**
   * Runs `work` for `userId`, or joins the user's work already in line, or hands over the outcome
   * kept for them. `work` gets the Persona client to call: the queue's own when the work may
   * outlive the request, else the request's.
   */
  run(
    userId: string,
    request: WorkRequest<Client>,
    work: (persona: Client) => Promise<T>,
  ): Promise<T>
  /** The outcome of the user's work in line or kept, if there is any (may reject). */
  inLine(userId: string): Promise<T> | undefined
}

/** A user's work in line, and its outcome once settled. */
interface Entry<T> {
  result: Promise<T>
  /** Persona calls the work has made so far. */
  progress: { made: number }
  /** When the work settled. */
  settledAt?: number
  /** Whether the request that waited for it answered early, so nobody has heard the outcome. */
  unheard: boolean
}

/** @example const rechecks = createWorkQueue<KycStatus, PersonaApi>({ clock, personaQueue, personaCalls: 1, answerInLine }) */
export function createWorkQueue<T, Client>({
  clock,
  personaQueue,
  personaCalls,
  keepUnheardMs,
  answerInLine,
}: WorkQueueOptions<T, Client>): WorkQueue<T, Client> {
  const entries = new Map<string, Entry<T>>()

  const forgetStale = () => {
    if (keepUnheardMs === undefined) return
    const now = clock.now()
    for (const [userId, entry] of entries) {
      if (entry.settledAt !== undefined && now - entry.settledAt > keepUnheardMs) {
        entries.delete(userId)
      }
    }
  }

  function start(
    queue: PersonaQueue<Client>,
    userId: string,
    request: WorkRequest<Client>,
    work: (persona: Client) => Promise<T>,
  ) {
    const counted = request.calls ?? createCallCounter()
    const progress = { made: 0 }
    const persona = queue.withCalls({
      record(call) {
        if (!call.coalesced) progress.made++
        counted.record(call)
      },
    })
    const entry: Entry<T> = { result: work(persona), progress, unheard: false }
    const settle = () => {
      entry.settledAt = clock.now()
      // Heard by the request that started it (or a retry): nothing to keep.
      const keep = keepUnheardMs !== undefined && entry.unheard
      if (!keep && entries.get(userId) === entry) entries.delete(userId)
    }
    entry.result.then(settle, settle)
    entries.set(userId, entry)
    return entry
  }

  return {
    async run(userId, request, work) {
      const within = request.answerWithinMs
      if (!personaQueue || within === undefined) return work(request.persona)
      forgetStale()
      const found = entries.get(userId)
      if (found?.settledAt !== undefined) {
        // A retry collecting what the work found while its user was away.
        entries.delete(userId)
        return found.result
      }
      const entry = found ?? start(personaQueue, userId, request, work)
      // Below the request's ceiling, so this answer reaches the browser before the ceiling's own.
      const windowMs = Math.floor(within * 0.9)
      // Each call the work still has to make joins the back of the queue once the one before is
      // done: the user comes back after one queue's length for the call in line and two for each
      // later one, as the queue a later call joins grows while a burst is still arriving (a late
      // return costs the user a little time; an early one, another 503 and another request).
      const retryAfterSeconds = () => {
        const left = Math.max(1, personaCalls - entry.progress.made)
        const queueMs = personaQueue.waitEstimateMs()
        return Math.max(1, Math.ceil((queueMs * (1 + 2 * (left - 1))) / 1000))
      }
      // A retry joining work already in line waits its window: the work's own call is somewhere
      // ahead in the queue, so the newcomer's estimate says nothing about it.
      const answerNow = found === undefined && personaQueue.waitEstimateMs() > windowMs
      let timer: ReturnType<typeof setTimeout> | undefined
      const outcome = await Promise.race([
        entry.result.then(
          (value) => ({ done: true as const, value }),
          (error: unknown) => ({ done: true as const, error }),
        ),
        new Promise<{ done: false }>((resolve) => {
          // Real time, like the ceiling: the queue is longer than the request may wait, so the
          // user hears when to come back now rather than after waiting for nothing.
          timer = setTimeout(() => resolve({ done: false }), answerNow ? 0 : windowMs)
        }),
      ])
      clearTimeout(timer)
      if (!outcome.done) {
        entry.unheard = true
        return answerInLine(userId, retryAfterSeconds())
      }
      entry.unheard = false
      if (entries.get(userId) === entry) entries.delete(userId)
      if ('error' in outcome) throw outcome.error
      return outcome.value
    },

    inLine: (userId) => entries.get(userId)?.result,
  }
}

/** The error a request answers with while its user's work waits in Persona's queue. */
export const comeBackLater = (retryAfterSeconds: number) =>
  new ApiError(
    'upstream_unavailable',
    'Many people are verifying right now. Your place is kept; please try again in a moment.',
    {
      retryAfterSeconds,
      cause: new Error(`kept in Persona's queue; retry in about ${retryAfterSeconds} s`),
    },
  )

/**
 * The signal a request's queued Persona calls leave on, and the function that fires it. Built at
 * the request's first Persona call: most requests (a verified user's session, quotes, payouts)
 * make none. A handler still running when it fires fails with its error, which only reaches the
 * log.
 */
export function personaCallsLeftBehind(request: Request) {
  let controller: AbortController | undefined
  let reason: string | undefined
  const giveUp = (why: string) =>
    controller?.abort(
      new ApiError(
        'upstream_unavailable',
        'This is taking longer than it should. Nothing was lost; please try again in a moment.',
        { cause: new Error(`${why}; queued Persona calls not sent`) },
      ),
    )
  const clientGone = () => giveUp('client went away')
  return {
    signal(): AbortSignal {
      if (!controller) {
        controller = new AbortController()
        if (reason !== undefined) giveUp(reason)
        else if (request.signal.aborted) clientGone()
        else request.signal.addEventListener('abort', clientGone, { once: true })
      }
      return controller.signal
    },
    /** The request is answered: calls still queued for it leave. */
    answered() {
      if (controller) request.signal.removeEventListener('abort', clientGone)
      // On the next turn, after Hono has handed the answer over: a handler failing sooner
      // would still replace a timeout's 503 with its own error.
      setTimeout(() => {
        reason = 'request answered'
        giveUp(reason)
      }, 0)
    },
  }
}
