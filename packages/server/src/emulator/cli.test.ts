import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import { afterEach, describe, expect, it } from 'vitest'
import { expectFetchMatchesSpec } from '../../test/openapi'
import { verifyWebhookSignature } from '../webhooks/signature'
import { describeServers, optionsFromEnv, startEmulatorServers, type EmulatorServers } from './cli'

let servers: EmulatorServers | undefined
afterEach(async () => {
  await servers?.close()
  servers = undefined
})

const anyPorts = {
  PERSONA_EMULATOR_PORT: '0',
  COINFLOW_EMULATOR_PORT: '0',
  COINFLOW_UI_EMULATOR_PORT: '0',
}

describe('pnpm emulator (cli.ts)', () => {
  it('serves Persona, Coinflow and the hosted pages over real HTTP on loopback', async () => {
    servers = await startEmulatorServers(anyPorts)
    expect(servers.urls.persona).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(servers.urls.hosted).toMatch(/^http:\/\/localhost:\d+$/)

    const path = '/api/v1/inquiries'
    const created = await fetch(`${servers.urls.persona}${path}`, {
      method: 'POST',
      headers: { Authorization: 'Bearer local', 'Content-Type': 'application/json' },
      body: JSON.stringify({
        data: { attributes: { 'inquiry-template-id': 'itmpl_Cli' } },
        meta: { 'auto-create-one-time-link': true },
      }),
    })
    const body = await expectFetchMatchesSpec('persona', 'POST', path, created)
    const link = new URL(body.meta['one-time-link'])
    expect(link.origin).toBe(servers.urls.hosted)
    const page = await fetch(`http://127.0.0.1:${link.port}${link.pathname}${link.search}`)
    expect(page.status).toBe(200)
    expect(await page.text()).toContain('Verify your identity')

    const control = await fetch(`${servers.urls.coinflow}/__emulator/faults`)
    expect(await control.json()).toMatchObject({ coinflow: { errorRate: 0 } })
    const coinflow = await fetch(`${servers.urls.coinflow}/api/withdraw`, {
      headers: { Authorization: 'local', 'x-coinflow-auth-user-id': 'nobody' },
    })
    expect(coinflow.status).toBe(401)
    expect(describeServers(servers)).toContain(`${servers.urls.persona}/api/v1`)
    // Unseeded, each run draws its own seed and says which, so a run can be repeated.
    expect(describeServers(servers)).toContain(`EMULATOR_SEED=${servers.emulator.world.seed}`)
  })

  it('delivers Persona webhooks signed with both secrets during a rotation', async () => {
    const received: Array<{ body: string; signature: string | undefined }> = []
    const receiver = new Hono().post('/hooks', async (c) => {
      received.push({ body: await c.req.text(), signature: c.req.header('Persona-Signature') })
      return c.body(null, 204)
    })
    const listening = await new Promise<{ close(): void; port: number }>((resolve) => {
      const server = serve({ fetch: receiver.fetch, hostname: '127.0.0.1', port: 0 }, (info) =>
        resolve({ close: () => server.close(), port: info.port }),
      )
    })
    try {
      servers = await startEmulatorServers({
        ...anyPorts,
        PERSONA_EMULATOR_WEBHOOK_URL: `http://127.0.0.1:${listening.port}/hooks`,
        PERSONA_EMULATOR_WEBHOOK_SECRET: 'wbhsec_old, wbhsec_new',
      })
      await fetch(`${servers.urls.persona}/api/v1/inquiries`, {
        method: 'POST',
        headers: { Authorization: 'Bearer local', 'Content-Type': 'application/json' },
        body: JSON.stringify({ data: { attributes: { 'inquiry-template-id': 'itmpl_Cli' } } }),
      })
      await servers.emulator.flush()
      const created = received.find((hook) => hook.body.includes('"inquiry.created"'))!
      expect(created.signature?.split(' ')).toHaveLength(2)
      for (const secret of ['wbhsec_old', 'wbhsec_new']) {
        const verified = await verifyWebhookSignature({
          payload: created.body,
          header: created.signature,
          secret,
        })
        expect(verified.ok).toBe(true)
      }
    } finally {
      listening.close()
    }
  })

  it('reads the documented variables, refusing incomplete or malformed ones', () => {
    const options = optionsFromEnv({
      EMULATOR_SEED: '9',
      EMULATOR_WEBHOOK_CONCURRENCY: '16',
      COINFLOW_EMULATOR_WEBHOOK_URL: 'http://127.0.0.1:8787/webhooks/coinflow',
      COINFLOW_EMULATOR_WEBHOOK_KEY: 'validation-key',
      COINFLOW_EMULATOR_STARTING_BALANCE_CENTS: '2500000',
      COINFLOW_EMULATOR_MERCHANT_ID: 'arcade',
      COINFLOW_EMULATOR_PERSONA_CONNECTION_ID: 'cxn_Arcade',
    })
    expect(options).toMatchObject({
      seed: 9,
      webhookConcurrency: 16,
      personaConnectionId: 'cxn_Arcade',
      coinflow: {
        merchantId: 'arcade',
        startingBalanceCents: 2_500_000,
        personaConnectionId: 'cxn_Arcade',
        webhook: {
          url: 'http://127.0.0.1:8787/webhooks/coinflow',
          validationKey: 'validation-key',
        },
      },
    })
    expect(() => optionsFromEnv({ PERSONA_EMULATOR_WEBHOOK_URL: 'http://127.0.0.1:1/x' })).toThrow(
      'PERSONA_EMULATOR_WEBHOOK_URL needs PERSONA_EMULATOR_WEBHOOK_SECRET',
    )
    expect(() => optionsFromEnv({ COINFLOW_EMULATOR_STARTING_BALANCE_CENTS: 'lots' })).toThrow(
      'COINFLOW_EMULATOR_STARTING_BALANCE_CENTS must be a whole number',
    )
    expect(() => optionsFromEnv({ EMULATOR_WEBHOOK_CONCURRENCY: '0' })).toThrow(
      'EMULATOR_WEBHOOK_CONCURRENCY must be 1 or more',
    )
  })

  it('says which variable to change when a port is taken', async () => {
    servers = await startEmulatorServers(anyPorts)
    const taken = new URL(servers.urls.coinflow).port
    await expect(
      startEmulatorServers({ ...anyPorts, COINFLOW_EMULATOR_PORT: taken }),
    ).rejects.toThrow(`Port ${taken} is taken; set COINFLOW_EMULATOR_PORT to another port`)
    await expect(
      startEmulatorServers({ ...anyPorts, PERSONA_EMULATOR_PORT: 'http' }),
    ).rejects.toThrow('PERSONA_EMULATOR_PORT must be a port number')
  })
})
