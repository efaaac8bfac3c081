import type { ShareflowEvent } from '@shareflow/contract'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import {
  createEventStream,
  createEventStreamParser,
  type LiveStatus,
  type ServerSentEvent,
} from './event-stream'

function parse(chunks: string[]) {
  const events: ServerSentEvent[] = []
  const retries: number[] = []
  const parser = createEventStreamParser(
    (e) => events.push(e),
    (ms) => retries.push(ms),
  )
  for (const chunk of chunks) parser.push(chunk)
  parser.end()
  return { events, retries }
}

describe('createEventStreamParser', () => {
  it('reads event, data and id fields, and dispatches on a blank line', () => {
    const { events } = parse(['event: kyc.updated\ndata: {"a":1}\nid: 7\n\n'])
    expect(events).toEqual([{ event: 'kyc.updated', data: '{"a":1}', id: '7' }])
  })

  it('joins multi-line data and defaults the type to message', () => {
    const { events } = parse(['data: one\ndata:two\n\n'])
    expect(events).toEqual([{ event: 'message', data: 'one\ntwo', id: undefined }])
  })

  it('copes with chunks split anywhere, including between \\r and \\n', () => {
    const text = 'event: a\r\ndata: x\r\n\r\nevent: b\rdata: y\r\r'
    for (let cut = 1; cut < text.length; cut++) {
      const { events } = parse([text.slice(0, cut), text.slice(cut)])
      expect(events.map((e) => [e.event, e.data])).toEqual([
        ['a', 'x'],
        ['b', 'y'],
      ])
    }
  })

  it('ignores comments, a leading byte-order mark and an unterminated last message', () => {
    const { events } = parse(['\ufeff: heartbeat\n\ndata: kept\n\ndata: lost'])
    expect(events.map((e) => e.data)).toEqual(['kept'])
  })

  it('keeps the last id for later messages and reports retry hints', () => {
    const { events, retries } = parse(['id: 1\ndata: a\n\nretry: 2500\ndata: b\n\nretry: soon\n\n'])
    expect(events.map((e) => e.id)).toEqual(['1', '1'])
    expect(retries).toEqual([2500])
  })
})

const kycEvent: ShareflowEvent = {
  type: 'kyc.updated',
  kyc: { state: 'approved', nextAction: 'none', updatedAt: '2026-11-22T12:00:00.000Z' },
}

/** A controllable stream the test writes SSE text into. */
function sseResponse() {
  let controller!: ReadableStreamDefaultController<Uint8Array>
  const body = new ReadableStream<Uint8Array>({
    start: (c) => {
      controller = c
    },
  })
  const encoder = new TextEncoder()
  return {
    response: new Response(body, { headers: { 'content-type': 'text/event-stream' } }),
    write: (text: string) => controller.enqueue(encoder.encode(text)),
    close: () => controller.close(),
  }
}

