/**
 * The event hub: every part of the BFF publishes a user's events through it, and each of the
 * user's open `GET /events` streams (`routes/events.ts`) subscribes to it. Events fan out with
 * `store.publish` / `store.subscribe` on a channel per user, so a webhook that lands on any
 * instance reaches a stream held by any other.
 *
 * Each event has an id from a per-user counter and is kept in a short per-user log, so a stream
 * that reconnects with `Last-Event-ID` can be sent what it missed (`since`).
 *
 * @module
 */
import { ShareflowEvent } from '@shareflow/contract'
import { z } from 'zod'
import { getJson, updateJson } from './store/records'
import type { ShareflowStore } from './store/types'

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
