/**
 * One life of the BFF for the crash test: `createShareflowApp` with the durable file store, the
 * payouts module and a file-backed host ledger, talking to the emulator over HTTP (it runs in its
 * own process, so its state outlives this one).
 *
 * With `crashAt` set, the process stops dead at that point of the payout journey (a journal step,
 * or a ledger hook right after its write), prints `crashpoint <point> <payoutId>` and waits to be
 * SIGKILLed. Points: accepted, authorized, submitted, pending, succeeded, failed, refused,
 * succeeded+host, failed+host, ledger:authorize, ledger:settle, ledger:reverse.
 *
 * Usage: node --import tsx bff-process.ts '<json config>'   (prints `ready` once listening)
 */
import { serve } from '@hono/node-server'
import { createShareflowApp } from '../../src/app'
import { createJsonLogger } from '../../src/logger'
import { createFileStore } from '../../src/node/file-store'
import type { PayoutRecord } from '../../src/payouts/journal'
import { createPayoutsModule } from '../../src/payouts/module'
import { openFileLedger } from './file-ledger'

export interface BffProcessConfig {
  port: number
  storeDirectory: string
  ledgerFile: string
  logFile: string
  opening: Array<{
    userId: string
    amount: { cents: number; currency: 'USD' | 'EUR' | 'GBP' | 'BRL' }
  }>
  coinflowUrl: string
  personaUrl: string
  hostedOrigin: string
  merchantId: string
  coinflowApiKey: string
  coinflowWebhookKey: string
  crashAt?: string
}

const config = JSON.parse(process.argv[2] ?? '') as BffProcessConfig

let crashed = false
/** Stops here for good if this is the configured crash point (the test SIGKILLs us). */
async function maybeCrash(point: string, payoutId: string): Promise<void> {
  if (crashed || config.crashAt !== point) return
  crashed = true
  process.stdout.write(`crashpoint ${point} ${payoutId}\n`)
  await new Promise(() => {})
}

const stepName = (record: PayoutRecord) =>
  record.hostNotified && record.state !== 'refused' ? `${record.state}+host` : record.state

const store = await createFileStore({ directory: config.storeDirectory })
const { appendFileSync } = await import('node:fs')
const logger = createJsonLogger({
  level: 'info',
  write: (line) => appendFileSync(config.logFile, `${line}\n`),
})
const payouts = createPayoutsModule({
  ledger: openFileLedger({
    file: config.ledgerFile,
    opening: config.opening,
    afterCommit: (hook, payoutId) => maybeCrash(`ledger:${hook}`, payoutId),
  }),
  onStep: (record) => maybeCrash(stepName(record), record.id),
  recoveryIntervalMs: 250,
  lookupAfterMs: 3_000,
  retryBaseMs: 200,
  retryMaxMs: 2_000,
  // A killed instance's lease must lapse quickly for its successor; one step takes well under this.
  lockTtlMs: 5_000,
  lockWaitMs: 2_000,
  sweepEveryMs: 250,
})

const app = createShareflowApp({
  getUser: (c) => {
    const id = c.req.header('x-user')
    return id ? { id, email: `${id}@example.com` } : null
  },
  persona: {
    apiKey: 'persona_sandbox_crash_test',
    templateId: 'itmpl_CrashTestTemplate000001',
    connectionId: 'cxn_CoinflowEmulatorConnect01',
    baseUrl: `${config.personaUrl}/api/v1`,
  },
  coinflow: {
    apiKey: config.coinflowApiKey,
    merchantId: config.merchantId,
    env: 'local',
    baseUrl: `${config.coinflowUrl}/api`,
    uiOrigin: config.hostedOrigin,
    webhookKey: config.coinflowWebhookKey,
  },
  store,
  logger,
  upstream: { timeoutMs: 1_000, retry: { maxAttempts: 3, baseDelayMs: 50, maxDelayMs: 400 } },
  modules: [payouts],
})

serve({ fetch: app.fetch, hostname: '127.0.0.1', port: config.port }, () => {
  process.stdout.write('ready\n')
})
