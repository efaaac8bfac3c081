import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { describe, expect, it } from 'vitest'
import { createWebhookDispatcher, retrySchedules, type WebhookDispatcherOptions } from './webhooks'
import {
  createManualClock,
  createRandom,
  noFaults,
  type FaultSettings,
  type WebhookDelivery,
} from './world'

interface Received {
  at: number
  body: string
  headers: Headers
}

function setup({
  statuses = [] as Array<number | 'network'>,
  faults = {} as Partial<FaultSettings>,
  seed = 3,
} = {}) {
  const clock = createManualClock()
  const received: Received[] = []
  const answers = [...statuses]
  const dispatcher = createWebhookDispatcher({
    clock,
    random: createRandom(seed),
    faults: () => ({ ...noFaults, ...faults }),
    fetch: async (input, init) => {
      const request = new Request(input, init)
      received.push({ at: clock.now(), body: await request.text(), headers: request.headers })
      const answer = answers.shift() ?? 200
      if (answer === 'network') throw new TypeError('fetch failed')
      return new Response(null, { status: answer })
    },
  })
  return { clock, received, dispatcher }
}

/** A dispatcher on a manual clock with no faults, and `options` on top. */
const dispatcherWith = (options: Partial<WebhookDispatcherOptions>) =>
  createWebhookDispatcher({
    clock: createManualClock(),
    random: createRandom(1),
    faults: () => noFaults,
    ...options,
  })

const delivery = (id: string, vendor: 'persona' | 'coinflow' = 'persona'): WebhookDelivery => ({
  vendor,
  url: 'https://host.test/hook',
  body: JSON.stringify(
    vendor === 'persona'
      ? { data: { type: 'event', id, attributes: { name: 'inquiry.completed' } } }
      : { eventType: id },
  ),
  headers: { 'Content-Type': 'application/json', 'Persona-Signature': 't=1,v1=ab' },
})

const eventIds = (received: Received[]) =>
  received.map((request) => {
    const body = JSON.parse(request.body)
    return body.data?.id ?? body.eventType
  })

