/**
 * Never twice, never lost, with real deaths: a BFF process (file store, payouts module, a
 * file-backed host ledger) is SIGKILLed at every step of the payout journey, over and over, while
 * a client keeps asking for payouts (double clicks included) and the emulator, in a process of its
 * own, injects 5xx answers, timeouts and dropped, duplicated and reordered webhooks. Each killed
 * BFF is restarted on the same store; the client retries what got no answer with the same key.
 *
 * Afterwards every payout the BFF accepted is in exactly one terminal state, Coinflow holds
 * exactly one payout per key (and none we don't know), and the host's ledger balances to the cent.
 *
 * `SHAREFLOW_CRASH_CYCLES` sets how many lives the BFF has (default: two rounds of every point).
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { CreatePayoutRequest, Currency, Payout, Quote } from '@shareflow/contract'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { kycInfoOf, sandboxAccounts, sandboxPeople } from '../../src/emulator/sandbox-people'
import { createFileStore } from '../../src/node/file-store'
import { coinflowKeyFor } from '../../src/payouts/ids'
import { payoutKeys } from '../../src/payouts/journal'
import type { BffProcessConfig } from './bff-process'
import type { EmulatorProcessConfig } from './emulator-process'
import { balanceKey, readLedger } from './file-ledger'
import { freePort, launch, type Child } from './processes'

const here = path.dirname(fileURLToPath(import.meta.url))
const USER = 'crash-user'
const MERCHANT_ID = 'shareflow-crash-test'
const API_KEY = 'coinflow_sandbox_crash_test'
const WEBHOOK_KEY = 'coinflow_validation_key_crash_test'

const CRASH_POINTS = [
  'accepted',
  'ledger:authorize',
  'authorized',
  'submitted',
  'pending',
  'succeeded',
  'ledger:settle',
  'succeeded+host',
  'failed',
  'ledger:reverse',
  'failed+host',
  'refused',
  'random',
] as const
const CYCLES = Number(process.env.SHAREFLOW_CRASH_CYCLES ?? CRASH_POINTS.length * 2)

const OPENING: Record<Currency, number> = {
  USD: 30_000_00,
  EUR: 2_000_00,
  GBP: 2_000_00,
  BRL: 8_000_00,
}

// A seeded generator, so a failing run can be repeated.
let seed = Number(process.env.SHAREFLOW_CRASH_SEED ?? 20261122)
const random = () => {
  seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648
  return seed / 2_147_483_648
}
const between = (low: number, high: number) => low + Math.floor(random() * (high - low + 1))

let directory: string
let emulator: Child
let coinflowUrl: string
let personaUrl: string
let hostedOrigin: string
let bffPort: number

const coinflow = async (
  method: string,
  route: string,
  body?: unknown,
  extra: Record<string, string> = {},
) => {
  const response = await fetch(`${coinflowUrl}${route}`, {
    method,
    headers: {
      Authorization: API_KEY,
      'x-coinflow-auth-user-id': USER,
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      ...extra,
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  const text = await response.text()
  if (response.status >= 400) throw new Error(`${method} ${route}: ${response.status} ${text}`)
  return text === '' ? undefined : JSON.parse(text)
}

const setFaults = (settings: Record<string, number>) =>
  fetch(`${coinflowUrl}/__emulator/faults/coinflow`, {
    method: 'PATCH',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(settings),
  }).then((response) => expect(response.status).toBe(200))

const advanceEmulator = (ms: number) =>
  fetch(`${coinflowUrl}/__emulator/clock/advance`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ ms }),
  }).then(() => undefined)

interface Destinations {
  bank: string
  suspended: string
  card: string
  eur: string
  gbp: string
  pix: string
}

/** An approved withdrawer with one destination of every kind, set up through Coinflow's API. */
async function setUpWithdrawer(): Promise<Destinations> {
  await coinflow('POST', '/api/withdraw/kyc', {
    info: kycInfoOf({ ...sandboxPeople.usVerified, email: 'crash@example.com' }),
  })
  const bank = sandboxAccounts.usChecking
  await coinflow('POST', '/api/withdraw/account/v2', { ...bank, alias: 'Checking' })
  // The sandbox fails every payout to a holder named `suspended`: these end `failed`, reversed.
  await coinflow('POST', '/api/withdraw/account/v2', {
    ...bank,
    alias: 'Old account',
    accountNumber: '9999888877770000',
    firstName: 'suspended',
  })
  const { token: cardToken } = await coinflow(
    'POST',
    '/api/tokenize/card-only',
    { data: '4169050000000004' },
    {
      'tx-token-scheme': 'sixANTOKENfour',
      'tx-tokenex-id': '4582952996979143',
      'tx-apikey': 'tokenex-test-key',
    },
  )
  await coinflow('POST', '/api/withdraw/debit-card', { cardToken, expMonth: '12', expYear: '30' })
  await coinflow('POST', '/api/withdraw/iban', { number: 'DE89370400440532013000' })
  await coinflow('POST', '/api/withdraw/iban', { number: '22052471', sortCode: '202678' })
  await coinflow('POST', '/api/withdraw/pix', { pixKey: '40882598074' })
  const { withdrawer } = await coinflow('GET', '/api/withdraw')
  return {
    bank: withdrawer.bankAccounts[0].token,
    suspended: withdrawer.bankAccounts[1].token,
    card: withdrawer.cards[0].token,
    eur: withdrawer.ibans[0].token,
    gbp: withdrawer.ibans[1].token,
    pix: withdrawer.pixes[0].token,
  }
}

