import { describe, expect, it } from 'vitest'
import { createShareflowApp } from './app'
import { createManualClock } from './emulator/world'
import { createMemoryLogger } from './logger'

/**
 * A BFF whose Persona budget is one request per 5-second window, whose requests time out after
 * 100 ms, and whose budget queue only moves when the test wakes it.
 */
const settle = async () => {
  for (let i = 0; i < 10; i++) await new Promise((resolve) => setTimeout(resolve, 0))
}

function saturatedApp() {
  const clock = createManualClock(Date.UTC(2026, 10, 22, 12, 0, 0))
  let sleepers: (() => void)[] = []
  const personaCalls: string[] = []
  const app = createShareflowApp({
    getUser: (c) => {
      const id = c.req.header('x-host-session')
      return id ? { id, email: `${id}@example.com` } : null
    },
    persona: {
      apiKey: 'persona_sandbox_unit',
      templateId: 'itmpl_unit',
      connectionId: 'cxn_unit',
      baseUrl: 'https://persona.test/api/v1',
      // 13 a minute is one per 5-second window.
      requestsPerMinute: 13,
    },
    coinflow: { apiKey: 'coinflow_unit', merchantId: 'unit' },
    fetch: async (input, init) => {
      const url = new URL(String(input))
      if (url.host !== 'persona.test') throw new Error('no Coinflow in this test')
      personaCalls.push(`${init?.method ?? 'GET'} ${url.pathname}`)
      return Response.json({ data: [] })
    },
    upstream: {
      sleep: () => new Promise<void>((wake) => sleepers.push(wake)),
      random: () => 0,
    },
    clock,
    logger: createMemoryLogger(),
    requestTimeoutMs: 100,
    rateLimits: false,
  })
  return {
    app,
    personaCalls,
    /** Moves to the next budget window and lets every queued call try again. */
    async nextWindow() {
      await settle()
      clock.advance(5_000)
      const due = sleepers
      sleepers = []
      for (const wake of due) wake()
      await settle()
    },
  }
}

describe('a BFF request answered while its Persona calls were queued', () => {
  it('keeps their place: the retry joins the queued work, and no call goes out twice', async () => {
    const { app, personaCalls, nextWindow } = saturatedApp()
    const startInquiry = (user: string) =>
      app.request('/kyc/inquiry', {
        method: 'POST',
        headers: { 'x-host-session': user, Origin: 'http://localhost' },
      })
    const responses = await Promise.all(['ada', 'ben', 'cy', 'dee'].map(startInquiry))
    expect(responses.map((r) => r.status)).toEqual([503, 503, 503, 503])
    // Told when to come back, from the queue: one 5-second window per user ahead, per call left.
    for (const response of responses.slice(1)) {
      expect(Number(response.headers.get('Retry-After'))).toBeGreaterThanOrEqual(5)
    }
    // Ada's list call took the window's slot; everything else is still queued.
    expect(personaCalls).toEqual(['GET /api/v1/inquiries'])

    const retry = startInquiry('ben')
    for (let i = 0; i < 4; i++) await nextWindow()
    await retry
    // Each user's list call went out once, in the order they asked, then Ada's creation (asked
    // for after the others' lists); Ben's retry sent nothing of its own.
    expect(personaCalls).toEqual([
      'GET /api/v1/inquiries',
      'GET /api/v1/inquiries',
      'GET /api/v1/inquiries',
      'GET /api/v1/inquiries',
      'POST /api/v1/inquiries',
    ])
  })
})
