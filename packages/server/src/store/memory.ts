import { createLocalPubSub } from './local-pubsub'
import { createTable, type StoreClock } from './table'
import type { ShareflowStore } from './types'

export interface MemoryStoreOptions {
  /** Where expiry reads the time; tests pass a clock they can move. Defaults to `Date.now`. */
  clock?: StoreClock
}

const memoryStores = new WeakSet<ShareflowStore>()

/** Whether `store` is a memory store: nothing in it survives a restart or reaches another instance. */
export function isMemoryStore(store: ShareflowStore): boolean {
  return memoryStores.has(store)
}

/**
 * A store held in a `Map`, for tests, Storybook and the in-browser demo.
 *
 * Guarantees: every operation is atomic within the process (each runs to the end before another
 * starts), and TTLs follow the given clock. Nothing survives the process, and nothing is shared
 * with another process: use the file store for one durable instance, Redis for several.
 *
 * Web Standards only; runs on Node, Workers and in a browser.
 *
 * @example
 * const store = createMemoryStore()
 * await store.setIfAbsent('webhook:evt_1', '1', { ttlMs: 86_400_000 }) // true the first time
 */
export function createMemoryStore({
  clock = { now: () => Date.now() },
}: MemoryStoreOptions = {}): ShareflowStore {
  const table = createTable({ clock })
  const pubsub = createLocalPubSub()
  let closed = false

  const ensureOpen = () => {
    if (closed) throw new Error('The memory store is closed')
  }

  const store: ShareflowStore = {
    async get(key) {
      ensureOpen()
      return table.get(key)
    },
    async set(key, value, options) {
      ensureOpen()
      table.set(key, value, options?.ttlMs)
    },
    async setIfAbsent(key, value, options) {
      ensureOpen()
      return table.setIfAbsent(key, value, options?.ttlMs)
    },
    async compareAndSet(key, expected, value, options) {
      ensureOpen()
      return table.compareAndSet(key, expected, value, options?.ttlMs)
    },
    async compareAndDelete(key, expected) {
      ensureOpen()
      return table.compareAndDelete(key, expected)
    },
    async delete(key) {
      ensureOpen()
      table.delete(key)
    },
    async keys(prefix) {
      ensureOpen()
      return table.keys(prefix)
    },
    async increment(key, ttlMs) {
      ensureOpen()
      return table.increment(key, ttlMs)
    },
    async publish(channel, message) {
      ensureOpen()
      pubsub.publish(channel, message)
    },
    async subscribe(channel, listener) {
      ensureOpen()
      const unsubscribe = pubsub.subscribe(channel, listener)
      return async () => unsubscribe()
    },
    async close() {
      closed = true
      pubsub.clear()
    },
  }
  memoryStores.add(store)
  return store
}
