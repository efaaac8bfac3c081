import { describe, expect, it } from 'vitest'
import { createWebhookDispatcher, retrySchedules } from './webhooks'
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
})