describe('webhook dispatcher', () => {
  it('posts the signed body at once with Persona attempt headers', async () => {
    const { clock, received, dispatcher } = setup()
    dispatcher.deliver(delivery('evt_1'))
    await dispatcher.flush()
    expect(received).toHaveLength(1)
    expect(received[0]!.body).toBe(delivery('evt_1').body)
    expect(received[0]!.headers.get('Persona-Signature')).toBe('t=1,v1=ab')
    expect(received[0]!.headers.get('Persona-Webhook-Attempts-Made')).toBe('1')
    expect(received[0]!.headers.get('Persona-Webhook-Attempts-Left')).toBe('4')
    expect(received[0]!.headers.get('Persona-Webhook-First-Attempted-At')).toBe(
      String(clock.now() / 1000),
    )
    expect(dispatcher.deliveries()[0]).toMatchObject({
      state: 'delivered',
      event: 'inquiry.completed evt_1',
    })
  })

  it("retries a failed delivery on Persona's schedule, scaled onto the emulator clock", async () => {
    const { clock, received, dispatcher } = setup({ statuses: [500, 'network'] })
    const start = clock.now()
    dispatcher.deliver(delivery('evt_1'))
    await dispatcher.runDue()
    expect(received).toHaveLength(1)
    expect(dispatcher.nextDueAt()).toBe(start + 3)

    await dispatcher.runDue()
    expect(received).toHaveLength(1)
    clock.advance(3)
    await dispatcher.runDue()
    expect(received).toHaveLength(2)
    expect(received[1]!.headers.get('Persona-Webhook-Attempts-Made')).toBe('2')
    expect(received[1]!.headers.get('Persona-Webhook-First-Attempted-At')).toBe(
      String(start / 1000),
    )

    clock.advance(14)
    await dispatcher.runDue()
    expect(received).toHaveLength(2)
    clock.advance(1)
    await dispatcher.runDue()
    expect(received.map((request) => request.at - start)).toEqual([0, 3, 18])
    const [record] = dispatcher.deliveries()
    expect(record!.state).toBe('delivered')
    expect(record!.attempts.map((attempt) => [attempt.status, attempt.error])).toEqual([
      [500, null],
      [null, 'TypeError'],
      [200, null],
    ])
  })

  it('gives up after the last attempt of the schedule', async () => {
    const { received, dispatcher } = setup({ statuses: [500, 500, 500, 500, 500] })
    dispatcher.deliver(delivery('evt_1'))
    await dispatcher.flush()
    expect(received).toHaveLength(retrySchedules.persona.length)
    expect(received.at(-1)!.headers.get('Persona-Webhook-Attempts-Left')).toBe('0')
    const [record] = dispatcher.deliveries()
    expect(record!.state).toBe('failed')
    // flush() fast-forwards retries but keeps the schedule in each attempt's dueAt.
    const start = record!.attempts[0]!.dueAt
    expect(record!.attempts.map((attempt) => attempt.dueAt - start)).toEqual([0, 3, 18, 83, 258])
  })

  it('sends Coinflow deliveries without Persona headers, on its own schedule', async () => {
    const { received, dispatcher } = setup({ statuses: [503] })
    dispatcher.deliver(delivery('KYC Success', 'coinflow'))
    await dispatcher.flush()
    expect(received).toHaveLength(2)
    expect(received[0]!.headers.get('Persona-Webhook-Attempts-Made')).toBeNull()
    const [record] = dispatcher.deliveries()
    expect(record!.attempts[1]!.dueAt - record!.attempts[0]!.dueAt).toBe(60)
    expect(record!.event).toBe('KYC Success')
  })

  it('drops every delivery when the drop rate is 1', async () => {
    const { received, dispatcher } = setup({ faults: { webhookDropRate: 1 } })
    dispatcher.deliver(delivery('evt_1'))
    await dispatcher.flush()
    expect(received).toEqual([])
    expect(dispatcher.deliveries()[0]!.state).toBe('dropped')
  })

  it('sends a second identical copy when the duplicate rate is 1', async () => {
    const { received, dispatcher } = setup({ faults: { webhookDuplicateRate: 1 } })
    dispatcher.deliver(delivery('evt_1'))
    await dispatcher.flush()
    expect(eventIds(received)).toEqual(['evt_1', 'evt_1'])
    expect(dispatcher.deliveries().map((record) => record.duplicateOf)).toEqual([null, 0])
  })

  it('holds a delivery back behind the next one when the reorder rate is 1', async () => {
    const faults: Partial<FaultSettings> = { webhookReorderRate: 1 }
    const { received, dispatcher } = setup({ faults })
    dispatcher.deliver(delivery('evt_1'))
    await dispatcher.runDue()
    expect(received).toEqual([])
    faults.webhookReorderRate = 0
    dispatcher.deliver(delivery('evt_2'))
    await dispatcher.flush()
    expect(eventIds(received)).toEqual(['evt_2', 'evt_1'])
    expect(dispatcher.deliveries().map((record) => record.heldBack)).toEqual([true, false])
  })

  it('releases a held-back delivery on flush even when nothing follows it', async () => {
    const { received, dispatcher } = setup({ faults: { webhookReorderRate: 1 } })
    dispatcher.deliver(delivery('evt_1'))
    await dispatcher.flush()
    expect(eventIds(received)).toEqual(['evt_1'])
  })

  it('rolls the same faults for the same seed', async () => {
    const run = async (seed: number) => {
      const { received, dispatcher } = setup({
        seed,
        faults: { webhookDropRate: 0.5, webhookDuplicateRate: 0.3 },
      })
      for (let i = 0; i < 20; i++) dispatcher.deliver(delivery(`evt_${i}`))
      await dispatcher.flush()
      return eventIds(received)
    }
    const first = await run(11)
    expect(await run(11)).toEqual(first)
    expect(first.length).toBeGreaterThan(0)
    expect(first.length).not.toBe(20)
  })

  it('forgets everything on reset', async () => {
    const { received, dispatcher } = setup({ statuses: [500] })
    dispatcher.deliver(delivery('evt_1'))
    await dispatcher.runDue()
    dispatcher.reset()
    await dispatcher.flush()
    expect(received).toHaveLength(1)
    expect(dispatcher.deliveries()).toEqual([])
    expect(dispatcher.nextDueAt()).toBeNull()
  })

  it('gives up on an attempt the receiver never answers and retries it like a 5xx', async () => {
    const clock = createManualClock()
    const aborted: string[] = []
    let calls = 0
    const dispatcher = dispatcherWith({
      clock,
      attemptTimeoutMs: 20,
      // The first attempt hangs until aborted, as a receiver that accepted the connection and
      // never answered; the retry is answered.
      fetch: (_, init) => {
        calls++
        if (calls > 1) return Promise.resolve(new Response(null, { status: 200 }))
        return new Promise((_resolve, reject) => {
          init?.signal?.addEventListener('abort', () => {
            aborted.push(String((init.signal?.reason as Error).name))
            reject(init.signal?.reason)
          })
        })
      },
    })
    dispatcher.deliver(delivery('evt_1'))
    await dispatcher.flush()
    expect(aborted).toEqual(['TimeoutError'])
    const [record] = dispatcher.deliveries()
    expect(record!.state).toBe('delivered')
    expect(record!.attempts.map((attempt) => [attempt.status, attempt.error])).toEqual([
      [null, 'TimeoutError'],
      [200, null],
    ])
    expect(record!.attempts[1]!.dueAt - record!.attempts[0]!.dueAt).toBe(3)
  })

  it('still gives up when the sender wraps its signal in AbortSignal.any and a GC runs', async () => {
    // What hung the soak: on Node 20, AbortSignal.any holds its sources weakly, so a timeout
    // signal nothing else holds is collected and the combined signal never aborts.
    setFlagsFromString('--expose-gc')
    const gc = runInNewContext('gc') as () => void
    const dispatcher = dispatcherWith({
      attemptTimeoutMs: 50,
      fetch: (_, init) => {
        const signal = AbortSignal.any([init!.signal!])
        return new Promise((_resolve, reject) =>
          signal.addEventListener('abort', () => reject(signal.reason)),
        )
      },
    })
    dispatcher.deliver(delivery('evt_1'))
    const drained = dispatcher.runDue()
    // Once the attempt is on its way, nothing but the attempt itself holds its deadline.
    await new Promise((resolve) => setTimeout(resolve, 0))
    gc()
    await drained
    expect(dispatcher.deliveries()[0]!.attempts[0]!.error).toBe('TimeoutError')
  })

  it('ends a timed-out attempt even when the sender ignores the abort signal', async () => {
    const dispatcher = dispatcherWith({
      attemptTimeoutMs: 10,
      fetch: () => new Promise<Response>(() => {}),
    })
    dispatcher.deliver(delivery('KYC Success', 'coinflow'))
    await dispatcher.runDue()
    const [record] = dispatcher.deliveries()
    expect(record!.state).toBe('retrying')
    expect(record!.attempts[0]!.error).toBe('TimeoutError')
    dispatcher.close()
  })

  it('counts an answer whose body never ends by its status, within the deadline', async () => {
    const dispatcher = dispatcherWith({
      attemptTimeoutMs: 10,
      fetch: async () => new Response(new ReadableStream({ pull: () => new Promise(() => {}) })),
    })
    dispatcher.deliver(delivery('evt_1'))
    await dispatcher.flush()
    expect(dispatcher.deliveries()[0]!.state).toBe('delivered')
  })

  it('aborts the attempt on its way when closed, and starts no other', async () => {
    const started: string[] = []
    const dispatcher = dispatcherWith({
      fetch: (input, init) => {
        started.push(JSON.parse(String(init?.body)).data.id)
        return new Promise((_resolve, reject) =>
          init?.signal?.addEventListener('abort', () => reject(init.signal?.reason)),
        )
      },
    })
    dispatcher.deliver(delivery('evt_1'))
    dispatcher.deliver(delivery('evt_2'))
    const drained = dispatcher.runDue()
    await new Promise((resolve) => setTimeout(resolve, 0))
    dispatcher.close()
    await drained
    await dispatcher.flush()
    expect(started).toEqual(['evt_1'])
    expect(dispatcher.deliveries().map((record) => record.state)).toEqual(['retrying', 'queued'])
    expect(dispatcher.deliveries()[0]!.attempts[0]!.error).toBe('AbortError')
  })

  it('keeps only the newest finished deliveries, never one still waiting', async () => {
    const clock = createManualClock()
    const dispatcher = dispatcherWith({
      clock,
      retainDeliveries: 3,
      // evt_0 fails and waits for its retry; every other delivery is answered.
      fetch: async (_, init) =>
        new Response(null, {
          status: JSON.parse(String(init?.body)).data.id === 'evt_0' ? 500 : 200,
        }),
    })
    for (let i = 0; i < 8; i++) {
      dispatcher.deliver(delivery(`evt_${i}`))
      await dispatcher.runDue()
    }
    const kept = () => dispatcher.deliveries().map((record) => [record.event, record.state])
    expect(kept()).toEqual([
      ['inquiry.completed evt_0', 'retrying'],
      ['inquiry.completed evt_5', 'delivered'],
      ['inquiry.completed evt_6', 'delivered'],
      ['inquiry.completed evt_7', 'delivered'],
    ])
    expect(dispatcher.forgotten()).toBe(4)

    await dispatcher.flush()
    // evt_0 failed for good: now the oldest finished one, it is the next forgotten.
    expect(kept()).toEqual([
      ['inquiry.completed evt_5', 'delivered'],
      ['inquiry.completed evt_6', 'delivered'],
      ['inquiry.completed evt_7', 'delivered'],
    ])
    expect(dispatcher.forgotten()).toBe(5)
  })

  it('counts dropped deliveries as finished, so a drop fault cannot grow the list either', async () => {
    const bounded = dispatcherWith({
      faults: () => ({ ...noFaults, webhookDropRate: 1 }),
      retainDeliveries: 2,
    })
    for (let i = 0; i < 5; i++) bounded.deliver(delivery(`evt_${i}`))
    expect(bounded.forgotten()).toBe(3)
    expect(bounded.deliveries().map((record) => record.event)).toEqual([
      'inquiry.completed evt_3',
      'inquiry.completed evt_4',
    ])
  })

  it('has at most `concurrency` attempts in flight, started in the order they were raised', async () => {
    const started: string[] = []
    const answers: Array<() => void> = []
    let inFlight = 0
    let most = 0
    const dispatcher = dispatcherWith({
      concurrency: 3,
      fetch: async (_, init) => {
        started.push(JSON.parse(String(init?.body)).data.id)
        most = Math.max(most, ++inFlight)
        await new Promise<void>((resolve) => answers.push(resolve))
        inFlight--
        return new Response(null, { status: 204 })
      },
    })
    for (let i = 0; i < 7; i++) dispatcher.deliver(delivery(`evt_${i}`))
    const flushed = dispatcher.flush()
    // The receiver answers one waiting request per turn, oldest first.
    while (started.length < 7 || answers.length > 0) {
      await new Promise((resolve) => setTimeout(resolve, 0))
      answers.shift()?.()
    }
    await flushed
    expect(most).toBe(3)
    expect(started).toEqual(['evt_0', 'evt_1', 'evt_2', 'evt_3', 'evt_4', 'evt_5', 'evt_6'])
    expect(dispatcher.deliveries().every((record) => record.state === 'delivered')).toBe(true)
  })

  it('attempts a delivery raised just as the previous drain ends', async () => {
    const { received, dispatcher } = setup()
    dispatcher.deliver(delivery('evt_1'))
    const first = dispatcher.runDue()
    await first
    dispatcher.deliver(delivery('evt_2'))
    await dispatcher.runDue()
    expect(eventIds(received)).toEqual(['evt_1', 'evt_2'])
  })
})
