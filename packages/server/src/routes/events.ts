/**
 * `GET /events`: the signed-in user's Server-Sent Events stream, fed by the event hub
 * (`event-hub.ts`).
 *
 * When the client reconnects with `Last-Event-ID` it gets what it missed from the hub's log; when
 * that id is unknown (too old, or the log expired) the stream starts with a snapshot of the
 * current KYC state instead: the state is the truth, events are only news of it.
 *
 * Open streams are capped per user and per instance (`events.maxStreamsPerUser`, default 8;
 * `events.maxStreams`, default 2 000): past either, the stream is refused in the envelope with
 * `Retry-After` (`429 rate_limited` for the user's, `503 upstream_unavailable` for the
 * instance's, so a load balancer may try another instance). The kit polls meanwhile.
 *
 * When the instance drains (`lifecycle.ts`), each stream gets `retry: 1000` and ends, so its page
 * reconnects within a second, through the load balancer, to an instance that is staying.
 *
 * @module
 */
import { type KycStatus, type ShareflowEvent } from '@shareflow/contract'
import type { Hono } from 'hono'
import { streamSSE } from 'hono/streaming'
import { ApiError } from '../errors'
import type { EventEntry } from '../event-hub'
import { shutdownSignal } from '../lifecycle'
import type { ShareflowEnv } from '../request-context'
import { requireUser } from '../user'

export interface EventsRouteOptions {
  /** Comment lines keep proxies from closing an idle stream. Default 15 000 ms. */
  heartbeatMs: number
  /** The user's current KYC status, from the store only (no vendor calls). */
  currentKyc(userId: string): Promise<KycStatus>
  /** Open streams one user may hold on this instance. */
  maxStreamsPerUser: number
  /** Open streams this instance holds, all users together. */
  maxStreams: number
}

/** Defaults of `events.maxStreamsPerUser` and `events.maxStreams` (`options.ts`). */
export const defaultStreamCaps = { maxStreamsPerUser: 8, maxStreams: 2_000 } as const

/** The `retry:` a draining instance gives its streams: reconnect (elsewhere) within a second. */
const RECONNECT_AFTER_SHUTDOWN_MS = 1_000

/** When a refused stream is worth trying again: a closed tab's stream ends within seconds. */
const STREAM_RETRY_AFTER_SECONDS = 10

const refusal = (code: 'rate_limited' | 'upstream_unavailable', message: string, why: string) =>
  new ApiError(code, message, {
    retryAfterSeconds: STREAM_RETRY_AFTER_SECONDS,
    cause: new Error(why),
  })

const isNewer = (id: string, than: string | null) => than === null || Number(id) > Number(than)

/**
 * The open streams of this instance, per user and in all. An open stream is a socket, a store
 * subscription and tens of kilobytes held for as long as the page stays open, and only its
 * opening request ever passed the rate limits; so each is counted while it lasts.
 */
function createStreamSlots({ maxStreamsPerUser, maxStreams }: EventsRouteOptions) {
  for (const [name, value] of Object.entries({ maxStreamsPerUser, maxStreams })) {
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new RangeError(`events.${name} must be a positive whole number; got ${value}`)
    }
  }
  const perUser = new Map<string, number>()
  let total = 0
  return {
    /** Counts a stream for `userId`, or refuses it; the returned release runs once. */
    take(userId: string): () => void {
      const held = perUser.get(userId) ?? 0
      if (held >= maxStreamsPerUser) {
        throw refusal(
          'rate_limited',
          'Too many live connections are open for your account. Close a tab or try again shortly.',
          `event streams per user (${maxStreamsPerUser}) reached`,
        )
      }
      if (total >= maxStreams) {
        throw refusal(
          'upstream_unavailable',
          'Live updates are busy right now. Nothing was lost; they will reconnect shortly.',
          `event streams per instance (${maxStreams}) reached`,
        )
      }
      perUser.set(userId, held + 1)
      total++
      let released = false
      return () => {
        if (released) return
        released = true
        total--
        const left = (perUser.get(userId) ?? 1) - 1
        if (left === 0) perUser.delete(userId)
        else perUser.set(userId, left)
      }
    },
  }
}

