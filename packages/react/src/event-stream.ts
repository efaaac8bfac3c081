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
 * unavailable (each subscriber's `poll` runs with backoff); `connecting` in between; `idle` when
 * nobody listens.
 */
export type LiveStatus = 'idle' | 'connecting' | 'live' | 'polling'

export interface EventSubscriber {
  onEvent?(event: ShareflowEvent): void
  /** Re-reads whatever this subscriber shows; called while polling and after a reconnect. */
  poll?(): unknown
  onStatusChange?(status: LiveStatus): void
}

export interface EventHubTimings {
  /** First reconnect delay; doubles per failure (or the server's `retry:`). Default 1 s. */
  reconnectBaseMs: number
  reconnectMaxMs: number
  /** Consecutive failed connects after which the hub polls while it keeps reconnecting. */
  pollAfterFailures: number
  /** First poll delay; grows 1.5× per poll up to `pollMaxMs`. */
  pollBaseMs: number
  pollMaxMs: number
  /** Reconnect when the stream is silent this long (a proxy may have dropped it). */
  idleTimeoutMs: number
}

export const defaultEventHubTimings: EventHubTimings = {
  reconnectBaseMs: 1_000,
  reconnectMaxMs: 30_000,
  pollAfterFailures: 2,
  pollBaseMs: 2_000,
  pollMaxMs: 30_000,
  idleTimeoutMs: 60_000,
}

export interface EventHubOptions extends Partial<EventHubTimings> {
  /** Opens the stream, sending `Last-Event-ID` when one is known. */
  open(lastEventId: string | undefined, signal: AbortSignal): Promise<Response>
  /** Reads one message into a contract event, or `undefined` to skip it. */
  read(message: ServerSentEvent): ShareflowEvent | undefined
  random?: () => number
}

export interface EventHub {
  subscribe(subscriber: EventSubscriber): () => void
  readonly status: LiveStatus
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) return resolve()
    const timer = setTimeout(done, ms)
    function done() {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
    signal.addEventListener('abort', done)
  })

/** Statuses that mean "this BFF has no stream for us": poll at once instead of retrying blind. */
const NO_STREAM = new Set([404, 405, 501])

/**
 * One shared SSE connection for any number of subscribers: opened for the first, closed after the
 * last leaves (a tick later, so React StrictMode's unmount/remount keeps one connection).
 * Reconnects with exponential backoff and jitter, resumes with `Last-Event-ID`, and polls with
 * backoff while the stream is down, never as the main path.
 */
export function createEventHub(options: EventHubOptions): EventHub {
  const timings = { ...defaultEventHubTimings, ...options }
  const random = options.random ?? Math.random
  const subscribers = new Set<EventSubscriber>()
  let status: LiveStatus = 'idle'
  let controller: AbortController | undefined
  let stopTimer: ReturnType<typeof setTimeout> | undefined
  let pollTimer: ReturnType<typeof setTimeout> | undefined
  let pollDelay = timings.pollBaseMs
  let lastEventId: string | undefined
  let serverRetryMs: number | undefined

  const setStatus = (next: LiveStatus) => {
    if (next === status) return
    status = next
    for (const subscriber of [...subscribers]) subscriber.onStatusChange?.(next)
  }

  const pollAll = () => Promise.allSettled([...subscribers].map(async (s) => s.poll?.()))

  const schedulePoll = () => {
    if (pollTimer !== undefined) return
    pollTimer = setTimeout(async () => {
      await pollAll()
      pollTimer = undefined
      pollDelay = Math.min(timings.pollMaxMs, pollDelay * 1.5)
      if (status === 'polling') schedulePoll()
    }, pollDelay)
  }

  const stopPolling = () => {
    clearTimeout(pollTimer)
    pollTimer = undefined
    pollDelay = timings.pollBaseMs
  }

  const readStream = async (body: ReadableStream<Uint8Array>, signal: AbortSignal) => {
    const reader = body.getReader()
    const decoder = new TextDecoder()
    const parser = createEventStreamParser(
      (message) => {
        lastEventId = message.id
        const event = options.read(message)
        if (!event) return
        for (const subscriber of [...subscribers]) subscriber.onEvent?.(event)
      },
      (ms) => {
        serverRetryMs = ms
      },
    )
    let idle: ReturnType<typeof setTimeout> | undefined
    const cancel = () => void reader.cancel().catch(() => {})
    const armIdle = () => {
      clearTimeout(idle)
      idle = setTimeout(cancel, timings.idleTimeoutMs)
    }
    signal.addEventListener('abort', cancel)
    try {
      armIdle()
      for (;;) {
        const { done, value } = await reader.read()
        if (done) break
        armIdle()
        parser.push(decoder.decode(value, { stream: true }))
      }
      parser.push(decoder.decode())
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
        const type = response.headers.get('content-type') ?? ''
        if (!response.ok || !type.includes('text/event-stream') || !response.body) {
          void response.body?.cancel().catch(() => {})
          if (NO_STREAM.has(response.status)) failures = timings.pollAfterFailures
          throw new Error(`no event stream (HTTP ${response.status})`)
        }
        live = true
        failures = 0
        stopPolling()
        setStatus('live')
        // Anything that changed while we were away and the server did not replay: read it again.
        if (wasLive) void pollAll()
        wasLive = true
        await readStream(response.body, signal)
      } catch {
        // Connection errors are expected (offline, proxy, deploy); the loop below retries.
      }
      if (signal.aborted) return
      failures = live ? 1 : failures + 1
      if (failures >= timings.pollAfterFailures) {
        setStatus('polling')
        schedulePoll()
      }
      const base = serverRetryMs ?? timings.reconnectBaseMs * 2 ** (failures - 1)
      const delay = Math.min(timings.reconnectMaxMs, base)
      await sleep(delay / 2 + (random() * delay) / 2, signal)
    }
  }

  const start = () => {
    clearTimeout(stopTimer)
    stopTimer = undefined
    if (controller) return
    controller = new AbortController()
    void run(controller.signal)
  }

  const stop = () => {
    controller?.abort()
    controller = undefined
    stopPolling()
    setStatus('idle')
  }

  return {
    get status() {
      return status
    },
    subscribe(subscriber) {
      subscribers.add(subscriber)
      start()
      return () => {
        if (!subscribers.delete(subscriber) || subscribers.size > 0) return
        clearTimeout(stopTimer)
        stopTimer = setTimeout(() => {
          if (subscribers.size === 0) stop()
        }, 0)
      }
    },
  }
}
