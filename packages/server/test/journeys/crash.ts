/**
 * Test-only: a store that "crashes the process" once, by throwing from the write a predicate
 * picks, so the journal is left exactly as a real crash at that point would leave it.
 */
import type { ShareflowStore } from '../../src/store/types'

export class SimulatedCrash extends Error {
  override name = 'SimulatedCrash'
}

export function crashOnceOn(
  store: ShareflowStore,
  crashes: (key: string, value: string) => boolean,
): ShareflowStore & { crashed: () => boolean } {
  let crashed = false
  const check = (key: string, value: string) => {
    if (!crashed && crashes(key, value)) {
      crashed = true
      throw new SimulatedCrash(`simulated crash before writing ${key}`)
    }
  }
  return {
    ...store,
    async set(key, value, options) {
      check(key, value)
      return store.set(key, value, options)
    },
    async compareAndSet(key, expected, value, options) {
      check(key, value)
      return store.compareAndSet(key, expected, value, options)
    },
    crashed: () => crashed,
  }
}
