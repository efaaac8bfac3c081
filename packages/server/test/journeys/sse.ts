/** Test-only: reads a Server-Sent Events response message by message. */
import type { ShareflowEvent } from '@shareflow/contract'

export interface ReceivedEvent {
  id?: string
  event?: string
  data: ShareflowEvent
}

export function readEventStream(response: Response, controller?: AbortController) {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader()
  let buffer = ''
  const pending: ReceivedEvent[] = []
  let comments = 0
  // One read outstanding at a time: a read abandoned by a timeout is picked up by the next call,
  // so no chunk is lost.
  let reading: Promise<ReadableStreamReadResult<string>> | null = null

  /** The next message with data; heartbeats (comment lines) are counted and skipped. */
  async function next(timeoutMs = 2_000): Promise<ReceivedEvent> {
    const deadline = Date.now() + timeoutMs
    while (pending.length === 0) {
      const boundary = buffer.indexOf('\n\n')
      if (boundary !== -1) {
        const block = buffer.slice(0, boundary)
        buffer = buffer.slice(boundary + 2)
        const fields: Record<string, string> = {}
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) {
            comments++
            continue
          }
          const at = line.indexOf(':')
          fields[line.slice(0, at)] = line.slice(at + 1).trimStart()
        }
        if (fields.data) {
          pending.push({ id: fields.id, event: fields.event, data: JSON.parse(fields.data) })
        }
        continue
      }
      const left = deadline - Date.now()
      if (left <= 0) throw new Error('no event arrived in time')
      let timer: ReturnType<typeof setTimeout> | undefined
      reading ??= reader.read()
      const chunk = await Promise.race([
        reading,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('no event arrived in time')), left)
        }),
      ]).finally(() => clearTimeout(timer))
      reading = null
      if (chunk.done) throw new Error('the event stream ended')
      buffer += chunk.value
    }
    return pending.shift()!
  }

  /** Resolves `true` if no message arrives within `ms`. */
  async function quiet(ms: number): Promise<boolean> {
    try {
      await next(ms)
      return false
    } catch (error) {
      if ((error as Error).message === 'no event arrived in time') return true
      throw error
    }
  }

  return {
    next,
    quiet,
    headers: response.headers,
    heartbeats: () => comments,
    async close() {
      controller?.abort()
      await reader.cancel().catch(() => undefined)
    },
  }
}
