import type { ShareflowEvent } from '@shareflow/contract'

/** One message of a `text/event-stream`, before the kit reads its `data`. */
export interface ServerSentEvent {
  event: string
  data: string
  /** The last event id seen so far on this stream (ids persist across messages). */
  id: string | undefined
}

/**
 * An incremental `text/event-stream` parser, as the HTML standard's EventSource parses: fields
 * `event`, `data`, `id`, `retry`; comments; `\r\n`, `\r` or `\n` line ends; chunks split anywhere.
 *
 * @see https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation
 */
export function createEventStreamParser(
  onEvent: (event: ServerSentEvent) => void,
  onRetry: (ms: number) => void = () => {},
): { push(chunk: string): void; end(): void } {
  let buffer = ''
  let started = false
  let eventType = ''
  let data: string[] = []
  let lastId: string | undefined

  const line = (text: string) => {
    if (text === '') {
      if (data.length > 0)
        onEvent({ event: eventType || 'message', data: data.join('\n'), id: lastId })
      data = []
      eventType = ''
      return
    }
    if (text.startsWith(':')) return
    const colon = text.indexOf(':')
    const field = colon === -1 ? text : text.slice(0, colon)
    let value = colon === -1 ? '' : text.slice(colon + 1)
    if (value.startsWith(' ')) value = value.slice(1)
    if (field === 'event') eventType = value
    else if (field === 'data') data.push(value)
    else if (field === 'id' && !value.includes('\0')) lastId = value
    else if (field === 'retry' && /^\d+$/.test(value)) onRetry(Number(value))
  }

  const drain = (final: boolean) => {
    for (;;) {
      const end = buffer.search(/[\r\n]/)
      if (end === -1) break
      // A lone `\r` at the very end may be the first half of `\r\n`: wait for the next chunk.
      if (buffer[end] === '\r' && end === buffer.length - 1 && !final) break
      const width = buffer[end] === '\r' && buffer[end + 1] === '\n' ? 2 : 1
      line(buffer.slice(0, end))
      buffer = buffer.slice(end + width)
    }
  }

  return {
    push(chunk) {
      buffer += chunk
      if (!started && buffer.length > 0) {
        started = true
        if (buffer.charCodeAt(0) === 0xfeff) buffer = buffer.slice(1)
      }
      drain(false)
    },
    end() {
      drain(true)
      // An unterminated last message is discarded, as EventSource does.
      buffer = ''
      data = []
    },
  }
}

/**
 * How the kit is hearing about changes: `live` over the SSE stream; `polling` while the stream is
 * unavailable (each subscriber's `poll` runs at every reconnect attempt, so with the same
 * backoff); `connecting` in between; `idle` when nobody listens.
 */
export type LiveStatus = 'idle' | 'connecting' | 'live' | 'polling'

export interface EventSubscriber {
  onEvent?(event: ShareflowEvent): void
  /** Re-reads whatever this subscriber shows; called while polling and after a reconnect. */
  poll?(): unknown
  onStatusChange?(status: LiveStatus): void
}

export interface EventStreamTimings {
  /** First reconnect delay; doubles per failure up to `reconnectMaxMs` (or the server's `retry:`). */
  reconnectBaseMs: number
  reconnectMaxMs: number
  /** Consecutive failed connects after which the stream polls at each further attempt. */
  pollAfterFailures: number
  /** Reconnect when the stream is silent this long (a proxy may have dropped it). */
  idleTimeoutMs: number
}

export interface EventStreamOptions extends Partial<EventStreamTimings> {
  /** Opens the stream, sending `Last-Event-ID` when one is known. */
  open(lastEventId: string | undefined, signal: AbortSignal): Promise<Response>
  /** Reads one message into a contract event, or `undefined` to skip it. */
  read(message: ServerSentEvent): ShareflowEvent | undefined
  random?: () => number
}

export interface EventStream {
  subscribe(subscriber: EventSubscriber): () => void
  readonly status: LiveStatus
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    signal.addEventListener('abort', done)
  })

/** Statuses that mean "this BFF has no stream for us": poll at once instead of retrying blind. */
const NO_STREAM = [404, 405, 501]

