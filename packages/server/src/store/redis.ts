import { createRequire } from 'node:module'
import type { Cluster, ClusterNode, ClusterOptions, Redis, SentinelAddress } from 'ioredis'
import { deliver } from './local-pubsub'
import { checkTtl } from './table'
import { StoreUnavailableError, type ShareflowStore } from './types'

/**
 * ioredis is an optional peer of the package: it is loaded (a CommonJS package, so synchronously)
 * only when the store opens its own connection, and `@shareflow/server/node` loads without it.
 */
function loadIoredis(): typeof import('ioredis') {
  try {
    return createRequire(import.meta.url)('ioredis') as typeof import('ioredis')
  } catch (cause) {
    throw new Error('createRedisStore({ url }) needs the ioredis package: install ioredis 5', {
      cause,
    })
  }
}

/** A connection the store runs on: one Redis (standalone, or found through Sentinel) or a Cluster. */
export type RedisStoreClient = Redis | Cluster

export type RedisStoreOptions = (
  | {
      /** `redis://…` or `rediss://…`; the store opens, and closes, its own connections. */
      url: string
      client?: never
      cluster?: never
      sentinel?: never
    }
  | {
      /** Redis Cluster: any of its nodes (the store asks them for the rest), and ioredis's options. */
      cluster: { nodes: ClusterNode[]; options?: ClusterOptions }
      url?: never
      client?: never
      sentinel?: never
    }
  | {
      /** Redis Sentinel: the sentinels to ask and the master set's name; the store follows failovers. */
      sentinel: { sentinels: SentinelAddress[]; name: string; password?: string }
      url?: never
      client?: never
      cluster?: never
    }
  | {
      /**
       * A connection you manage (`new Redis(…)`, `new Redis({ sentinels, name })` or
       * `new Cluster(…)`); the store leaves it open on `close` (it closes its own subscriber).
       */
      client: RedisStoreClient
      url?: never
      cluster?: never
      sentinel?: never
    }
) & {
  /** Put before every key and channel, so several apps can share one Redis. Default `shareflow:`. */
  keyPrefix?: string
}

/** The connection the options describe, opened by the store. */
function openClient(options: RedisStoreOptions): RedisStoreClient {
  if (options.client) return options.client
  const ioredis = loadIoredis()
  if (options.cluster) return new ioredis.Cluster(options.cluster.nodes, options.cluster.options)
  if (options.sentinel) {
    const { sentinels, name, password } = options.sentinel
    return new ioredis.Redis({ sentinels, name, ...(password ? { password } : {}) })
  }
  return new ioredis.Redis(options.url!)
}

/** The masters holding keys: every master of a Cluster (each holds its own slots), else the one. */
const mastersOf = (client: RedisStoreClient): Redis[] =>
  client.isCluster ? (client as Cluster).nodes('master') : [client as Redis]

// Each script touches only KEYS[1], so they also work on Redis Cluster.
const compareAndSetScript = `
local current = redis.call('GET', KEYS[1])
if ARGV[1] == '1' then
  if current ~= ARGV[2] then return 0 end
elseif current then
  return 0
end
if ARGV[4] == '' then
  redis.call('SET', KEYS[1], ARGV[3])
else
  redis.call('SET', KEYS[1], ARGV[3], 'PX', ARGV[4])
end
return 1`

