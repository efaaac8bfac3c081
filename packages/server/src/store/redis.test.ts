import { Cluster, Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import {
  startRedisCluster,
  startRedisSentinel,
  startRedisServer,
  type RedisCluster,
  type RedisSentinel,
  type RedisServer,
} from '../../test/redis-server'
import { describeStoreConformance } from './conformance'
import { createRedisStore } from './redis'
import { StoreUnavailableError } from './types'

let redis: RedisServer
let admin: Redis

beforeAll(async () => {
  redis = await startRedisServer()
  admin = new Redis(redis.url)
})

afterAll(async () => {
  await admin?.quit()
  await redis?.stop()
})

let tests = 0
// Each test gets its own key prefix on the one server, as separate apps sharing a Redis would.
const freshPrefix = () => `test-${++tests}-${crypto.randomUUID()}:`

describeStoreConformance('Redis store', {
  async open() {
    const keyPrefix = freshPrefix()
    return {
      store: createRedisStore({ url: redis.url, keyPrefix }),
      openPeer: async () => createRedisStore({ url: redis.url, keyPrefix }),
    }
  },
  // Redis expires keys on its own clock, so time has to really pass.
  elapse: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  shared: true,
  durable: false,
})

const elapse = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

describe('on a Redis Cluster of three masters', () => {
  let cluster: RedisCluster
  beforeAll(async () => {
    cluster = await startRedisCluster({ masters: 3 })
  }, 60_000)
  afterAll(() => cluster?.stop())

  describeStoreConformance('Redis Cluster store', {
    async open() {
      const keyPrefix = freshPrefix()
      const open = () => createRedisStore({ cluster: { nodes: cluster.nodes }, keyPrefix })
      return { store: open(), openPeer: async () => open() }
    },
    elapse,
    shared: true,
    durable: false,
  })

  it('lists keys held on every master, not only the one it asks first', async () => {
    const store = createRedisStore({ cluster: { nodes: cluster.nodes }, keyPrefix: freshPrefix() })
    const admin = new Cluster(cluster.nodes)
    try {
      const ids = Array.from({ length: 30 }, (_, n) => `payout-open:p${String(n).padStart(2, '0')}`)
      for (const id of ids) await store.set(id, '1')
      // The keys really are spread: each master holds some of them.
      const perMaster = await Promise.all(
        admin.nodes('master').map(async (node) => Number(await node.dbsize())),
      )
      expect(perMaster.filter((count) => count > 0).length).toBe(3)
      expect(await store.keys('payout-open:')).toEqual(ids)
    } finally {
      await store.close()
      await admin.quit()
    }
  })

  it('takes a client the host made itself', async () => {
    const client = new Cluster(cluster.nodes)
    try {
      const store = createRedisStore({ client, keyPrefix: freshPrefix() })
      await store.set('a', '1')
      expect(await store.keys('')).toEqual(['a'])
      await store.close()
      expect(await client.ping()).toBe('PONG')
    } finally {
      await client.quit()
    }
  })
})

describe('through Redis Sentinel', () => {
  let sentinel: RedisSentinel
  beforeAll(async () => {
    sentinel = await startRedisSentinel()
  }, 30_000)
  afterAll(() => sentinel?.stop())

  describeStoreConformance('Redis Sentinel store', {
    async open() {
      const keyPrefix = freshPrefix()
      const open = () =>
        createRedisStore({
          sentinel: { sentinels: [sentinel.sentinel], name: sentinel.name },
          keyPrefix,
        })
      return { store: open(), openPeer: async () => open() }
    },
    elapse,
    shared: true,
    durable: false,
  })

  it('writes to the master the sentinel names', async () => {
    const store = createRedisStore({
      sentinel: { sentinels: [sentinel.sentinel], name: sentinel.name },
      keyPrefix: 'via-sentinel:',
    })
    const master = new Redis(sentinel.master.url)
    try {
      await store.set('k', 'v')
      expect(await master.get('via-sentinel:k')).toBe('v')
    } finally {
      await store.close()
      await master.quit()
    }
  })
})

const clientCount = async () =>
  String(await admin.client('LIST'))
    .trim()
    .split('\n')
    .filter(Boolean).length

describe('Redis store', () => {
  it('keeps stores with different key prefixes apart', async () => {
    const shop = createRedisStore({ url: redis.url, keyPrefix: freshPrefix() })
    const game = createRedisStore({ url: redis.url, keyPrefix: freshPrefix() })
    try {
      const heardByGame: string[] = []
      await game.subscribe('events', (message) => heardByGame.push(message))
      await shop.set('payout:1', 'shop')
      await shop.publish('events', 'for the shop')
      await game.publish('events', 'for the game')
      await vi.waitFor(() => expect(heardByGame).toEqual(['for the game']))
      expect(await game.get('payout:1')).toBeNull()
      expect(await game.keys('')).toEqual([])
      expect(await shop.keys('')).toEqual(['payout:1'])
    } finally {
      await Promise.all([shop.close(), game.close()])
    }
  })

  it('closes both of its connections', async () => {
    const before = await clientCount()
    const store = createRedisStore({ url: redis.url, keyPrefix: freshPrefix() })
    await store.subscribe('events', () => {})
    await store.get('anything')
    expect(await clientCount()).toBe(before + 2)
    await store.close()
    await vi.waitFor(async () => expect(await clientCount()).toBe(before))
  })

  it('leaves a client it was given open, closing only its own subscriber', async () => {
    const client = new Redis(redis.url)
    try {
      const store = createRedisStore({ client, keyPrefix: freshPrefix() })
      await store.subscribe('events', () => {})
      await store.set('k', 'v')
      const before = await clientCount()
      await store.close()
      await vi.waitFor(async () => expect(await clientCount()).toBe(before - 1))
      expect(await client.ping()).toBe('PONG')
    } finally {
      await client.quit()
    }
  })

  it('refuses a client that adds its own key prefix', async () => {
    const client = new Redis(redis.url, { keyPrefix: 'app:', lazyConnect: true })
    expect(() => createRedisStore({ client })).toThrow(/without its own `keyPrefix`/)
    client.disconnect()
  })

  it('publishes to instances that subscribe after it started, not before', async () => {
    const keyPrefix = freshPrefix()
    const first = createRedisStore({ url: redis.url, keyPrefix })
    const second = createRedisStore({ url: redis.url, keyPrefix })
    try {
      await first.publish('events', 'nobody listens yet')
      const heard: string[] = []
      await second.subscribe('events', (message) => heard.push(message))
      await first.publish('events', 'now someone does')
      await vi.waitFor(() => expect(heard).toEqual(['now someone does']))
    } finally {
      await Promise.all([first.close(), second.close()])
    }
  })
})

describe('Redis store while Redis is down', () => {
  it('fails every call at once with StoreUnavailableError, and serves again once Redis is back', async () => {
    const own = await startRedisServer()
    const store = createRedisStore({ url: own.url })
    try {
      await store.set('before', 'kept')
      await own.stop()
      await vi.waitFor(() => expect(store.get('before')).rejects.toThrow(StoreUnavailableError))
      const calls = [
        store.set('during', 'lost'),
        store.setIfAbsent('during', 'lost'),
        store.compareAndSet('before', 'kept', 'changed'),
        store.increment('counter', 1_000),
        store.publish('events', 'nobody hears this'),
        store.subscribe('events', () => {}),
      ]
      for (const call of calls) await expect(call).rejects.toBeInstanceOf(StoreUnavailableError)

      const again = await startRedisServer({ port: own.port })
      try {
        await vi.waitFor(() => store.set('after', 'written'), { timeout: 10_000, interval: 100 })
        expect(await store.get('after')).toBe('written')
      } finally {
        await store.close()
        await again.stop()
      }
    } finally {
      await store.close()
      await own.stop()
    }
  })
})

describe('startRedisServer', () => {
  it('fails with a clear message when redis-server is not installed', async () => {
    await expect(
      startRedisServer({ command: 'redis-server-that-is-not-installed' }),
    ).rejects.toThrow(
      /redis-server-that-is-not-installed is not installed.*apt-get install redis-server/s,
    )
  })
})
