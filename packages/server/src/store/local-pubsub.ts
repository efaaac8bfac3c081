/**
 * Publish/subscribe inside one process, for the stores that serve a single BFF instance.
 *
 * Messages are delivered on a later microtask, never inside `publish`, so a listener sees the
 * same ordering and re-entrancy as with Redis: in publish order, after the publisher moved on.
 *
 * Web Standards only.
 */
export interface LocalPubSub {
  publish(channel: string, message: string): void
  subscribe(channel: string, listener: (message: string) => void): () => void
  clear(): void
}

export function createLocalPubSub(): LocalPubSub {
  const channels = new Map<string, Set<(message: string) => void>>()

  return {
    publish(channel, message) {
      const listeners = channels.get(channel)
      if (listeners === undefined) return
      // Only those subscribed when the message was published receive it, as with Redis.
      const receivers = [...listeners]
      queueMicrotask(() => {
        for (const listener of receivers) {
          if (listeners.has(listener)) deliver(channel, listener, message)
        }
      })
    },
    subscribe(channel, listener) {
      // A wrapper per call, so one function subscribed twice is also delivered to twice.
      const subscription = (message: string) => listener(message)
      const listeners = channels.get(channel) ?? new Set()
      listeners.add(subscription)
      channels.set(channel, listeners)
      return () => {
        listeners.delete(subscription)
        if (listeners.size === 0 && channels.get(channel) === listeners) channels.delete(channel)
      }
    },
    clear() {
      // Emptying each set also drops messages already queued for delivery.
      for (const listeners of channels.values()) listeners.clear()
      channels.clear()
    },
  }
}

/**
 * Calls one listener, keeping its failure from reaching the publisher or the other listeners.
 * Shared with the Redis store, whose listeners run inside ioredis' socket handler.
 */
export function deliver(channel: string, listener: (message: string) => void, message: string) {
  try {
    listener(message)
  } catch (error) {
    // The message itself is left out: it may carry a user's data.
    console.error(`shareflow store: a subscriber of channel "${channel}" threw`, error)
  }
}
