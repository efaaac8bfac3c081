import { describe, expect, it } from 'vitest'
import { createManualClock } from '../emulator/world'
import { createCallCounter, type UpstreamCallCounter } from '../upstream/http'
import { createWorkQueue, personaCallsLeftBehind, type WorkQueueOptions } from './work-queue'

/** A promise the test settles by hand. */
function later<T>() {
  let resolve!: (value: T) => void
  let reject!: (error: unknown) => void
  const promise = new Promise<T>((yes, no) => {
    resolve = yes
    reject = no
  })
  return { promise, resolve, reject }
}

/**
 * A work queue over a Persona queue whose clients are plain labels: `'queue:<n>'` for the n-th
 * client the queue handed out (whose calls the test reports through `counters[n]`), `'request'`
 * for the request's own.
 */
function queueOf(options: Partial<WorkQueueOptions<string, string>> = {}) {
  const clock = createManualClock()
  const persona = { estimateMs: 0 }
  const counters: UpstreamCallCounter[] = []
  const answered: { userId: string; retryAfterSeconds: number }[] = []
  const queue = createWorkQueue<string, string>({
    clock,
    personaQueue: {
      withCalls(counter) {
        counters.push(counter)
        return `queue:${counters.length - 1}`
      },
      waitEstimateMs: () => persona.estimateMs,
    },
    personaCalls: 2,
    async answerInLine(userId, retryAfterSeconds) {
      answered.push({ userId, retryAfterSeconds })
      return 'in line'
    },
    ...options,
  })
  const call = (coalesced = false) => ({
    vendor: 'persona' as const,
    operation: 'get-inquiry',
    method: 'GET' as const,
    attempts: coalesced ? 0 : 1,
    status: 200,
    durationMs: 5,
    coalesced,
  })
  return { clock, persona, counters, answered, queue, call }
}

const request = { persona: 'request', answerWithinMs: 1_000 }

describe('a user’s work in Persona’s queue', () => {
  it('runs inside the request, on the request’s own client, when the request has no deadline', async () => {
    const { queue, counters } = queueOf()
    const result = await queue.run('ada', { persona: 'request' }, async (persona) => persona)
    expect(result).toBe('request')
    expect(counters).toEqual([])
  })

  it('runs inside the request when there is no Persona queue to keep a place in', async () => {
    const { queue } = queueOf({ personaQueue: undefined })
    expect(await queue.run('ada', request, async (persona) => persona)).toBe('request')
  })

  it('runs on a client of its own and answers with the outcome when the queue is short', async () => {
    const { queue } = queueOf()
    expect(await queue.run('ada', request, async (persona) => `done on ${persona}`)).toBe(
      'done on queue:0',
    )
  })

  it('answers at once, with when to come back, when the queue is longer than the request may wait', async () => {
    const { queue, persona, answered } = queueOf()
    persona.estimateMs = 30_000
    const work = later<string>()
    expect(await queue.run('ada', request, () => work.promise)).toBe('in line')
    // Two calls left: one queue's length for the call in line, two for the one after it.
    expect(answered).toEqual([{ userId: 'ada', retryAfterSeconds: 90 }])
  })

  it('counts only the calls the work really made when it tells the user when to come back', async () => {
    const { queue, persona, counters, answered, call } = queueOf()
    const calls = createCallCounter()
    persona.estimateMs = 30_000
    const work = later<string>()
    await queue.run('ada', { ...request, calls }, () => work.promise)
    const [counter] = counters
    counter?.record(call(true))
    counter?.record(call())
    await queue.run('ada', { ...request, answerWithinMs: 1 }, () => work.promise)
    // One of two calls made (the coalesced join is not a call of its own): one queue's length.
    expect(answered.at(-1)).toEqual({ userId: 'ada', retryAfterSeconds: 30 })
    // Both reached the request's counter, which counts the coalesced join as no call of its own.
    expect(calls.calls).toHaveLength(2)
    expect(calls.count('persona')).toBe(1)
  })

  it('lets a retry join the work still in line instead of starting it again', async () => {
    const { queue, persona } = queueOf()
    persona.estimateMs = 30_000
    const work = later<string>()
    let started = 0
    const run = () => (started++, work.promise)
    await queue.run('ada', request, run)
    const retry = queue.run('ada', { ...request, answerWithinMs: 60_000 }, run)
    work.resolve('link')
    expect(await retry).toBe('link')
    expect(started).toBe(1)
  })

  it('hands a joining retry the work’s failure', async () => {
    const { queue, persona } = queueOf()
    persona.estimateMs = 30_000
    const work = later<string>()
    await queue.run('ada', request, () => work.promise)
    const retry = queue.run('ada', { ...request, answerWithinMs: 60_000 }, () => work.promise)
    work.reject(new Error('Persona said no'))
    await expect(retry).rejects.toThrow('Persona said no')
  })

  it('keeps an outcome nobody heard for the retry, and forgets it once it is stale', async () => {
    const { queue, persona, clock } = queueOf({ keepUnheardMs: 60_000 })
    persona.estimateMs = 30_000
    const first = later<string>()
    await queue.run('ada', request, () => first.promise)
    first.resolve('link 1')
    await first.promise
    await expect(queue.inLine('ada')).resolves.toBe('link 1')
    expect(await queue.run('ada', request, async () => 'link 2')).toBe('link 1')
    // Handed over once: the next request starts afresh.
    persona.estimateMs = 0
    expect(await queue.run('ada', request, async () => 'link 2')).toBe('link 2')

    persona.estimateMs = 30_000
    const third = later<string>()
    await queue.run('ada', request, () => third.promise)
    third.resolve('link 3')
    await third.promise
    clock.advance(60_001)
    persona.estimateMs = 0
    expect(await queue.run('ada', request, async () => 'link 4')).toBe('link 4')
  })

  it('starts afresh after unheard work settles when outcomes are not kept', async () => {
    const { queue, persona } = queueOf()
    persona.estimateMs = 30_000
    const work = later<string>()
    await queue.run('ada', request, () => work.promise)
    work.resolve('status')
    await work.promise
    await Promise.resolve()
    expect(queue.inLine('ada')).toBeUndefined()
    persona.estimateMs = 0
    expect(await queue.run('ada', request, async () => 'fresh')).toBe('fresh')
  })

  it('keeps each user’s work apart', async () => {
    const { queue, persona } = queueOf()
    persona.estimateMs = 30_000
    const ada = later<string>()
    await queue.run('ada', request, () => ada.promise)
    persona.estimateMs = 0
    expect(await queue.run('grace', request, async () => 'grace’s')).toBe('grace’s')
    expect(queue.inLine('ada')).toBe(ada.promise)
  })
})

describe('the Persona calls a request leaves behind', () => {
  it('leave once the request is answered', async () => {
    const leftBehind = personaCallsLeftBehind(new Request('http://bff.test/kyc/share'))
    const signal = leftBehind.signal()
    leftBehind.answered()
    expect(signal.aborted).toBe(false)
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect(signal.aborted).toBe(true)
    expect(signal.reason).toMatchObject({ code: 'upstream_unavailable' })
  })

  it('leave when the browser goes away', () => {
    const browser = new AbortController()
    const leftBehind = personaCallsLeftBehind(
      new Request('http://bff.test/kyc/share', { signal: browser.signal }),
    )
    const signal = leftBehind.signal()
    browser.abort()
    expect(signal.aborted).toBe(true)
  })

  it('leave at once when the first call comes after the answer', async () => {
    const leftBehind = personaCallsLeftBehind(new Request('http://bff.test/session'))
    leftBehind.answered()
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect(leftBehind.signal().aborted).toBe(true)
  })
})