interface Intent {
  key: string
  /** What the user asks for; `fee` is what the quote showed them, once it has. */
  body: Omit<CreatePayoutRequest, 'fee'> & { fee?: CreatePayoutRequest['fee'] }
  /** The payout id (or the error code) the BFF answered with, once it has answered. */
  answers: Array<{ payoutId?: string; code?: string }>
  /** The last thing the BFF said (or the network error), for the failure message. */
  last?: string
}

function newIntent(n: number, to: Destinations): Intent {
  const roll = random()
  const usd = (cents: number, speed: CreatePayoutRequest['speed'], destinationId: string) => ({
    amount: { cents, currency: 'USD' as const },
    speed,
    destinationId,
  })
  const body: Intent['body'] =
    roll < 0.3
      ? usd(between(1_00, 300_00), 'asap', to.bank)
      : roll < 0.4
        ? usd(between(1_00, 300_00), 'asap', to.suspended)
        : roll < 0.5
          ? usd(between(1_00, 300_00), 'card', to.card)
          : roll < 0.6
            ? {
                amount: { cents: between(5_00, 200_00), currency: 'EUR' },
                speed: 'iban',
                destinationId: to.eur,
              }
            : roll < 0.7
              ? {
                  amount: { cents: between(5_00, 200_00), currency: 'GBP' },
                  speed: 'iban',
                  destinationId: to.gbp,
                }
              : roll < 0.8
                ? {
                    amount: { cents: between(5_00, 500_00), currency: 'BRL' },
                    speed: 'pix',
                    destinationId: to.pix,
                  }
                : roll < 0.87
                  ? usd(503_00, 'asap', to.bank) // Coinflow pays, then its answer is lost (503)
                  : roll < 0.93
                    ? usd(between(1_00, 300_00), 'same_day', to.bank)
                    : {
                        amount: { cents: 1_900_00, currency: 'EUR' },
                        speed: 'iban',
                        destinationId: to.eur,
                      } // refused once the EUR balance runs low
  return { key: `crash-intent-${String(n).padStart(5, '0')}`, body, answers: [] }
}

/** An intent sure to be refused (more than the balance) or to fail (a suspended account). */
function certainIntent(point: string, n: number, to: Destinations): Intent | undefined {
  const key = `crash-intent-${String(n).padStart(5, '0')}`
  if (point === 'refused') {
    return {
      key,
      body: {
        amount: { cents: 90_000_00, currency: 'USD' },
        speed: 'asap',
        destinationId: to.bank,
      },
      answers: [],
    }
  }
  if (point.startsWith('failed') || point === 'ledger:reverse') {
    return {
      key,
      body: {
        amount: { cents: between(1_00, 90_00), currency: 'USD' },
        speed: 'asap',
        destinationId: to.suspended,
      },
      answers: [],
    }
  }
  return undefined
}