describe('createEventStream', () => {
  beforeEach(() => {
    vi.useFakeTimers()
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  const read = ({ data }: ServerSentEvent) => JSON.parse(data) as ShareflowEvent

  it('shares one connection between subscribers and delivers each event to all of them', async () => {
    const stream = sseResponse()
    const open = vi.fn(async () => stream.response)
    const eventStream = createEventStream({ open, read })
    const a: ShareflowEvent[] = []
    const b: ShareflowEvent[] = []
    eventStream.subscribe({ onEvent: (e) => a.push(e) })
    eventStream.subscribe({ onEvent: (e) => b.push(e) })
    await vi.advanceTimersByTimeAsync(0)
    stream.write(`event: kyc.updated\ndata: ${JSON.stringify(kycEvent)}\n\n`)
    await vi.advanceTimersByTimeAsync(0)
    expect(open).toHaveBeenCalledTimes(1)
    expect(eventStream.status).toBe('live')
    expect(a).toEqual([kycEvent])
    expect(b).toEqual([kycEvent])
  })

  it('tells a subscriber that joins a stream already up where it stands', async () => {
    const eventStream = createEventStream({ open: async () => sseResponse().response, read })
    eventStream.subscribe({})
    await vi.advanceTimersByTimeAsync(0)
    const statuses: LiveStatus[] = []
    eventStream.subscribe({ onStatusChange: (status) => statuses.push(status) })
    expect(statuses).toEqual(['live'])
  })

  it('keeps one connection through an unmount and remount in the same tick (StrictMode)', async () => {
    const open = vi.fn(async () => sseResponse().response)
    const eventStream = createEventStream({ open, read })
    const unsubscribe = eventStream.subscribe({})
    unsubscribe()
    const again = eventStream.subscribe({})
    await vi.advanceTimersByTimeAsync(10)
    expect(open).toHaveBeenCalledTimes(1)
    again()
    await vi.advanceTimersByTimeAsync(10)
    expect(eventStream.status).toBe('idle')
  })

  it('closes the connection after the last subscriber leaves', async () => {
    let signal: AbortSignal | undefined
    const eventStream = createEventStream({
      open: async (_id, s) => {
        signal = s
        return sseResponse().response
      },
      read,
    })
    const unsubscribe = eventStream.subscribe({})
    await vi.advanceTimersByTimeAsync(0)
    unsubscribe()
    await vi.advanceTimersByTimeAsync(1)
    expect(signal?.aborted).toBe(true)
    expect(eventStream.status).toBe('idle')
  })

  it('reconnects with Last-Event-ID after the stream ends, then reconciles by polling once', async () => {
    const first = sseResponse()
    const ids: (string | undefined)[] = []
    const poll = vi.fn()
    const eventStream = createEventStream({
      open: async (id) => {
        ids.push(id)
        return ids.length === 1 ? first.response : sseResponse().response
      },
      read,
      random: () => 1,
    })
    eventStream.subscribe({ poll })
    await vi.advanceTimersByTimeAsync(0)
    first.write(`id: 41\ndata: ${JSON.stringify(kycEvent)}\n\n`)
    first.close()
    await vi.advanceTimersByTimeAsync(999)
    expect(ids).toEqual([undefined])
    await vi.advanceTimersByTimeAsync(1)
    expect(ids).toEqual([undefined, '41'])
    expect(poll).toHaveBeenCalledTimes(1)
    expect(eventStream.status).toBe('live')
  })

  it('falls back to polling, with the reconnect backoff, when the stream keeps failing', async () => {
    const statuses: LiveStatus[] = []
    const pollTimes: number[] = []
    const start = Date.now()
    const eventStream = createEventStream({
      open: async () => {
        throw new TypeError('Failed to fetch')
      },
      read,
      random: () => 1,
      reconnectMaxMs: 60_000,
    })
    eventStream.subscribe({
      poll: () => pollTimes.push(Date.now() - start),
      onStatusChange: (s) => statuses.push(s),
    })
    await vi.advanceTimersByTimeAsync(20_000)
    expect(statuses).toEqual(['connecting', 'polling'])
    // Failures at 0 s and 1 s (→ polling), then each attempt polls, 2 s, 4 s, 8 s apart.
    expect(pollTimes.slice(0, 4)).toEqual([1_000, 3_000, 7_000, 15_000])
  })

  it('polls at once when the BFF has no event stream (404)', async () => {
    const poll = vi.fn()
    const eventStream = createEventStream({
      open: async () => new Response('{}', { status: 404 }),
      read,
      random: () => 1,
    })
    eventStream.subscribe({ poll })
    await vi.advanceTimersByTimeAsync(2_000)
    expect(eventStream.status).toBe('polling')
    expect(poll).toHaveBeenCalledTimes(1)
  })

  it('stops polling once the stream is back', async () => {
    let attempts = 0
    const poll = vi.fn()
    const eventStream = createEventStream({
      open: async () => {
        attempts++
        if (attempts < 4) throw new TypeError('offline')
        return sseResponse().response
      },
      read,
      random: () => 1,
    })
    eventStream.subscribe({ poll })
    await vi.advanceTimersByTimeAsync(8_000)
    expect(eventStream.status).toBe('live')
    const polls = poll.mock.calls.length
    await vi.advanceTimersByTimeAsync(50_000)
    expect(poll.mock.calls.length).toBe(polls)
  })

  it('reconnects when the stream goes silent longer than the idle timeout', async () => {
    const open = vi.fn(async () => sseResponse().response)
    const eventStream = createEventStream({ open, read, random: () => 1, idleTimeoutMs: 5_000 })
    eventStream.subscribe({})
    await vi.advanceTimersByTimeAsync(5_000 + 1_000)
    expect(open).toHaveBeenCalledTimes(2)
  })

  it('skips messages the reader rejects without dropping the stream', async () => {
    const stream = sseResponse()
    const seen: ShareflowEvent[] = []
    const eventStream = createEventStream({
      open: async () => stream.response,
      read: (m) => (m.data.startsWith('{') ? read(m) : undefined),
    })
    eventStream.subscribe({ onEvent: (e) => seen.push(e) })
    await vi.advanceTimersByTimeAsync(0)
    stream.write(`data: garbage\n\ndata: ${JSON.stringify(kycEvent)}\n\n`)
    await vi.advanceTimersByTimeAsync(0)
    expect(seen).toEqual([kycEvent])
    expect(eventStream.status).toBe('live')
  })
})
