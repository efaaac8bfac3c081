/**
 * The review queue: users whose KYC waits for a human, oldest first, each with why. Built on the
 * store's own operations only, so it behaves the same on memory, file and Redis (the store
 * conformance suite runs it on each).
 *
 * Each entry lives under `ops:review:q:<since>:<userId>` (so the store's sorted `keys` lists the
 * queue in the order users entered it), and `ops:review:user:<userId>` points at it: a user is
 * in the queue at most once, and keeps their place when a second reason comes along.
 *
 * @module
 */
import { ReviewEntry, type ReviewReason } from '@shareflow/contract'
import { isoAt, type Clock } from '../clock'
import { getJson, putJson } from '../store/records'
import type { ShareflowStore } from '../store/types'
import { keyCursors } from './cursor'

const QUEUE = 'ops:review:q:'
const pointer = (userId: string) => `ops:review:user:${userId}`

export interface ReviewQueuePageOf {
  entries: ReviewEntry[]
  nextCursor: string | null
}

// The cursor is the last key a page showed, opaque to the caller.
const cursors = keyCursors(QUEUE)

export type ReviewQueue = ReturnType<typeof createReviewQueue>

export function createReviewQueue({ store, clock }: { store: ShareflowStore; clock: Clock }) {
  async function entryOf(userId: string): Promise<ReviewEntry | null> {
    const key = await store.get(pointer(userId))
    return key ? getJson(store, key, ReviewEntry) : null
  }

  return {
    entryOf,

    /**
     * Puts the user in the queue for `reason`; `true` when they were not waiting already (a user
     * already waiting keeps their place and first reason).
     */
    async add(userId: string, reason: ReviewReason): Promise<boolean> {
      const since = isoAt(clock.now())
      const key = `${QUEUE}${since}:${userId}`
      if (await store.setIfAbsent(pointer(userId), key)) {
        await putJson(store, key, ReviewEntry, { userId, reason, since })
        return true
      }
      const existing = await store.get(pointer(userId))
      // A pointer whose entry was never written (a crash in between) is repaired, not trusted.
      if (existing && (await store.get(existing)) === null) {
        const at = existing.slice(QUEUE.length, existing.length - userId.length - 1)
        await putJson(store, existing, ReviewEntry, { userId, reason, since: at })
      }
      return false
    },

    /** Takes the user out of the queue (a decision was made); `true` when they were in it. */
    async remove(userId: string): Promise<boolean> {
      const key = await store.get(pointer(userId))
      if (!key) return false
      await store.delete(key)
      return store.compareAndDelete(pointer(userId), key)
    },

    /** Up to `limit` entries after `cursor`, oldest first. */
    async page({ cursor, limit }: { cursor?: string; limit: number }): Promise<ReviewQueuePageOf> {
      const after = cursor ? cursors.decode(cursor) : null
      const keys = (await store.keys(QUEUE)).filter((key) => after === null || key > after)
      const entries: ReviewEntry[] = []
      let last: string | null = null
      for (const key of keys) {
        if (entries.length === limit) break
        const entry = await getJson(store, key, ReviewEntry)
        last = key
        if (entry) entries.push(entry)
      }
      const more = last !== null && keys.indexOf(last) < keys.length - 1
      return { entries, nextCursor: more && last ? cursors.encode(last) : null }
    },

    /** Whether `cursor` is one this queue made. */
    validCursor: cursors.valid,
  }
}
