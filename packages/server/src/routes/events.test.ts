import { ErrorEnvelope, type ShareflowEvent } from '@shareflow/contract'
import { afterEach, describe, expect, it } from 'vitest'
import { readEventStream } from '../../test/journeys/sse'
import { createShareflowApp } from '../app'
import { createManualClock } from '../emulator'
import { createMemoryLogger } from '../logger'
import { createMemoryStore } from '../store/memory'
import { StoreUnavailableError, type ShareflowStore } from '../store/types'

const open: AbortController[] = []
afterEach(() => {
  for (const controller of open.splice(0)) controller.abort()
})

function appOn(store: ShareflowStore, heartbeatMs = 60_000) {
  const clock = createManualClock()
  return createShareflowApp({
    getUser: (c) => {
      const id = c.req.header('x-host-session')
      return id ? { id, email: `${id}@example.com` } : null
    },
    persona: { apiKey: 'persona_sandbox_unit', templateId: 'itmpl_unit', connectionId: 'cxn_unit' },
    coinflow: { apiKey: 'coinflow_unit', merchantId: 'unit' },
    fetch: async () => {
      throw new Error('the event stream never calls a vendor')
    },
    store,
    clock,
    logger: createMemoryLogger({ clock }),
    events: { heartbeatMs },
  })
}

async function connect(app: ReturnType<typeof appOn>, userId: string, lastEventId?: string) {
  const controller = new AbortController()
  open.push(controller)
  const response = await app.request('/events', {
    headers: { 'x-host-session': userId, ...(lastEventId ? { 'Last-Event-ID': lastEventId } : {}) },
    signal: controller.signal,
  })
  expect(response.status).toBe(200)
  expect(response.headers.get('content-type')).toMatch(/text\/event-stream/)
  return readEventStream(response, controller)
}

const news = (): ShareflowEvent => ({ type: 'destinations.updated' })

describe('GET /events', () => {
  it('refuses anonymous requests in the envelope', async () => {
    const response = await appOn(createMemoryStore()).request('/events')
    expect(response.status).toBe(401)
  })

  it('opens with a snapshot of the KYC state, then streams what is published for the user', async () => {
    const app = appOn(createMemoryStore())
    const stream = await connect(app, 'ann')
    expect((await stream.next()).data).toMatchObject({
      type: 'kyc.updated',
      kyc: { state: 'unverified' },
    })
    const published = await app.shareflow.events.publish('ann', news())
    const received = await stream.next()
    expect(received).toEqual({ id: published.id, event: 'destinations.updated', data: news() })
  })

  it('replays what a reconnecting client missed after its Last-Event-ID', async () => {
    const app = appOn(createMemoryStore())
    const first = await app.shareflow.events.publish('ann', news())
    const second = await app.shareflow.events.publish('ann', {
      type: 'kyc.updated',
      kyc: { state: 'pending', nextAction: 'wait', updatedAt: '2026-11-22T12:00:00.000Z' },
    })
    const third = await app.shareflow.events.publish('ann', news())
    const stream = await connect(app, 'ann', first.id)
    expect((await stream.next()).id).toBe(second.id)
    expect((await stream.next()).id).toBe(third.id)
    const fourth = await app.shareflow.events.publish('ann', news())
    expect((await stream.next()).id).toBe(fourth.id)
  })

  it('falls back to a snapshot when the Last-Event-ID is unknown', async () => {
    const app = appOn(createMemoryStore())
    const stream = await connect(app, 'ann', '999999')
    expect((await stream.next()).data.type).toBe('kyc.updated')
  })

  it('never shows one user another user’s events', async () => {
    const app = appOn(createMemoryStore())
    const ann = await connect(app, 'ann')
    await ann.next()
    await app.shareflow.events.publish('bob', news())
    expect(await ann.quiet(100)).toBe(true)
  })

  it('reaches a stream held by another instance sharing the store', async () => {
    const store = createMemoryStore()
    const instanceA = appOn(store)
    const instanceB = appOn(store)
    const stream = await connect(instanceA, 'ann')
    await stream.next()
    const published = await instanceB.shareflow.events.publish('ann', news())
    expect((await stream.next()).id).toBe(published.id)
  })

  it('sends heartbeats while idle', async () => {
    const stream = await connect(appOn(createMemoryStore(), 10), 'ann')
    await stream.next()
    await new Promise((resolve) => setTimeout(resolve, 80))
    await stream.quiet(20)
    expect(stream.heartbeats()).toBeGreaterThanOrEqual(2)
  })

  it('answers 503 with Retry-After, not an empty stream, while the store cannot be reached', async () => {
    const store = createMemoryStore()
    let down = true
    const flaky: ShareflowStore = {
      ...store,
      subscribe: (channel, listener) =>
        down
          ? Promise.reject(new StoreUnavailableError('the store is down'))
          : store.subscribe(channel, listener),
    }
    const app = appOn(flaky)
    const response = await app.request('/events', { headers: { 'x-host-session': 'ann' } })
    expect(response.status).toBe(503)
    expect(ErrorEnvelope.parse(await response.json()).error.code).toBe('upstream_unavailable')
    expect(Number(response.headers.get('Retry-After'))).toBeGreaterThan(0)
    // The refused stream held no slot: with the store back, the user's streams open as before.
    down = false
    for (let i = 0; i < 8; i++) await connect(app, 'ann')
  })

  it('unsubscribes from the store when the client goes away', async () => {
    const store = createMemoryStore()
    let listening = 0
    const counting: ShareflowStore = {
      ...store,
      async subscribe(channel, listener) {
        listening++
        const unsubscribe = await store.subscribe(channel, listener)
        return async () => {
          listening--
          await unsubscribe()
        }
      },
    }
    const stream = await connect(appOn(counting), 'ann')
    await stream.next()
    expect(listening).toBe(1)
    await stream.close()
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(listening).toBe(0)
  })
})
