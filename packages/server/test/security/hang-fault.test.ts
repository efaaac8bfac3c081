/**
 * Found by the soak: a request the emulator's timeout fault left hanging kept a listener on the
 * emulator's long-lived `closed` signal after its client gave up, one more per hung request.
 */
import { getEventListeners } from 'node:events'
import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { applyFaults, createEmulator, noFaults } from '../../src/emulator'

describe("the emulator's timeout fault", () => {
  it('lets go of the emulator when the client gives up', async () => {
    const emulator = createEmulator({ heartbeatMs: false })
    emulator.world.faults.coinflow = { ...noFaults, timeoutRate: 1 }
    const closed = new AbortController()
    const app = new Hono()
    app.use(applyFaults(emulator.world, 'coinflow', { closed: closed.signal }))
    app.get('/', (c) => c.text('never'))
    for (let i = 0; i < 20; i++) {
      const response = await app.request('/', { signal: AbortSignal.timeout(5) })
      expect(response.status).toBeGreaterThanOrEqual(500)
    }
    expect(getEventListeners(closed.signal, 'abort')).toHaveLength(0)
    emulator.close()
  })
})