/** Mounts `GET /events`. */
export function registerEventRoutes(
  app: Hono<ShareflowEnv>,
  path: string,
  options: EventsRouteOptions,
): void {
  const { heartbeatMs, currentKyc } = options
  const slots = createStreamSlots(options)
  app.get(path, async (c) => {
    const user = await requireUser(c)
    const { events, logger } = c.get('shareflow')
    const lastEventId = c.req.header('Last-Event-ID')?.slice(0, 40) ?? null
    const shutdown = shutdownSignal(c)
    if (shutdown?.aborted) {
      throw new ApiError(
        'upstream_unavailable',
        'Live updates are moving to another server. They will reconnect in a moment.',
        { retryAfterSeconds: 1, cause: new Error('draining') },
      )
    }
    const release = slots.take(user.id)

    // Subscribed before the answer starts, so a store that cannot be reached is a 503 in the
    // envelope rather than a stream that opens and ends; and before the log is read, so nothing
    // published in between is lost: events that arrive meanwhile wait in `early`.
    const early: EventEntry[] = []
    let live: ((entry: EventEntry) => void) | null = null
    let unsubscribe: () => Promise<void>
    try {
      unsubscribe = await events.subscribe(user.id, (entry) =>
        live ? live(entry) : early.push(entry),
      )
    } catch (error) {
      release()
      throw error
    }
    let closed = false
    const close = async () => {
      if (closed) return
      closed = true
      release()
      await unsubscribe()
    }
    c.header('X-Accel-Buffering', 'no')

    return streamSSE(c, async (stream) => {
      let lastSent: string | null = null
      const send = async (entry: EventEntry) => {
        if (!isNewer(entry.id, lastSent)) return
        lastSent = entry.id
        await stream.writeSSE({
          id: entry.id,
          event: entry.event.type,
          data: JSON.stringify(entry.event),
        })
      }
      // Ends the heartbeat loop's wait at once, whoever ends the stream.
      let wake = () => {}
      const ended = new Promise<void>((resolve) => (wake = resolve))
      stream.onAbort(() => {
        wake()
        void close()
      })
      c.req.raw.signal.addEventListener('abort', () => stream.abort())
      // Draining: the page is told to come back shortly (to another instance, by the load
      // balancer), and the stream ends so the server can stop.
      const onShutdown = () =>
        void stream
          .write(`retry: ${RECONNECT_AFTER_SHUTDOWN_MS}\n\n`)
          // Closed, not aborted: what was written still reaches the page.
          .then(() => stream.close())
          .finally(wake)
      shutdown?.addEventListener('abort', onShutdown, { once: true })

      try {
        const missed = lastEventId ? await events.since(user.id, lastEventId) : null
        if (missed) {
          lastSent = lastEventId
          for (const entry of missed) await send(entry)
        } else {
          const latest = await events.latestId(user.id)
          const kyc = await currentKyc(user.id)
          await stream.writeSSE({
            ...(latest ? { id: latest } : {}),
            event: 'kyc.updated',
            data: JSON.stringify({ type: 'kyc.updated', kyc } satisfies ShareflowEvent),
          })
          lastSent = latest
        }
        // Until `live` is set (with no await between the last check and it), arrivals queue.
        while (early.length > 0) for (const entry of early.splice(0)) await send(entry)
        live = (entry) => void send(entry).catch(() => stream.abort())
        while (!stream.aborted && !stream.closed) {
          await Promise.race([stream.sleep(heartbeatMs), ended])
          if (stream.aborted || stream.closed) break
          await stream.write(': heartbeat\n\n')
        }
      } catch (error) {
        // The client went away mid-write, or the store failed; either way the stream ends and
        // the client reconnects with Last-Event-ID.
        logger.info('event stream ended', { requestId: c.get('requestId'), error })
      } finally {
        shutdown?.removeEventListener('abort', onShutdown)
        await close()
      }
    })
  })
}
