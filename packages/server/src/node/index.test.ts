import { once } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { createManualClock } from '../emulator'
import { createMemoryLogger } from '../logger'
import { isMemoryStore } from '../store/memory'
import {
  createShareflowAppFromEnv,
  readDeploymentEnv,
  readShareflowEnv,
  serveShareflow,
  ShareflowConfigError,
} from '.'

const liveEnv = {
  PERSONA_API_KEY: 'persona_production_secret_value',
  PERSONA_TEMPLATE_ID: 'itmpl_live',
  PERSONA_CONNECTION_ID: 'cxn_live',
  PERSONA_WEBHOOK_SECRET: 'wbhsec_old, wbhsec_new',
  COINFLOW_API_KEY: 'coinflow_secret_value',
  COINFLOW_MERCHANT_ID: 'merchant',
  COINFLOW_WEBHOOK_KEY: 'validation_secret_value',
  COINFLOW_ENV: 'prod',
}

describe('readShareflowEnv', () => {
  it('chooses the emulator when no vendor variable is set', () => {
    expect(readShareflowEnv({ PATH: '/usr/bin' })).toEqual({ mode: 'sandbox' })
  })

  it('reads every variable, with both Persona secrets during a rotation', () => {
    expect(readShareflowEnv(liveEnv)).toEqual({
      mode: 'live',
      persona: {
        apiKey: 'persona_production_secret_value',
        templateId: 'itmpl_live',
        connectionId: 'cxn_live',
        webhookSecrets: ['wbhsec_old', 'wbhsec_new'],
      },
      coinflow: {
        apiKey: 'coinflow_secret_value',
        merchantId: 'merchant',
        env: 'prod',
        webhookKey: 'validation_secret_value',
      },
    })
  })

  it('refuses half a configuration, naming the missing variables but no values', () => {
    const { COINFLOW_WEBHOOK_KEY: _missing, ...partial } = liveEnv
    let error: Error | undefined
    try {
      readShareflowEnv(partial)
    } catch (e) {
      error = e as Error
    }
    expect(error).toBeInstanceOf(ShareflowConfigError)
    expect(error?.message).toContain('COINFLOW_WEBHOOK_KEY')
    for (const secret of Object.values(liveEnv)) expect(error?.message).not.toContain(secret)
  })

  it('refuses an unknown Coinflow environment', () => {
    expect(() => readShareflowEnv({ ...liveEnv, COINFLOW_ENV: 'staging' })).toThrow(/COINFLOW_ENV/)
  })
})

describe('readDeploymentEnv', () => {
  it('keeps the defaults when nothing is set', () => {
    expect(readDeploymentEnv({})).toEqual({
      store: { kind: 'memory' },
      trustedOrigins: [],
      trustProxy: 0,
      rateLimits: undefined,
    })
  })

  it('reads the store, trusted origins, proxies and rate limits', () => {
    expect(
      readDeploymentEnv({
        SHAREFLOW_STORE_URL: 'rediss://:pw@cache.internal:6380/2',
        SHAREFLOW_REDIS_KEY_PREFIX: 'payouts:',
        SHAREFLOW_TRUSTED_ORIGINS: 'https://app.example.com, http://localhost:5173',
        SHAREFLOW_TRUST_PROXY: '2',
        SHAREFLOW_RATE_LIMIT_PER_USER: '120',
        SHAREFLOW_RATE_LIMIT_PER_ADDRESS: 'off',
      }),
    ).toEqual({
      store: { kind: 'redis', url: 'rediss://:pw@cache.internal:6380/2', keyPrefix: 'payouts:' },
      trustedOrigins: ['https://app.example.com', 'http://localhost:5173'],
      trustProxy: 2,
      rateLimits: { perUser: { limit: 120, windowMs: 60_000 }, perAddress: false },
    })
    expect(readDeploymentEnv({ SHAREFLOW_STORE_URL: 'file:.shareflow' }).store).toEqual({
      kind: 'file',
      directory: '.shareflow',
    })
    expect(readDeploymentEnv({ SHAREFLOW_STORE_URL: 'file:///var/lib/shareflow' }).store).toEqual({
      kind: 'file',
      directory: '/var/lib/shareflow',
    })
  })

  it('lists every wrong variable at once, and never repeats the store URL', () => {
    let error: Error | undefined
    try {
      readDeploymentEnv({
        SHAREFLOW_STORE_URL: 'postgres://shareflow:hunter2@db.internal/shareflow',
        SHAREFLOW_TRUSTED_ORIGINS: 'https://app.example.com,https://app.example.com/wallet',
        SHAREFLOW_TRUST_PROXY: '-1',
        SHAREFLOW_RATE_LIMIT_PER_USER: 'fast',
        SHAREFLOW_RATE_LIMIT_PER_ADDRESS: '0',
      })
    } catch (e) {
      error = e as Error
    }
    expect(error).toBeInstanceOf(ShareflowConfigError)
    expect(error?.message.split('\n')).toEqual([
      'Shareflow cannot start with this environment:',
      '- SHAREFLOW_STORE_URL must be redis://…, rediss://…, file:<directory> or memory:.',
      '- SHAREFLOW_TRUSTED_ORIGINS must list origins such as https://app.example.com (scheme and host, no path); "https://app.example.com/wallet" is not one.',
      '- SHAREFLOW_TRUST_PROXY must be a whole number from 0, not "-1".',
      '- SHAREFLOW_RATE_LIMIT_PER_USER must be a whole number from 1, not "fast".',
      '- SHAREFLOW_RATE_LIMIT_PER_ADDRESS must be a whole number from 1, not "0".',
    ])
    expect(error?.message).not.toContain('hunter2')
  })
})

