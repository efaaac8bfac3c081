import { describe, expect, it } from 'vitest'
import { createManualClock } from '../emulator/world'
import { createMemoryStore } from '../store/memory'
import { createCallCounter, createUpstreamTransport, type UpstreamRequest } from './http'
import { createRateBudget } from './rate-budget'

const WINDOW_MS = 5_000

/** Time that moves only when the test says so; sleepers wake when their moment has come. */
function steppedTime() {
  const clock = createManualClock(Date.UTC(2026, 10, 22, 12, 0, 0))
  let sleepers: { until: number; wake: () => void }[] = []
  const sleep = (ms: number) =>
    new Promise<void>((wake) => sleepers.push({ until: clock.now() + Math.max(0, ms), wake }))
  const settle = async () => {
    for (let i = 0; i < 10; i++) await new Promise((resolve) => setTimeout(resolve, 0))
  }
  return {
    clock,
    sleep,
    settle,
    /** Moves time forward in small steps, letting everyone due at each step run. */
    async advance(ms: number) {
      const end = clock.now() + ms
      while (clock.now() < end) {
        clock.advance(Math.min(500, end - clock.now()))
        const due = sleepers.filter((s) => s.until <= clock.now())
        sleepers = sleepers.filter((s) => s.until > clock.now())
        for (const sleeper of due) sleeper.wake()
        await settle()
      }
    },
  }
}

/** A Persona-like transport behind a budget of `limit` calls per window, with a recording fetch. */
function budgetedTransport(limit: number) {
  const time = steppedTime()
  const store = createMemoryStore({ clock: time.clock })
  const sent: { path: string; idempotencyKey: string | null; at: number }[] = []
  const fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(String(input))
    const headers = new Headers(init?.headers)
    sent.push({
      path: url.pathname,
      idempotencyKey: headers.get('Idempotency-Key'),
      at: time.clock.now(),
    })
    return new Response(JSON.stringify({ path: url.pathname }), {
      status: init?.method === 'POST' ? 201 : 200,
      headers: { 'Content-Type': 'application/json' },
    })
  }
  const transport = createUpstreamTransport({
    vendor: 'persona',
    baseUrl: 'https://persona.test/api/v1',
    fetch,
    headers: () => ({ Authorization: 'Bearer persona_sandbox_unit' }),
    budget: createRateBudget({
      store,
      name: 'persona',
      limit,
      windowMs: WINDOW_MS,
      clock: time.clock,
      sleep: time.sleep,
      random: () => 0,
    }),
    clock: time.clock,
    sleep: time.sleep,
    random: () => 0,
  })
  return { ...time, transport, sent }
}

const read = (inquiryId: string): UpstreamRequest => ({
  operation: 'persona.getInquiry',
  method: 'GET',
  path: `/inquiries/${inquiryId}`,
})

const createShareToken = (idempotencyKey: string): UpstreamRequest => ({
  operation: 'persona.createShareToken',
  method: 'POST',
  path: '/connect/share-tokens',
  headers: { 'Idempotency-Key': idempotencyKey },
  body: { data: { attributes: { 'connection-id': 'cxn_1', 'source-id': 'inq_1' } } },
  retryConflicts: true,
})

/** Settles `promise` into an outcome the test can read without an unhandled rejection. */
const outcome = (promise: Promise<unknown>) =>
  promise.then(
    () => 'answered',
    (error: unknown) => (error instanceof DOMException ? error.name : String(error)),
  )

describe('upstream calls whose callers gave up', () => {
  it('sends only the queued calls whose callers still wait, and spends no budget on the rest', async () => {
    const { transport, sent, settle, advance, clock } = budgetedTransport(2)
    const started = clock.now()
    const callers = Array.from({ length: 10 }, (_, i) => {
      const gaveUp = new AbortController()
      const result = outcome(transport.send(read(`inq_${i}`), undefined, gaveUp.signal))
      return { gaveUp, result }
    })
    await settle()
    expect(sent.map((s) => s.path)).toEqual(['/api/v1/inquiries/inq_0', '/api/v1/inquiries/inq_1'])

    // Five users' browser requests time out while their calls wait for the next window.
    for (const caller of callers.slice(2, 7))
      caller.gaveUp.abort(new DOMException('', 'AbortError'))
    await settle()
    for (const caller of callers.slice(2, 7)) expect(await caller.result).toBe('AbortError')

    await advance(3 * WINDOW_MS)
    expect(sent.map((s) => s.path.split('/').pop())).toEqual([
      'inq_0',
      'inq_1',
      'inq_7',
      'inq_8',
      'inq_9',
    ])
    // The callers who left took no slot: the three still waiting fill the next windows at once.
    const windowOf = (at: number) => Math.floor((at - started) / WINDOW_MS)
    expect(sent.map((s) => windowOf(s.at))).toEqual([0, 0, 1, 1, 2])
    for (const i of [0, 1, 7, 8, 9]) expect(await callers[i]!.result).toBe('answered')
  })

  it('shares one queued attempt among retries with the same Idempotency-Key', async () => {
    const { transport, sent, settle, advance } = budgetedTransport(1)
    await transport.send(read('inq_fill'))
    const counter = createCallCounter()

    // The first browser request times out while queued; the user's retry is already waiting.
    const first = new AbortController()
    const firstResult = outcome(transport.send(createShareToken('share-1'), counter, first.signal))
    const retry = new AbortController()
    const retryResult = transport.send(createShareToken('share-1'), counter, retry.signal)
    await settle()
    first.abort(new DOMException('', 'AbortError'))
    expect(await firstResult).toBe('AbortError')

    await advance(2 * WINDOW_MS)
    expect(sent.filter((s) => s.idempotencyKey === 'share-1')).toHaveLength(1)
    expect((await retryResult).status).toBe(201)
    expect(counter.count('persona', 'persona.createShareToken')).toBe(1)
  })

  it('never sends a write whose every caller gave up while it was queued', async () => {
    const { transport, sent, settle, advance, clock } = budgetedTransport(1)
    const started = clock.now()
    await transport.send(read('inq_fill'))

    const callers = [new AbortController(), new AbortController()]
    const results = callers.map((c) =>
      outcome(transport.send(createShareToken('share-2'), undefined, c.signal)),
    )
    await settle()
    for (const caller of callers) caller.abort(new DOMException('', 'AbortError'))
    expect(await Promise.all(results)).toEqual(['AbortError', 'AbortError'])

    // A later retry with the same key starts afresh, in the first window with room.
    const later = transport.send(createShareToken('share-2'))
    await advance(2 * WINDOW_MS)
    expect((await later).status).toBe(201)
    const shares = sent.filter((s) => s.idempotencyKey === 'share-2')
    expect(shares).toHaveLength(1)
    expect(Math.floor((shares[0]!.at - started) / WINDOW_MS)).toBe(1)
  })
})
