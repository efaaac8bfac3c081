/**
 * A lease on background work that one instance at a time should do (the payout recovery sweep),
 * kept in the shared store: it expires on its own, so a holder that dies (SIGKILL, a lost host)
 * stops holding it within `ttlMs` and another instance takes over. Each grant carries a fence, a
 * number that grows with every new holder; the holder renews before each piece of work and stops
 * once the renewal fails, so a holder that was paused past its lease (a long GC, a frozen VM)
 * notices a successor instead of working beside it.
 *
 * A lease keeps work from being done twice at once; it is not what keeps money safe. Each payout
 * still has its own lease and every journal transition its compare-and-set.
 *
 * Web Standards only.
 *
 * @module
 */
import { z } from 'zod'
import { updateJson } from './records'
import type { ShareflowStore } from './types'

export interface Lease {
  /** Grows with every new holder of this lease, across all instances. */
  readonly fence: number
  /**
   * Extends the lease to `ttlMs` from now while it is still this holder's; `false` once it
   * lapsed or went to someone else (then stop working under it).
   */
  renew(ttlMs: number): Promise<boolean>
  /** Gives the lease up now, if it is still this holder's. */
  release(): Promise<void>
}

const Grant = z.object({ holder: z.string(), fence: z.number().int().positive() })
const Fence = z.number().int().nonnegative()

/**
 * The lease `key` for `holder` (an id unique to this instance), for `ttlMs`: granted when nobody
 * holds it or `holder` already does (renewed then, keeping its fence); `null` while another holds it.
 *
 * @example
 * const lease = await takeLease(store, 'payout-sweep', instanceId, 30_000)
 * if (lease) for (const id of ids) { if (!(await lease.renew(30_000))) break; await work(id) }
 */
export async function takeLease(
  store: ShareflowStore,
  key: string,
  holder: string,
  ttlMs: number,
): Promise<Lease | null> {
  const held = await store.get(key)
  if (held !== null) {
    const grant = parseGrant(held)
    if (grant?.holder !== holder) return null
    return (await store.compareAndSet(key, held, held, { ttlMs }))
      ? leaseOf(store, key, held, grant.fence)
      : null
  }
  // The fence counter never expires, so a later holder always gets a larger number.
  const fence = (await updateJson(store, `${key}:fence`, Fence, (last) => (last ?? 0) + 1))!
  const value = JSON.stringify({ holder, fence })
  return (await store.setIfAbsent(key, value, { ttlMs })) ? leaseOf(store, key, value, fence) : null
}

function leaseOf(store: ShareflowStore, key: string, value: string, fence: number): Lease {
  return {
    fence,
    renew: (ttlMs) => store.compareAndSet(key, value, value, { ttlMs }),
    release: async () => {
      await store.compareAndDelete(key, value)
    },
  }
}

function parseGrant(raw: string) {
  try {
    return Grant.parse(JSON.parse(raw))
  } catch {
    return null
  }
}
