import type { FrameLocator, Page } from 'playwright-core'
import { afterAll, beforeAll, expect } from 'vitest'
import { findLeaks } from '../../../packages/server/src/security/leaks'
import { startDemo, type RunningDemo } from '../server/start'
import { launchBrowser, openPage, type Browser, type PageOptions } from './browser'
import { builtFrontend, tempDir } from './fixtures'

/**
 * One whole demo per test file: host server on a free port, a fresh seeded emulator with its
 * hosted pages on http://localhost:3000, a temporary data directory, and Chromium.
 */
export interface JourneyWorld {
  demo: RunningDemo
  browser: Browser
  dataDir: string
  /** The BFF's log lines, to check nothing sensitive was written. */
  logs: string[]
  /**
   * Restarts the host server and BFF on the same port and data, keeping the vendors' state;
   * `whileDown` runs in between (time passing at the vendors, say).
   */
  restart(whileDown?: () => Promise<void>): Promise<void>
  /** Lets emulator time pass (a payout settling, a review finishing), as the control endpoint does. */
  passTime(ms: number): Promise<void>
  close(): Promise<void>
}

export async function startJourneyWorld(): Promise<JourneyWorld> {
  const data = tempDir('starfall-journey')
  const distDir = await builtFrontend()
  const logs: string[] = []
  const log = (line: string) => logs.push(line)
  let demo = await startDemo({ port: 0, dataDir: data.dir, distDir, log })
  const browser = await launchBrowser()
  const world: JourneyWorld = {
    get demo() {
      return demo
    },
    browser,
    dataDir: data.dir,
    logs,
    async restart(whileDown) {
      const { port, emulator } = demo
      await demo.stop({ keepEmulator: true })
      await whileDown?.()
      demo = await startDemo({ port, dataDir: data.dir, distDir, log, emulator: emulator! })
    },
    async passTime(ms) {
      const emulator = demo.emulator!.emulator
      emulator.clock.advance(ms)
      await emulator.flush()
    },
    async close() {
      await browser.close().catch(() => undefined)
      await demo.stop()
      data.remove()
    },
  }
  return world
}

/** Starts a world before the file's tests and closes it after; read it inside tests. */
export function useJourneyWorld(): () => JourneyWorld {
  let world: JourneyWorld | undefined
  beforeAll(async () => {
    world = await startJourneyWorld()
  })
  afterAll(async () => {
    try {
      if (world) expectCleanLogs(world)
    } finally {
      await world?.close()
    }
  })
  return () => {
    if (!world) throw new Error('The journey world has not started')
    return world
  }
}

/**
 * Every line the BFF logged during the file's journeys: no vendor key or webhook secret, no SSN,
 * birth date, email, account number, IBAN or PIX key, nothing secret-shaped (`findLeaks`).
 */
export function expectCleanLogs(world: JourneyWorld) {
  const vendors = world.demo.emulator
  expect(world.logs.length).toBeGreaterThan(0)
  const findings = findLeaks(world.logs, {
    secrets: vendors
      ? [
          vendors.persona.apiKey,
          vendors.persona.webhookSecret,
          vendors.coinflow.apiKey,
          vendors.coinflow.webhookKey,
        ]
      : [],
    // The seeded players' identity and account details (server/seed.ts) and what the e2e types.
    personal: [
      '1994-03-17',
      '123-45-6789',
      '000123456789',
      'DE89370400440532013000',
      '22052471',
      '40882598074',
    ],
  })
  expect(findings, 'secrets or personal data in the BFF log').toEqual([])
}

/** A new browser context, signed in as `name` from the sign-in screen, on the wallet. */
export async function signedIn(world: JourneyWorld, name: string, options: PageOptions = {}) {
  const opened = await openPage(world.browser, options)
  await opened.page.goto(world.demo.url)
  // "Sign in as …", or "Als … anmelden" for a German browser.
  await opened.page.getByRole('button', { name: new RegExp(` ${name}( anmelden)?$`) }).click()
  await opened.page.getByTestId('balance').waitFor()
  return opened
}

/** The balance as read aloud: locale formats put no-break spaces in money ("340,00 €"). */
export const balanceOf = async (page: Page) =>
  (await page.getByTestId('balance').innerText()).replace(/[\u00a0\u202f]/g, ' ')

/** Waits for the wallet's balance to read `expected` (it follows the ledger live). */
export async function expectBalance(page: Page, expected: string) {
  await expect.poll(() => balanceOf(page), { timeout: 15_000 }).toBe(expected)
}

/** The cash-out panel: the kit's quote and withdraw button. */
export const cashOut = (page: Page) => page.getByRole('region', { name: /^(Cash out|Auszahlen)$/ })

/**
 * The gate says Coinflow is reviewing; its review ends a few seconds later (emulator time) and
 * its webhook turns the gate into the cash-out panel, with no reload.
 */
