import { describe, expect, it } from 'vitest'
import { createManualClock } from '../emulator/world'
import { takeLease } from './lease'
import { createMemoryStore } from './memory'

const setup = () => {
  const clock = createManualClock(Date.UTC(2026, 11, 7))
  return { clock, store: createMemoryStore({ clock }) }
}

describe('takeLease', () => {
  it('grants the lease to one instance at a time, and again to the one holding it', async () => {
    const { store } = setup()
    const first = await takeLease(store, 'sweep', 'instance-a', 1_000)
    expect(first).not.toBeNull()
    expect(await takeLease(store, 'sweep', 'instance-b', 1_000)).toBeNull()
    expect((await takeLease(store, 'sweep', 'instance-a', 1_000))?.fence).toBe(first!.fence)
  })

  it('lapses when its holder stops renewing it, to a successor with a larger fence', async () => {
    const { clock, store } = setup()
    const dead = (await takeLease(store, 'sweep', 'instance-a', 1_000))!
    clock.advance(999)
    expect(await takeLease(store, 'sweep', 'instance-b', 1_000)).toBeNull()
    clock.advance(1)
    const successor = (await takeLease(store, 'sweep', 'instance-b', 1_000))!
    expect(successor.fence).toBeGreaterThan(dead.fence)
    // The old holder, back from a pause, can neither renew nor release its successor's lease.
    expect(await dead.renew(1_000)).toBe(false)
    await dead.release()
    expect(await takeLease(store, 'sweep', 'instance-a', 1_000)).toBeNull()
    expect(await successor.renew(1_000)).toBe(true)
  })

  it('is free at once for another instance when its holder releases it', async () => {
    const { store } = setup()
    const lease = (await takeLease(store, 'sweep', 'instance-a', 60_000))!
    await lease.release()
    expect(await takeLease(store, 'sweep', 'instance-b', 60_000)).not.toBeNull()
  })

  it('keeps a renewed lease past its first expiry', async () => {
    const { clock, store } = setup()
    const lease = (await takeLease(store, 'sweep', 'instance-a', 1_000))!
    clock.advance(900)
    expect(await lease.renew(1_000)).toBe(true)
    clock.advance(900)
    expect(await takeLease(store, 'sweep', 'instance-b', 1_000)).toBeNull()
  })
})