const compareAndDeleteScript = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0`

const incrementScript = `
local fresh = redis.call('EXISTS', KEYS[1]) == 0
local count = redis.call('INCR', KEYS[1])
if fresh then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return count`

/**
 * The store for several BFF instances behind a load balancer: they share one Redis.
 *
 * Guarantees:
 * - Every operation is atomic across all instances: single commands (`SET NX PX`, `DEL`) or Lua
 *   scripts on one key (`compareAndSet`, `compareAndDelete`, `increment`).
 * - A write is as durable as the Redis server is configured to make it: for the payout journal,
 *   run Redis with `appendonly yes` (`appendfsync always` survives a Redis crash with nothing
 *   lost; the default `everysec` may lose the last second). A BFF crash loses nothing.
 * - Pub/sub goes through a second connection (a subscribed Redis connection can't run commands)
 *   and reaches every instance subscribed when the message is published; Redis keeps no
 *   backlog, so a message published while an instance is disconnected is not delivered to it.
 * - TTLs run on the Redis server's clock.
 * - While the connection is down (Redis stopped, restarting, unreachable), every call fails at
 *   once with `StoreUnavailableError` rather than waiting in the client's queue for a
 *   reconnect; a request then answers `503 upstream_unavailable` promptly, and the store serves
 *   again as soon as the client reconnects. Calls made before the first connection wait for it.
 *
 * - Redis Cluster (`cluster`) and Sentinel (`sentinel`) work as one Redis does: every script
 *   touches one key, so each runs on that key's master; `keys` scans every master of a Cluster;
 *   pub/sub reaches every node's subscribers (Cluster broadcasts PUBLISH).
 *
 * Needs a runtime with TCP sockets (ioredis): Node, Bun, Deno.
 *
 * @example
 * const store = createRedisStore({ url: 'redis://127.0.0.1:6379', keyPrefix: 'shareflow:' })
 * const clustered = createRedisStore({ cluster: { nodes: [{ host: 'redis-1', port: 6379 }] } })
 * const failover = createRedisStore({ sentinel: { sentinels: [{ host: 'sentinel', port: 26379 }], name: 'shareflow' } })
 */
export function createRedisStore(options: RedisStoreOptions): ShareflowStore {
  const { keyPrefix = 'shareflow:' } = options
  const ownsClient = options.client === undefined
  const client = openClient(options)
  if ((client.options as { keyPrefix?: string }).keyPrefix) {
    // ioredis would prefix commands but not SCAN patterns or channels: one prefix, ours.
    throw new Error(
      'createRedisStore: pass a client without its own `keyPrefix` and use the `keyPrefix` option',
    )
  }
  const channels = new Map<string, Channel>()
  let subscriber: RedisStoreClient | null = null
  let closing: Promise<void> | null = null
  // `undefined` until the first connection attempt settles: calls wait for that one in the
  // client's queue. Afterwards, a lost connection fails calls at once instead of queueing them.
  let reachable: boolean | undefined = client.status === 'ready' ? true : undefined
  const watch = (connection: RedisStoreClient) => {
    connection.on('ready', () => (reachable = true))
    connection.on('close', () => (reachable = false))
    // The client reconnects on its own; without a listener ioredis prints every failed attempt.
    connection.on('error', () => (reachable = connection.status === 'ready'))
  }
  watch(client)

  const ensureOpen = () => {
    if (closing) throw new Error('The Redis store is closed')
    if (reachable === false) throw unavailable()
  }

  const connectSubscriber = (): RedisStoreClient => {
    if (subscriber) return subscriber
    subscriber = client.duplicate()
    subscriber.on('error', () => {})
    subscriber.on('message', (name: string, message: string) => {
      const channel = channels.get(name)
      if (channel === undefined) return
      for (const listener of [...channel.listeners]) {
        deliver(name.slice(keyPrefix.length), listener, message)
      }
    })
    return subscriber
  }

  const store: ShareflowStore = {
    async get(key) {
      ensureOpen()
      return client.get(keyPrefix + key)
    },
    async set(key, value, options) {
      ensureOpen()
      if (options?.ttlMs === undefined) await client.set(keyPrefix + key, value)
      else await client.set(keyPrefix + key, value, 'PX', checkTtl(options.ttlMs))
    },
    async setIfAbsent(key, value, options) {
      ensureOpen()
      const reply =
        options?.ttlMs === undefined
          ? await client.set(keyPrefix + key, value, 'NX')
          : await client.set(keyPrefix + key, value, 'PX', checkTtl(options.ttlMs), 'NX')
      return reply === 'OK'
    },
    async compareAndSet(key, expected, value, options) {
      ensureOpen()
      const ttl = options?.ttlMs === undefined ? '' : String(checkTtl(options.ttlMs))
      const written = await client.eval(
        compareAndSetScript,
        1,
        keyPrefix + key,
        expected === null ? '0' : '1',
        expected ?? '',
        value,
        ttl,
      )
      return written === 1
    },
    async compareAndDelete(key, expected) {
      ensureOpen()
      return (await client.eval(compareAndDeleteScript, 1, keyPrefix + key, expected)) === 1
    },
    async delete(key) {
      ensureOpen()
      await client.del(keyPrefix + key)
    },
    async keys(prefix) {
      ensureOpen()
      const pattern = escapeGlob(keyPrefix + prefix) + '*'
      const found = new Set<string>()
      // A Cluster spreads keys over its masters by hash slot: each is scanned in turn.
      for (const master of mastersOf(client)) {
        let cursor = '0'
        do {
          const [next, batch] = await master.scan(cursor, 'MATCH', pattern, 'COUNT', 1000)
          // SCAN may return a key more than once while Redis rehashes; the set drops repeats.
          for (const key of batch) found.add(key.slice(keyPrefix.length))
          cursor = next
        } while (cursor !== '0')
      }
      return [...found].sort()
    },
    async increment(key, ttlMs) {
      ensureOpen()
      return Number(await client.eval(incrementScript, 1, keyPrefix + key, checkTtl(ttlMs)))
    },
    async publish(channel, message) {
      ensureOpen()
      await client.publish(keyPrefix + channel, message)
    },
    async subscribe(channel, listener) {
      ensureOpen()
      const name = keyPrefix + channel
      let entry = channels.get(name)
      if (entry === undefined) {
        entry = { listeners: new Set(), subscribed: connectSubscriber().subscribe(name) }
        channels.set(name, entry)
      }
      const current = entry
      // A wrapper per call, so one function subscribed twice is also delivered to twice.
      const subscription = (message: string) => listener(message)
      current.listeners.add(subscription)
      const forget = async () => {
        current.listeners.delete(subscription)
        if (current.listeners.size > 0 || channels.get(name) !== current) return
        channels.delete(name)
        if (!closing) await subscriber?.unsubscribe(name)
      }
      try {
        // Resolving only once Redis confirmed SUBSCRIBE means a publish after this is received.
        await current.subscribed
      } catch (error) {
        await forget()
        throw error
      }
      let active = true
      return async () => {
        if (!active) return
        active = false
        await forget()
      }
    },
    close() {
      closing ??= (async () => {
        channels.clear()
        await Promise.all([
          subscriber && disconnect(subscriber),
          ownsClient ? disconnect(client) : undefined,
        ])
      })()
      return closing
    },
  }
  return guardConnection(store)
}

const unavailable = (cause?: unknown) =>
  new StoreUnavailableError('The Redis store cannot reach Redis', { cause })

/** ioredis's ways of saying a command never got an answer because the connection is gone. */
const connectionLost = (error: unknown) =>
  error instanceof Error &&
  (error.name === 'MaxRetriesPerRequestError' ||
    error.name === 'ClusterAllFailedError' ||
    /Connection is closed|Stream isn't writeable|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|None of startup nodes is available|Cluster isn't ready/.test(
      error.message,
    ))

/** Every operation but `close`, with a lost connection reported as `StoreUnavailableError`. */
function guardConnection(store: ShareflowStore): ShareflowStore {
  const guarded = { ...store }
  for (const name of Object.keys(store) as (keyof ShareflowStore)[]) {
    if (name === 'close') continue
    const operation = store[name] as (...args: unknown[]) => Promise<unknown>
    ;(guarded as Record<string, unknown>)[name] = (...args: unknown[]) =>
      operation(...args).catch((error: unknown) => {
        throw connectionLost(error) ? unavailable(error) : error
      })
  }
  return guarded
}

interface Channel {
  listeners: Set<(message: string) => void>
  subscribed: Promise<unknown>
}

/** QUIT lets replies in flight arrive; a connection that isn't up is just dropped. */
async function disconnect(connection: RedisStoreClient) {
  if (connection.status === 'ready') await connection.quit()
  else connection.disconnect()
}

/** SCAN's MATCH is a glob; a prefix like `p*[?]` must match only itself. */
function escapeGlob(text: string): string {
  return text.replace(/[\\*?[\]]/g, '\\$&')
}