describe('createShareflowAppFromEnv with the deployment from the environment', () => {
  it('warns at start when real keys run on the memory store', async () => {
    const logger = createMemoryLogger()
    const { app } = await createShareflowAppFromEnv({ env: liveEnv, getUser: () => null, logger })
    expect(isMemoryStore(app.shareflow.store)).toBe(true)
    const warnings = logger.records().filter((r) => r.level === 'warn')
    expect(warnings.map((r) => r.msg)).toEqual([
      expect.stringMatching(
        /^Shareflow: real vendor keys on the memory store\..*SHAREFLOW_STORE_URL/,
      ),
    ])
  })

  it('opens the store, trusts the origins and proxies, and limits the rate it is told', async () => {
    const directory = mkdtempSync(path.join(tmpdir(), 'shareflow-env-store-'))
    const logger = createMemoryLogger()
    const { app, deployment } = await createShareflowAppFromEnv({
      env: {
        ...liveEnv,
        SHAREFLOW_STORE_URL: `file:${directory}`,
        SHAREFLOW_TRUSTED_ORIGINS: 'https://wallet.example.com',
        SHAREFLOW_TRUST_PROXY: '1',
        SHAREFLOW_RATE_LIMIT_PER_ADDRESS: '2',
      },
      getUser: () => null,
      logger,
    })
    const server = await serveShareflow({ app, trustProxy: deployment.trustProxy })
    try {
      expect(isMemoryStore(app.shareflow.store)).toBe(false)
      expect(logger.records().filter((r) => r.level === 'warn')).toEqual([])
      const from = (client: string) =>
        fetch(`${server.url}/openapi.json`, {
          headers: { 'X-Forwarded-For': client, Origin: 'https://wallet.example.com' },
        })
      const first = await from('203.0.113.9')
      expect(first.headers.get('Access-Control-Allow-Origin')).toBe('https://wallet.example.com')
      expect((await from('203.0.113.9')).status).toBe(200)
      // The third from that client, as the one proxy in front named it, is over its budget.
      expect((await from('203.0.113.9')).status).toBe(429)
      expect((await from('198.51.100.4')).status).toBe(200)
    } finally {
      await server.close()
      await app.shareflow.store.close()
      rmSync(directory, { recursive: true, force: true })
    }
  })
})

describe('createShareflowAppFromEnv and serveShareflow', () => {
  it('runs on the emulator without keys, says so once, and serves over HTTP', async () => {
    const clock = createManualClock()
    const logger = createMemoryLogger({ clock })
    const { app, emulator } = await createShareflowAppFromEnv({
      env: {},
      getUser: () => null,
      logger,
      clock,
      emulator: { clock },
    })
    expect(emulator).not.toBeNull()
    expect(logger.records().filter((r) => /emulated/.test(r.msg))).toHaveLength(1)
    const server = await serveShareflow({ app })
    try {
      const response = await fetch(`${server.url}/openapi.json`)
      expect(response.status).toBe(200)
      expect(((await response.json()) as { openapi: string }).openapi).toBe('3.1.0')
      expect((await fetch(`${server.url}/session`)).status).toBe(401)
    } finally {
      await server.close()
      emulator?.close()
    }
  })

  it('talks to the vendors when keys are set, and logs no key', async () => {
    const logger = createMemoryLogger()
    const { app, emulator } = await createShareflowAppFromEnv({
      env: liveEnv,
      getUser: () => null,
      logger,
    })
    expect(emulator).toBeNull()
    expect(app.shareflow.coinflow.env).toBe('prod')
    for (const secret of Object.values(liveEnv).filter((v) => v.length > 8)) {
      expect(logger.lines.join('\n')).not.toContain(secret)
    }
  })
})

describe('serveShareflow', () => {
  const streamForever = {
    fetch: () =>
      new Response(
        new ReadableStream({ start: (c) => c.enqueue(new TextEncoder().encode(': hi\n\n')) }),
        {
          headers: { 'Content-Type': 'text/event-stream' },
        },
      ),
  }

  it('closes while a browser holds an event stream open, and frees the port', async () => {
    const server = await serveShareflow({ app: streamForever })
    const held = request(server.url)
    held.on('error', () => undefined)
    held.end()
    const [response] = (await once(held, 'response')) as [import('node:http').IncomingMessage]
    await once(response, 'data')

    await server.close()
    const again = await serveShareflow({ app: streamForever, port: server.port })
    await again.close()
    held.destroy()
  })

  it('refuses a port that is taken, so the caller can wait for it', async () => {
    const server = await serveShareflow({ app: streamForever })
    try {
      await expect(serveShareflow({ app: streamForever, port: server.port })).rejects.toMatchObject(
        {
          code: 'EADDRINUSE',
        },
      )
    } finally {
      await server.close()
    }
  })
})