/**
 * The fee the BFF quotes for the intent, as the user's screen would show it before they press
 * Withdraw; `undefined` when the BFF gave no quote (killed, overloaded). Asked once per intent, so
 * every retry of it sends the same body.
 */
async function showQuote(intent: Intent): Promise<CreatePayoutRequest['fee'] | undefined> {
  try {
    const response = await fetch(`http://127.0.0.1:${bffPort}/quotes`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'x-user': USER },
      body: JSON.stringify({
        amount: intent.body.amount,
        destinationId: intent.body.destinationId,
      }),
      signal: AbortSignal.timeout(15_000),
    })
    if (!response.ok) return undefined
    const quote = (await response.json()) as Quote
    return quote.options.find((option) => option.speed === intent.body.speed)?.fee
  } catch {
    return undefined
  }
}

/** One POST /payouts; `undefined` when the BFF gave no usable answer (killed, overloaded). */
async function requestPayout(intent: Intent): Promise<void> {
  intent.body.fee ??= await showQuote(intent)
  if (!intent.body.fee) {
    intent.last = 'no quote to show'
    return
  }
  let response: Response
  try {
    response = await fetch(`http://127.0.0.1:${bffPort}/payouts`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'x-user': USER,
        'Idempotency-Key': intent.key,
      },
      body: JSON.stringify(intent.body),
      signal: AbortSignal.timeout(15_000),
    })
  } catch (error) {
    intent.last = String(error)
    return
  }
  const body = (await response.json().catch(() => null)) as
    Payout | { error: { code: string } } | null
  intent.last = `${response.status} ${JSON.stringify(body)}`
  if (body && 'id' in body) intent.answers.push({ payoutId: body.id })
  else if (
    body &&
    'error' in body &&
    ['payout_refused', 'payouts_unavailable', 'verification_required'].includes(body.error.code)
  ) {
    intent.answers.push({ code: body.error.code })
  }
  // Anything else (upstream_unavailable before acceptance, conflict, internal): ask again later.
}

const answered = (intent: Intent) => intent.answers.length > 0

function startBff(crashAt: string | undefined): Promise<Child> {
  const config: BffProcessConfig = {
    port: bffPort,
    storeDirectory: path.join(directory, 'store'),
    ledgerFile: path.join(directory, 'ledger.jsonl'),
    logFile: path.join(directory, 'bff.log'),
    opening: Object.entries(OPENING).map(([currency, cents]) => ({
      userId: USER,
      amount: { cents, currency: currency as Currency },
    })),
    coinflowUrl,
    personaUrl,
    hostedOrigin,
    merchantId: MERCHANT_ID,
    coinflowApiKey: API_KEY,
    coinflowWebhookKey: WEBHOOK_KEY,
    ...(crashAt ? { crashAt } : {}),
  }
  const child = launch(path.join(here, 'bff-process.ts'), JSON.stringify(config))
  return child.waitFor('ready', 30_000).then(() => child)
}

async function allPayouts(): Promise<Payout[]> {
  const payouts: Payout[] = []
  let cursor: string | undefined
  do {
    const response = await fetch(
      `http://127.0.0.1:${bffPort}/payouts?limit=100${cursor ? `&before=${cursor}` : ''}`,
      { headers: { 'x-user': USER } },
    )
    expect(response.status).toBe(200)
    const page = (await response.json()) as { payouts: Payout[]; nextCursor?: string }
    payouts.push(...page.payouts)
    cursor = page.nextCursor
  } while (cursor)
  return payouts
}

const terminal = new Set(['succeeded', 'failed', 'refused'])
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

beforeAll(async () => {
  directory = await mkdtemp(path.join(tmpdir(), 'shareflow-crash-'))
  bffPort = await freePort()
  const config: EmulatorProcessConfig = {
    seed: 11,
    merchantId: MERCHANT_ID,
    webhookUrl: `http://127.0.0.1:${bffPort}/webhooks/coinflow`,
    validationKey: WEBHOOK_KEY,
  }
  emulator = launch(path.join(here, 'emulator-process.ts'), JSON.stringify(config))
  const ready = await emulator.waitFor('ready ', 30_000)
  const ports = JSON.parse(ready.slice('ready '.length)) as Record<string, number>
  coinflowUrl = `http://127.0.0.1:${ports.coinflow}`
  personaUrl = `http://127.0.0.1:${ports.persona}`
  hostedOrigin = `http://127.0.0.1:${ports.hosted}`
}, 60_000)

