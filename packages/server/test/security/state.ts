/**
 * Test-only: what a rejected request must not change. The store's every live key and value
 * (rate-limit counters aside: counting the attempt is their job).
 */
import { expect } from 'vitest'
import type { ShareflowStore } from '../../src/store/types'

/** Rate-limit windows count every request, refused ones included, by design. */
const COUNTERS = /^ratelimit:/

export type StoreSnapshot = Map<string, string>

export async function snapshotStore(store: ShareflowStore): Promise<StoreSnapshot> {
  const snapshot: StoreSnapshot = new Map()
  for (const key of await store.keys('')) {
    if (COUNTERS.test(key)) continue
    const value = await store.get(key)
    if (value !== null) snapshot.set(key, value)
  }
  return snapshot
}

/** Fails listing the keys that appeared, vanished or changed between two snapshots. */
export function expectUnchanged(before: StoreSnapshot, after: StoreSnapshot, what = 'store'): void {
  const changed = [...new Set([...before.keys(), ...after.keys()])].filter(
    (key) => before.get(key) !== after.get(key),
  )
  expect(changed, `${what} keys changed by a rejected request`).toEqual([])
}
