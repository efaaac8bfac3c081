/**
 * Test-only: what a rejected request must not change. The store's every live key and value
 * (rate-limit counters aside: counting the attempt is their job; and the payout recovery sweep's
 * lease, which any payouts request may take to sweep the cluster's open payouts: housekeeping the
 * request only triggers).
 */
import { expect } from 'vitest'
import type { ShareflowStore } from '../../src/store/types'

/** Rate-limit windows count every request, refused ones included, by design; the sweep's lease. */
const HOUSEKEEPING = /^(ratelimit:|payout-sweep-lease(:|$))/

export type StoreSnapshot = Map<string, string>

export async function snapshotStore(store: ShareflowStore): Promise<StoreSnapshot> {
  const snapshot: StoreSnapshot = new Map()
  for (const key of await store.keys('')) {
    if (HOUSEKEEPING.test(key)) continue
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
