import { once } from 'node:events'
import { request } from 'node:http'
import { describe, expect, it } from 'vitest'
import { createManualClock } from '../emulator'
import { createMemoryLogger } from '../logger'
import {
  createShareflowAppFromEnv,
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
