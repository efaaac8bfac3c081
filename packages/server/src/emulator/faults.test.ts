import { afterEach, describe, expect, it } from 'vitest'
import { expectResponseMatchesSpec, schemaErrorsAt } from '../../test/openapi'
import { createEmulator, createManualClock, type Emulator } from './index'

let emulator: Emulator
afterEach(() => emulator?.close())

const persona = (path = '/api/v1/inquiries', init: RequestInit = {}) =>
  emulator.persona.request(`http://persona.test${path}`, {
    ...init,
    headers: { Authorization: 'Bearer key', ...init.headers },
  })

describe('emulator faults', () => {
  it("answers 503 in Persona's shape at an error rate of 1", async () => {
    emulator = createEmulator({ clock: createManualClock(), faults: { persona: { errorRate: 1 } } })
    const response = await persona()
    expect(response.status).toBe(503)
    const body = await response.json()
    expect(
      schemaErrorsAt(
        'persona',
        '#/components/responses/service-unavailable/content/application~1json/schema',
        body,
      ),
    ).toEqual([])
    expect(response.headers.get('Request-Id')).toMatch(/^req_/)
  })

  it("answers 503 with Coinflow's {details} body on the Coinflow side", async () => {
    emulator = createEmulator({
      clock: createManualClock(),
      faults: { coinflow: { errorRate: 1 } },
    })
    const response = await emulator.coinflow.request(
      'http://coinflow.test/api/merchant/withdraws/payout/balance',
      {
        headers: { Authorization: 'key' },
      },
    )
    expect(response.status).toBe(503)
    expect(await response.json()).toEqual({ details: expect.any(String) })
  })

  it('forces a 429 that Persona documents, with its rate-limit headers', async () => {
    emulator = createEmulator({
      clock: createManualClock(),
      faults: { persona: { rateLimitRate: 1 } },
    })
    const response = await persona()
    expect(response.status).toBe(429)
    const body = await response.json()
    expectResponseMatchesSpec('persona', {
      method: 'GET',
      path: '/api/v1/inquiries',
      status: 429,
      body,
    })
    expect(response.headers.get('RateLimit-Limit')).toBe('300')
  })

  it('adds latency to every answer', async () => {
    emulator = createEmulator({
      clock: createManualClock(),
      faults: { persona: { latencyMs: 60 } },
    })
    const started = performance.now()
    expect((await persona()).status).toBe(200)
    expect(performance.now() - started).toBeGreaterThanOrEqual(55)
  })

  it('hangs a request at a timeout rate of 1 until its client gives up', async () => {
    emulator = createEmulator({
      clock: createManualClock(),
      faults: { persona: { timeoutRate: 1 } },
    })
    const client = new AbortController()
    let settled = false
    const pending = Promise.resolve(persona('/api/v1/inquiries', { signal: client.signal })).then(
      (response) => {
        settled = true
        return response
      },
    )
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(settled).toBe(false)
    client.abort()
    expect((await pending).status).toBe(504)
  })

  it('releases hanging requests when the emulator closes', async () => {
    emulator = createEmulator({
      clock: createManualClock(),
      faults: { persona: { timeoutRate: 1 } },
    })
    const pending = persona()
    emulator.close()
    expect((await pending).status).toBe(504)
  })

  it('fails the same requests for the same seed', async () => {
    const statuses = async (seed: number) => {
      emulator?.close()
      emulator = createEmulator({
        seed,
        clock: createManualClock(),
        faults: { persona: { errorRate: 0.5 } },
      })
      const seen: number[] = []
      for (let i = 0; i < 16; i++) seen.push((await persona()).status)
      return seen
    }
    const first = await statuses(5)
    expect(await statuses(5)).toEqual(first)
    expect(first).toContain(503)
    expect(first).toContain(200)
  })

  it('reads the settings live, so faults can be switched off mid-run', async () => {
    emulator = createEmulator({ clock: createManualClock(), faults: { persona: { errorRate: 1 } } })
    expect((await persona()).status).toBe(503)
    emulator.world.faults.persona.errorRate = 0
    expect((await persona()).status).toBe(200)
  })
})