afterAll(async () => {
  await emulator?.kill('SIGTERM')
  if (directory && !process.env.SHAREFLOW_CRASH_KEEP)
    await rm(directory, { recursive: true, force: true })
})

it('survives SIGKILL at every step: one terminal state per payout, one Coinflow payout per key, a ledger to the cent', async () => {
  const destinations = await setUpWithdrawer()
  await setFaults({
    errorRate: 0.15,
    timeoutRate: 0.03,
    webhookDropRate: 0.3,
    webhookDuplicateRate: 0.2,
    webhookReorderRate: 0.2,
  })

  const intents: Intent[] = []
  const kills: Record<string, { reached: number; fallback: number }> = {}
  let killCount = 0

  for (let cycle = 0; cycle < CYCLES; cycle++) {
    const point = CRASH_POINTS[cycle % CRASH_POINTS.length]!
    const bff = await startBff(point === 'random' ? undefined : point)
    // New intents (one of them double-clicked), and every earlier one still without an answer.
    const fresh: Intent[] = []
    for (let i = 0; i < 3; i++) {
      const intent = newIntent(intents.length + 1, destinations)
      intents.push(intent)
      fresh.push(intent)
    }
    // The points past a refusal or a failure need one in this life, whatever the dice said.
    const certain = certainIntent(point, intents.length + 1, destinations)
    if (certain) {
      intents.push(certain)
      fresh.push(certain)
    }
    const batch = [
      ...fresh,
      fresh[0]!,
      ...intents.filter((intent) => !answered(intent) && !fresh.includes(intent)),
    ]
    const requests = Promise.all(batch.map(requestPayout))
    // Let pending payouts settle on Coinflow's side, so the later points are reached too.
    const nudges = (async () => {
      for (const at of [400, 900, 1_600]) {
        await sleep(at)
        await advanceEmulator(40_000).catch(() => undefined)
      }
    })()
    const reached =
      point === 'random'
        ? await sleep(between(100, 1_500)).then(() => false)
        : await Promise.race([
            bff.waitFor('crashpoint', 7_000).then(() => true),
            sleep(7_000).then(() => false),
          ]).catch(() => false)
    await bff.kill('SIGKILL')
    killCount++
    const tally = (kills[point] ??= { reached: 0, fallback: 0 })
    if (reached || point === 'random') tally.reached++
    else tally.fallback++
    await requests
    await nudges
  }

  // The last life: no crash point, no faults; the client retries until everything has an answer.
  await setFaults({
    errorRate: 0,
    timeoutRate: 0,
    webhookDropRate: 0,
    webhookDuplicateRate: 0,
    webhookReorderRate: 0,
  })
  const bff = await startBff(undefined)
  let payouts: Payout[] = []
  const deadline = Date.now() + 90_000
  for (;;) {
    await Promise.all(intents.filter((intent) => !answered(intent)).map(requestPayout))
    await advanceEmulator(40_000)
    await sleep(500)
    payouts = await allPayouts()
    if (intents.every(answered) && payouts.every((payout) => terminal.has(payout.state))) break
    if (Date.now() > deadline) break
  }
  // Give the last host hooks a moment, then stop this life too (gracefully, to read its store).
  await sleep(1_000)
  await bff.kill('SIGTERM')

  // Every client intent was answered, and every answer for one key named the same payout.
  for (const intent of intents) {
    expect(answered(intent), `${intent.key}: ${intent.last}`).toBe(true)
    const ids = new Set(intent.answers.map((answer) => answer.payoutId ?? `error:${answer.code}`))
    expect(ids.size, `${intent.key} answered ${[...ids].join(', ')}`).toBe(1)
  }
  const answeredIds = new Set(
    intents.flatMap((intent) => intent.answers.map((answer) => answer.payoutId)),
  )
  for (const id of answeredIds)
    if (id) expect(payouts.some((payout) => payout.id === id)).toBe(true)

  // Exactly one terminal state each, and nothing left open in the journal.
  for (const payout of payouts)
    expect(terminal.has(payout.state), `${payout.id} is ${payout.state}`).toBe(true)
  const store = await createFileStore({ directory: path.join(directory, 'store') })
  expect(await store.keys(payoutKeys.openPrefix)).toEqual([])
  await store.close()

  // Coinflow: exactly one payout per key, each one ours, in the state we recorded.
  const { withdraws } = (await coinflow('GET', '/api/withdraw/history')) as {
    withdraws: Array<{ idempotencyKey?: string; status: string }>
  }
  const byKey = new Map<string, Array<{ status: string }>>()
  for (const withdraw of withdraws) {
    const list = byKey.get(withdraw.idempotencyKey ?? '') ?? []
    list.push(withdraw)
    byKey.set(withdraw.idempotencyKey ?? '', list)
  }
  const ours = new Map(payouts.map((payout) => [coinflowKeyFor(payout.id), payout]))
  for (const [key, list] of byKey) {
    expect(list, `Coinflow payouts for key ${key}`).toHaveLength(1)
    expect(ours.has(key), `Coinflow payout ${key} is one of ours`).toBe(true)
  }
  for (const payout of payouts) {
    const atCoinflow = byKey.get(coinflowKeyFor(payout.id))?.[0]
    if (payout.state === 'succeeded') expect(atCoinflow?.status).toBe('completed')
    if (payout.state === 'refused') expect(atCoinflow).toBeUndefined()
    if (payout.state === 'failed' && atCoinflow) expect(atCoinflow.status).toBe('failed')
  }

  // The host's ledger: debited once per accepted payout, settled or given back, to the cent.
  const ledger = readLedger(path.join(directory, 'ledger.jsonl'))
  const spent: Record<string, number> = {}
  for (const payout of payouts) {
    const entry = ledger.entries.get(payout.id)
    if (payout.state === 'succeeded') {
      expect(entry?.state, payout.id).toBe('settled')
      spent[payout.amount.currency] = (spent[payout.amount.currency] ?? 0) + payout.amount.cents
    }
    if (payout.state === 'failed') expect(entry?.state, payout.id).toBe('reversed')
    if (payout.state === 'refused') expect(entry, payout.id).toBeUndefined()
  }
  for (const id of ledger.entries.keys())
    expect(payouts.some((payout) => payout.id === id)).toBe(true)
  for (const [currency, opening] of Object.entries(OPENING)) {
    expect(ledger.balances.get(balanceKey(USER, currency as Currency)), currency).toBe(
      opening - (spent[currency] ?? 0),
    )
  }

  const count = (state: string) => payouts.filter((payout) => payout.state === state).length
  // A hook runs again only in a later life of the process: never twice within one.
  const lives = new Map<string, number[]>()
  for (const call of ledger.calls) {
    const key = `${call.hook}:${call.payoutId}`
    lives.set(key, [...(lives.get(key) ?? []), call.boot])
  }
  for (const [key, boots] of lives) expect(new Set(boots).size, key).toBe(boots.length)
  const repeated = [...lives.values()].filter((boots) => boots.length > 1).length
  const reachedPoints = Object.entries(kills)
    .filter(([, tally]) => tally.reached > 0)
    .map(([point]) => point)
  console.log(
    `crash test: ${payouts.length} payouts (${count('succeeded')} succeeded, ${count('failed')} failed, ` +
      `${count('refused')} refused) from ${intents.length} client intents; ${killCount} SIGKILLs, ` +
      `${reachedPoints.length} of ${CRASH_POINTS.length} kill points reached (${JSON.stringify(kills)}); ` +
      `Coinflow holds ${withdraws.length} payouts, one per key; ${repeated} host hook calls repeated ` +
      `by the next life after a kill (never within one), none moved money twice; ledger balances to the cent`,
  )
  // Every kill point must actually have been hit at least once, or the test proves less than it says.
  expect(reachedPoints.sort()).toEqual([...CRASH_POINTS].sort())
}, 600_000)