export async function awaitCoinflowApproval(world: JourneyWorld, page: Page) {
  await expect
    .poll(() => cashOut(page).innerText(), { timeout: 15_000 })
    .toContain('Coinflow is checking your details')
  await world.passTime(3_000)
  await expect
    .poll(() => page.getByRole('button', { name: 'Link a payout account' }).count(), {
      timeout: 15_000,
    })
    .toBe(1)
}

/** Waits until nothing in the cash-out panel is busy (a quote being fetched, say). */
export async function quoteSettled(page: Page) {
  await expect.poll(() => cashOut(page).locator('[aria-busy="true"]').count()).toBe(0)
}

/** Types an amount into the kit's quote and waits for its speeds. */
export async function enterAmount(page: Page, amount: string) {
  await page.getByLabel(/^(Amount|Betrag)/).fill(amount)
  await cashOut(page).getByRole('radio').first().waitFor()
  await quoteSettled(page)
}

/** The emulator's hosted pages, the demo's `coinflow.uiOrigin`. */
export const HOSTED_ORIGIN = 'http://localhost:3000'

/** Coinflow's hosted withdraw page, framed by the kit's dialog. */
export function coinflowFrame(page: Page, origin = HOSTED_ORIGIN): FrameLocator {
  return page.frameLocator(`iframe[src^="${origin}/"]`)
}

/**
 * Opens Coinflow's hosted page from the withdraw button, picks the kind of account, fills in its
 * form (label → value, labels matched exactly) and links it, as a person would.
 */
export async function linkOnCoinflowPage(
  page: Page,
  account: { button?: string; kind: string; fields: Record<string, string> },
  origin = HOSTED_ORIGIN,
) {
  await page.getByRole('button', { name: account.button ?? 'Link a payout account' }).click()
  const frame = coinflowFrame(page, origin)
  await frame.getByText(account.kind).click()
  for (const [label, value] of Object.entries(account.fields)) {
    await frame.getByLabel(label, { exact: true }).fill(value)
  }
  await frame.getByRole('button', { name: 'Link', exact: true }).click()
  await page.getByRole('dialog').waitFor({ state: 'detached' })
}

/** Links a US bank account (Coinflow's sandbox routing number). */
export const linkUsBank = (page: Page, holder: string, origin = HOSTED_ORIGIN) =>
  linkOnCoinflowPage(
    page,
    {
      kind: 'US bank account (Plaid)',
      fields: {
        'Routing number': '011401533',
        'Account number': '1234567890',
        'Account holder first name': holder,
        Nickname: 'Main checking',
      },
    },
    origin,
  )

/** The payouts the wallet lists, as the player reads them. */
export const historyItems = (page: Page) => page.getByTestId('payout-history').locator('li')

/**
 * The end of every journey: link a US bank account on Coinflow's page, quote an amount, pick
 * instant, withdraw, and see the success, the balance and the history.
 */
export async function linkBankAndCashOut(
  world: JourneyWorld,
  page: Page,
  options: { holder: string; amount: string; balanceAfter: string },
) {
  await linkUsBank(page, options.holder)
  await enterAmount(page, options.amount)
  await page.getByRole('radio', { name: /Instant transfer/ }).check()
  await page.getByRole('button', { name: /^Withdraw \$/ }).click()
  await expect.poll(() => cashOut(page).innerText()).toMatch(/on its way|paid out by/)
  await world.passTime(2_000)
  await expect
    .poll(() => cashOut(page).innerText(), { timeout: 15_000 })
    .toContain('paid out by Instant transfer.')
  await expectBalance(page, options.balanceAfter)
  await expect.poll(() => historyItems(page).count()).toBe(1)
}

/** The emulator's control endpoint (served beside its hosted pages): faults on demand. */
export async function setCoinflowFaults(world: JourneyWorld, faults: Record<string, number>) {
  const response = await fetch(
    `${world.demo.emulator!.coinflow.uiOrigin}/__emulator/faults/coinflow`,
    {
      method: 'PATCH',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(faults),
    },
  )
  expect(response.status).toBe(200)
}

/** Fills in Persona's hosted flow the way a person does, and submits it. */
export async function completePersonaFlow(flow: Page, person: { first: string; last: string }) {
  await flow.getByRole('heading', { name: 'Verify your identity' }).waitFor()
  await flow.getByLabel('First name').fill(person.first)
  await flow.getByLabel('Last name').fill(person.last)
  await flow.getByLabel('Date of birth').fill('1991-07-04')
  await flow.getByLabel('Street address').fill('1 Infinite Loop')
  await flow.getByLabel('City').fill('Cupertino')
  await flow.getByLabel('State / region').fill('CA')
  await flow.getByLabel('Postal code').fill('95014')
  await flow.getByLabel(/^Country/).fill('US')
  await flow.getByLabel(/^ID number/).fill('123456789')
  await flow.getByRole('button', { name: 'Submit' }).click()
}