/**
 * One shared SSE connection for any number of subscribers: opened for the first, closed after the
 * last leaves (a tick later, so React StrictMode's unmount/remount keeps one connection).
 * Reconnects with exponential backoff and jitter, resumes with `Last-Event-ID`, and polls while
 * the stream is down, never as the main path.
 */
export function createEventStream(options: EventStreamOptions): EventStream {
  const {
    reconnectBaseMs = 1_000,
    reconnectMaxMs = 30_000,
    pollAfterFailures = 2,
    idleTimeoutMs = 60_000,
    random = Math.random,
  } = options
  const subscribers = new Set<EventSubscriber>()
  let status: LiveStatus = 'idle'
  let controller: AbortController | undefined
  let stopTimer: ReturnType<typeof setTimeout> | undefined
  let lastEventId: string | undefined
  let serverRetryMs: number | undefined

  const each = (call: (subscriber: EventSubscriber) => unknown) =>
    Promise.allSettled([...subscribers].map(async (subscriber) => call(subscriber)))
  const setStatus = (next: LiveStatus) => {
    if (next === status) return
    status = next
    void each((s) => s.onStatusChange?.(next))
  }

  const readStream = async (body: ReadableStream<Uint8Array>, signal: AbortSignal) => {
    const reader = body.getReader()
    const decoder = new TextDecoder()
    const parser = createEventStreamParser(
      (message) => {
        lastEventId = message.id
        const event = options.read(message)
        if (event) for (const subscriber of [...subscribers]) subscriber.onEvent?.(event)
      },
      (ms) => (serverRetryMs = ms),
    )
    let idle: ReturnType<typeof setTimeout> | undefined
    const cancel = () => void reader.cancel().catch(() => {})
    signal.addEventListener('abort', cancel)
    try {
      for (;;) {
        clearTimeout(idle)
        idle = setTimeout(cancel, idleTimeoutMs)
        const { done, value } = await reader.read()
        if (done) break
        parser.push(decoder.decode(value, { stream: true }))
      }
      parser.end()
    } finally {
      clearTimeout(idle)
      signal.removeEventListener('abort', cancel)
    }
  }

  const run = async (signal: AbortSignal) => {
    let failures = 0
    let wasLive = false
    while (!signal.aborted) {
      if (status !== 'polling') setStatus('connecting')
      let live = false
      try {
        const response = await options.open(lastEventId, signal)
        const body = response.body
        if (!response.ok || !response.headers.get('content-type')?.includes('text/event-stream')) {
          void body?.cancel().catch(() => {})
          if (NO_STREAM.includes(response.status)) failures = pollAfterFailures
          throw new Error(`no event stream (HTTP ${response.status})`)
        }
        live = true
        failures = 0
        setStatus('live')
        // Anything that changed while we were away and the server did not replay: read it again.
        if (wasLive) void each((s) => s.poll?.())
        wasLive = true
        await readStream(body!, signal)
      } catch {
        // Connection errors are expected (offline, proxy, deploy); the loop below retries.
      }
      if (signal.aborted) return
      failures = live ? 1 : failures + 1
      if (failures >= pollAfterFailures) {
        setStatus('polling')
        await each((s) => s.poll?.())
      }
      const delay = Math.min(reconnectMaxMs, serverRetryMs ?? reconnectBaseMs * 2 ** (failures - 1))
      await sleep(delay / 2 + (random() * delay) / 2, signal)
    }
  }

  return {
    get status() {
      return status
    },
    subscribe(subscriber) {
      subscribers.add(subscriber)
      clearTimeout(stopTimer)
      if (!controller) void run((controller = new AbortController()).signal)
      // A stream already up does not change status for a newcomer: tell it where things stand.
      else subscriber.onStatusChange?.(status)
      return () => {
        if (!subscribers.delete(subscriber) || subscribers.size > 0) return
        clearTimeout(stopTimer)
        stopTimer = setTimeout(() => {
          if (subscribers.size > 0) return
          controller?.abort()
          controller = undefined
          setStatus('idle')
        }, 0)
      }
    },
  }
}
