/**
 * `GET /events`: the signed-in user's Server-Sent Events stream, and the hub every part of the
 * BFF publishes through. Events fan out with `store.publish` / `store.subscribe` on a channel per
 * user, so a webhook that lands on any instance reaches a stream held by any other.
 *
 * Each event has an id from a per-user counter and is kept in a short per-user log, so a client
 * that reconnects with `Last-Event-ID` gets what it missed. When the id is unknown (too old, or
 * the log expired) the stream starts with a snapshot of the current KYC state instead: the state
 * is the truth, events are only news of it.
 *
 * @module
 */
import { ShareflowEvent, type KycStatus } from '@shareflow/contract'
import type { Hono } from 'hono'
import { streamSSE } from 'hono/streaming'
import { z } from 'zod'
import { getJson, updateJson } from '../store/records'
import type { ShareflowStore } from '../store/types'
import type { ShareflowEnv } from '../core'
import { requireUser } from '../core'

export interface EventEntry {
  /** Decimal, increasing per user. */
  id: string
  event: ShareflowEvent
}

export interface EventHub {
  /** Logs `event` for replay and delivers it to the user's open streams on every instance. */
  publish(userId: string, event: ShareflowEvent): Promise<EventEntry>
  /** Calls `listener` for each event published for `userId`; resolves to an unsubscribe. */
  subscribe(userId: string, listener: (entry: EventEntry) => void): Promise<() => Promise<void>>
  /** Events after `lastEventId`, oldest first; `null` when that id is no longer in the log. */
  since(userId: string, lastEventId: string): Promise<EventEntry[] | null>
  /** The newest logged event id, if any. */
  latestId(userId: string): Promise<string | null>
}

const Entry = z.object({ id: z.string(), event: ShareflowEvent })
const Log = z.array(Entry)

export interface EventHubOptions {
  store: ShareflowStore
  /** Events kept per user for `Last-Event-ID` replay. Default 50. */
  logSize?: number
  /** How long an idle user's log and counter live. Default 1 day. */
  retentionMs?: number
}

const keys = {
  channel: (userId: string) => `events:user:${userId}`,
  log: (userId: string) => `events:log:${userId}`,
  seq: (userId: string) => `events:seq:${userId}`,
}

/**
 * @example
 * const events = createEventHub({ store })
 * await events.publish(user.id, { type: 'payout.updated', payout })
 */
export function createEventHub({
  store,
  logSize = 50,
  retentionMs = 86_400_000,
}: EventHubOptions): EventHub {
  return {
    async publish(userId, event) {
      const entry: EventEntry = {
        id: String(await store.increment(keys.seq(userId), retentionMs)),
        event: ShareflowEvent.parse(event),
      }
      await updateJson(
        store,
        keys.log(userId),
        Log,
        (log) => [...(log ?? []), entry].slice(-logSize),
        { ttlMs: retentionMs },
      )
      await store.publish(keys.channel(userId), JSON.stringify(entry))
      return entry
    },
    subscribe(userId, listener) {
      return store.subscribe(keys.channel(userId), (message) => {
        const parsed = Entry.safeParse(JSON.parse(message))
        if (parsed.success) listener(parsed.data)
      })
    },
    async since(userId, lastEventId) {
      const log = (await getJson(store, keys.log(userId), Log)) ?? []
      const at = log.findIndex((entry) => entry.id === lastEventId)
      return at === -1 ? null : log.slice(at + 1)
    },
    async latestId(userId) {
      const log = (await getJson(store, keys.log(userId), Log)) ?? []
      return log.at(-1)?.id ?? null
    },
  }
}

export interface EventsRouteOptions {
  /** Comment lines keep proxies from closing an idle stream. Default 15 000 ms. */
  heartbeatMs: number
  /** The user's current KYC status, from the store only (no vendor calls). */
  currentKyc(userId: string): Promise<KycStatus>
}

const isNewer = (id: string, than: string | null) => than === null || Number(id) > Number(than)

/** Mounts `GET /events`. */
export function registerEventRoutes(
  app: Hono<ShareflowEnv>,
  path: string,
  { heartbeatMs, currentKyc }: EventsRouteOptions,
): void {
  app.get(path, async (c) => {
    const user = await requireUser(c)
    const { events, logger } = c.get('shareflow')
    const lastEventId = c.req.header('Last-Event-ID')?.slice(0, 40) ?? null
    c.header('X-Accel-Buffering', 'no')

    return streamSSE(c, async (stream) => {
      let lastSent: string | null = null
      let ready = false
      const early: EventEntry[] = []
      const send = async (entry: EventEntry) => {
        if (!isNewer(entry.id, lastSent)) return
        lastSent = entry.id
        await stream.writeSSE({
          id: entry.id,
          event: entry.event.type,
          data: JSON.stringify(entry.event),
        })
      }
      // Subscribe before reading the log, so nothing published in between is lost; events that
      // arrive meanwhile wait in `early` and are de-duplicated by id.
      const unsubscribe = await events.subscribe(user.id, (entry) => {
        if (!ready) early.push(entry)
        else void send(entry).catch(() => stream.abort())
      })
      let closed = false
      const close = async () => {
        if (closed) return
        closed = true
        await unsubscribe()
      }
      stream.onAbort(() => void close())
      c.req.raw.signal.addEventListener('abort', () => stream.abort())

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
        ready = true
        for (const entry of early.splice(0)) await send(entry)
        while (!stream.aborted && !stream.closed) {
          await stream.sleep(heartbeatMs)
          if (stream.aborted || stream.closed) break
          await stream.write(': heartbeat\n\n')
        }
      } catch (error) {
        // The client went away mid-write, or the store failed; either way the stream ends and
        // the client reconnects with Last-Event-ID.
        logger.info('event stream ended', { requestId: c.get('requestId'), error })
      } finally {
        await close()
      }
    })
  })
}
