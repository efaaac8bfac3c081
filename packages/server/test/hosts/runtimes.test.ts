/**
 * The same BFF on Cloudflare Workers (workerd, through Miniflare), Bun and Deno, each started as a
 * real process from its npm package and serving the app over HTTP, its vendor calls going over
 * HTTP to the emulator's servers: Jane verifies through Persona's hosted flow and shares her
 * identity with Coinflow, the emulator's signed webhooks reach the runtime and verify, her
 * `GET /session` is approved with her bank account, and she gets a quote. A runtime that cannot
 * start here fails its test: nothing is skipped.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import type { Readable } from 'node:stream'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { ErrorEnvelope, InquiryLink, Quote, Session } from '@shareflow/contract'
import { build } from 'esbuild'
import { Miniflare } from 'miniflare'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startEmulatorServers, type EmulatorServers } from '../../src/emulator/cli'
import { inquiryFieldsOf, sandboxAccounts, sandboxPeople } from '../../src/emulator/sandbox-people'
import { signWebhook } from '../../src/webhooks/signature'
import { MOUNT, SIGNED_IN_HEADER, type RuntimeHostSettings } from './runtimes/host-app'

const here = path.dirname(fileURLToPath(import.meta.url))
// The binaries the npm packages install (their launchers would leave the runtime running when stopped).
const bun = path.join(here, '../../node_modules/bun/bin/bun.exe')
const deno = path.join(here, '../../node_modules/deno/deno')
const JANE = 'user-jane'
const PERSONA_WEBHOOK_SECRET = 'wbhsec_runtime_hosts'
const COINFLOW_WEBHOOK_KEY = 'coinflow_validation_key_runtime_hosts'
const COINFLOW_MERCHANT_ID = 'shareflow-runtime-hosts'

interface Runtime {
  url: string
  stop(): Promise<void>
}

/** A port nobody holds now, so the emulator can be told where to deliver before the runtime starts. */
async function freePort() {
  const server = createServer().listen(0, '127.0.0.1')
  await new Promise((resolve) => server.once('listening', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

/** Bundles one runtime's entry (the workspace sources, as a host's bundler would the package). */
async function bundle(entry: string, outdir: string) {
  const outfile = path.join(outdir, `${entry}.js`)
  await build({
    entryPoints: [path.join(here, 'runtimes', `${entry}.ts`)],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    conditions: ['@shareflow/source', 'worker', 'browser', 'import'],
    mainFields: ['module', 'main'],
    logLevel: 'error',
  })
  return outfile
}

/** Starts `command` and waits for its "listening on" line; its output is in the error otherwise. */
async function startProcess(command: string, args: string[], env: Record<string, string>) {
  const child: ChildProcess = spawn(command, args, {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${command} did not start:\n${output}`)),
      20_000,
    )
    const read = (chunk: Buffer) => {
      output += chunk.toString()
      if (output.includes('listening on')) {
        clearTimeout(timer)
        resolve()
      }
    }
    child.stdout?.on('data', read)
    child.stderr?.on('data', read)
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`${command} exited with ${code}:\n${output}`))
    })
    child.once('error', (error) => {
      clearTimeout(timer)
      reject(error)
    })
  })
  return {
    stop: async () => {
      child.kill('SIGTERM')
      await exited
    },
  }
}

const runtimes = {
  async bun(settings: RuntimeHostSettings, port: number, outdir: string): Promise<Runtime> {
    const entry = await bundle('bun', outdir)
    const { stop } = await startProcess(bun, ['run', entry], {
      ...settings,
      PORT: String(port),
    })
    return { url: `http://127.0.0.1:${port}`, stop }
  },
  async deno(settings: RuntimeHostSettings, port: number, outdir: string): Promise<Runtime> {
    const entry = await bundle('deno', outdir)
    const { stop } = await startProcess(
      deno,
      ['run', '--allow-net', '--allow-env', '--no-prompt', entry],
      { ...settings, PORT: String(port), DENO_NO_UPDATE_CHECK: '1', DENO_DIR: outdir },
    )
    return { url: `http://127.0.0.1:${port}`, stop }
  },
  async workerd(settings: RuntimeHostSettings, port: number, outdir: string): Promise<Runtime> {
    const scriptPath = await bundle('worker', outdir)
    const miniflare = new Miniflare({
      modules: true,
      scriptPath,
      // Module names are paths below this root; the bundle lives outside the working directory.
      modulesRoot: outdir,
      compatibilityDate: '2026-07-01',
      bindings: { ...settings },
      // The BFF's log lines (the Worker's stdout) stay out of the test's output; errors stay in.
      handleRuntimeStdio: (stdout: Readable, stderr: Readable) => {
        stdout.resume()
        stderr.pipe(process.stderr)
      },
      host: '127.0.0.1',
      port,
    })
    const url = await miniflare.ready
    return { url: url.origin, stop: () => miniflare.dispose() }
  },
}

describe.each(Object.keys(runtimes) as Array<keyof typeof runtimes>)('the BFF on %s', (name) => {
  let emulator: EmulatorServers
  let runtime: Runtime
  let outdir: string
  let bankId: string

  beforeAll(async () => {
    outdir = mkdtempSync(path.join(tmpdir(), `shareflow-${name}-`))
    const port = await freePort()
    const bff = `http://127.0.0.1:${port}${MOUNT}`
    emulator = await startEmulatorServers({
      PERSONA_EMULATOR_PORT: '0',
      COINFLOW_EMULATOR_PORT: '0',
      COINFLOW_UI_EMULATOR_PORT: '0',
      PERSONA_EMULATOR_WEBHOOK_URL: `${bff}/webhooks/persona`,
      PERSONA_EMULATOR_WEBHOOK_SECRET: PERSONA_WEBHOOK_SECRET,
      COINFLOW_EMULATOR_WEBHOOK_URL: `${bff}/webhooks/coinflow`,
      COINFLOW_EMULATOR_WEBHOOK_KEY: COINFLOW_WEBHOOK_KEY,
      COINFLOW_EMULATOR_MERCHANT_ID: COINFLOW_MERCHANT_ID,
    })
    runtime = await runtimes[name](
      {
        PERSONA_URL: emulator.urls.persona,
        COINFLOW_URL: emulator.urls.coinflow,
        HOSTED_URL: emulator.urls.hosted,
        PERSONA_WEBHOOK_SECRET,
        COINFLOW_WEBHOOK_KEY,
        COINFLOW_MERCHANT_ID,
        PERSONA_CONNECTION_ID: emulator.personaConnectionId,
        SIGNED_IN_USER: JANE,
      },
      port,
      outdir,
    )
  }, 60_000)

  afterAll(async () => {
    await runtime?.stop()
    await emulator?.close()
    if (outdir) rmSync(outdir, { recursive: true, force: true })
  })

  const asJane = (route: string, init: RequestInit = {}) =>
    fetch(`${runtime.url}${MOUNT}${route}`, {
      ...init,
      headers: { [SIGNED_IN_HEADER]: JANE, 'Content-Type': 'application/json', ...init.headers },
    })

  const session = async () => {
    const response = await asJane('/session')
    expect(response.status, await response.clone().text()).toBe(200)
    return Session.parse(await response.json())
  }

  it('verifies Jane through Persona’s hosted flow, the signed webhooks verifying on the runtime', async () => {
    expect((await session()).kyc.state).not.toBe('approved')
    const started = await asJane('/kyc/inquiry', { method: 'POST' })
    expect(started.status, await started.clone().text()).toBe(200)
    const { oneTimeLink } = InquiryLink.parse(await started.json())

    // Persona's hosted form, filled in and submitted as a person does.
    const html = await (await fetch(oneTimeLink)).text()
    const hidden = (field: string) =>
      new RegExp(`name="${field}" value="([^"]*)"`).exec(html)?.[1] ?? ''
    const submitted = await fetch(new URL('/persona/verify', oneTimeLink), {
      method: 'POST',
      body: new URLSearchParams({
        'inquiry-id': hidden('inquiry-id'),
        'session-token': hidden('session-token'),
        ...inquiryFieldsOf(sandboxPeople.usVerified),
        'address-subdivision': 'Texas',
        'sandbox-outcome': 'pass',
        action: 'submit',
      }),
    })
    expect(submitted.status).toBeLessThan(400)
    await emulator.emulator.flush()

    const shared = await asJane('/kyc/share', { method: 'POST' })
    expect(shared.status, await shared.clone().text()).toBe(200)
    // Coinflow's review of the shared identity, then its KYC webhook.
    emulator.emulator.clock.advance(3_000)
    await emulator.emulator.flush()
    await expect.poll(async () => (await session()).kyc.state, { timeout: 10_000 }).toBe('approved')

    const deliveries = emulator.emulator.webhooks.deliveries()
    expect(new Set(deliveries.map((d) => d.vendor))).toEqual(new Set(['persona', 'coinflow']))
    for (const delivery of deliveries) {
      expect(delivery.attempts.map((attempt) => attempt.status)).toEqual([200])
    }
  })

  it('answers GET /session with Jane’s bank account, and a quote for it', async () => {
    // Journey 6 as Jane does it: her bank account, linked in Coinflow's hosted UI.
    const linked = await fetch(`${emulator.urls.coinflow}/api/withdraw/account/v2`, {
      method: 'POST',
      headers: { Authorization: 'any', 'x-coinflow-auth-user-id': JANE },
      body: JSON.stringify({ alias: 'Everyday checking', ...sandboxAccounts.usChecking }),
    })
    expect(linked.status).toBe(200)
    const [bank] = (await session()).destinations
    expect(bank?.type).toBe('bank_account')
    bankId = bank?.id ?? ''

    const response = await asJane('/quotes', {
      method: 'POST',
      body: JSON.stringify({ amount: { cents: 100_00, currency: 'USD' }, destinationId: bankId }),
    })
    expect(response.status, await response.clone().text()).toBe(200)
    expect(
      Quote.parse(await response.json()).options.find((o) => o.speed === 'standard'),
    ).toMatchObject({
      fee: { cents: 25 },
      receive: { cents: 99_75 },
    })
  })

  it('accepts a Persona webhook signed with its secret, and refuses one whose bytes changed', async () => {
    const event = JSON.stringify({
      data: {
        type: 'event',
        id: `evt_runtime_${name}`,
        attributes: {
          name: 'inquiry.created',
          payload: { data: { type: 'inquiry', id: 'inq_x' } },
        },
      },
    })
    const deliver = async (body: string) =>
      fetch(`${runtime.url}${MOUNT}/webhooks/persona`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'Persona-Signature': await signWebhook({
            payload: event,
            secret: PERSONA_WEBHOOK_SECRET,
            timestamp: Math.floor(Date.now() / 1000),
          }),
        },
        body,
      })
    const accepted = await deliver(event)
    expect(accepted.status, await accepted.clone().text()).toBe(200)
    const tampered = await deliver(event.replace('inq_x', 'inq_y'))
    expect(tampered.status).toBe(403)
    expect(ErrorEnvelope.parse(await tampered.json()).error.code).toBe('forbidden')
  })
})
