import { sandboxCredentials } from '@shareflow/server/sandbox'
import { findLeaks, signWebhook } from '@shareflow/server/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  expectAccessible,
  launchBrowser,
  openPage,
  type Browser,
  type Page,
  type PageOptions,
} from '../../demo/e2e/browser'
import { cashOut, completePersonaFlow, enterAmount, linkUsBank } from '../../demo/e2e/journey'
import { buildAndStartNext, type RunningNext } from './next-server'

/**
 * The Next.js example as a host team runs it: `next build`, `next start`, the BFF in its route
 * handler on the emulator, the kit in client components of server-rendered pages, under the
 * proxy's strict CSP. Chromium signs in and cashes out as a person would.
 */
let next: RunningNext
let browser: Browser

beforeAll(async () => {
  next = await buildAndStartNext()
  console.info(`next build took ${next.buildMs} ms`)
  browser = await launchBrowser()
}, 240_000)

afterAll(async () => {
  await browser?.close().catch(() => undefined)
  if (!next) return
  await next.stop()
  const bffLines = next.lines.filter((line) => line.startsWith('{'))
  expect(bffLines.length).toBeGreaterThan(0)
  const { persona, coinflow } = sandboxCredentials
  expect(
    findLeaks(bffLines, {
      secrets: [persona.apiKey, persona.webhookSecret, coinflow.apiKey, coinflow.webhookKey],
      // What the seed and the journeys typed: birth dates, ID and account numbers.
      personal: ['1990-04-12', '123-45-1234', '1991-07-04', '123456789', '1234567890'],
    }),
    'secrets or personal data in the BFF log',
  ).toEqual([])
})

/** Emulator time passes (a review ends, a payout settles), through its control endpoint. */
async function passTime(seconds: number) {
  const response = await fetch(`${next.hostedOrigin}/__emulator/clock/advance`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ seconds }),
  })
  expect(response.status).toBe(200)
}

async function signIn(name: string, options: PageOptions = {}) {
  const opened = await openPage(browser, options)
  await opened.page.goto(next.url)
  await opened.page.getByRole('button', { name: `Sign in as ${name}` }).click()
  await opened.page.getByTestId('balance').waitFor()
  return opened
}

const balanceOf = (page: Page) => page.getByTestId('balance').innerText()

const nonceOf = (policy: string | undefined) => /'nonce-([^']+)'/.exec(policy ?? '')?.[1]

/** Picks instant, withdraws, lets the payout settle, and sees it paid and the balance down. */
async function withdrawInstantly(page: Page, amount: string, balanceAfter: string) {
  await page.getByRole('radio', { name: /Instant transfer/ }).check()
  await page.getByRole('button', { name: `Withdraw ${amount}` }).click()
  await expect.poll(() => cashOut(page).innerText()).toMatch(/on its way|paid out by/)
  await passTime(2)
  await expect
    .poll(() => cashOut(page).innerText(), { timeout: 15_000 })
    .toContain(`${amount} paid out by Instant transfer.`)
  // The balance is the server's: the page is rendered again after the payout settles.
  await expect.poll(() => balanceOf(page), { timeout: 15_000 }).toBe(balanceAfter)
}

describe('a verified user with a bank account linked (Jane)', () => {
  it('sees the wallet rendered on the server, gets a quote and withdraws', async () => {
    const { page, context, assertClean } = await signIn('Jane Doe')
    // Server-rendered: the HTML itself has the balance, and the kit's gate in its first state.
    const first = await context.request.get(`${next.url}/wallet`)
    const html = await first.text()
    expect(html).toContain('$500.00')
    expect(html).toMatch(/class="sf-gate"[^>]*data-state="loading"/)
    // Every script Next rendered carries this response's nonce, and the next response has another.
    const nonce = nonceOf(first.headers()['content-security-policy'])
    const scripts = html.match(/<script\b[^>]*>/g) ?? []
    expect(scripts.length).toBeGreaterThan(0)
    expect(scripts.filter((tag) => !tag.includes(` nonce="${nonce}"`))).toEqual([])
    const second = await context.request.get(`${next.url}/wallet`)
    expect(nonceOf(second.headers()['content-security-policy'])).not.toBe(nonce)
    expect(await balanceOf(page)).toBe('$500.00')

    await enterAmount(page, '80')
    await expectAccessible(page, 'wallet with a quote')
    await withdrawInstantly(page, '$80.00', '$420.00')
    await expectAccessible(page, 'wallet after a payout')
    assertClean()
    await context.close()
  })
})

describe('a user who never verified (Sam)', () => {
  it('goes through Persona’s flow, the kit shares it with Coinflow, and Sam withdraws', async () => {
    const { page, context, assertClean } = await signIn('Sam Rivera')
    await expect.poll(() => cashOut(page).innerText()).toContain('Verify your identity')
    const [flow] = await Promise.all([
      context.waitForEvent('page'),
      page.getByRole('button', { name: 'Start verification' }).click(),
    ])
    await completePersonaFlow(flow, { first: 'Sam', last: 'Rivera' })
    await flow.getByRole('heading', { name: 'Verification complete' }).waitFor()
    await flow.close()

    // Persona's webhook says the inquiry is done; the gate shares it; Coinflow reviews it.
    await expect
      .poll(() => cashOut(page).innerText(), { timeout: 15_000 })
      .toContain('Coinflow is checking your details')
    await passTime(3)
    const link = page.getByRole('button', { name: 'Link a payout account' })
    await expect.poll(() => link.count(), { timeout: 15_000 }).toBe(1)

    await linkUsBank(page, 'Sam', next.hostedOrigin)
    await enterAmount(page, '60')
    await withdrawInstantly(page, '$60.00', '$60.00')
    assertClean()
    await context.close()
  })
})

describe('a German browser', () => {
  it('gets the kit in German, its messages loaded on demand under the CSP', async () => {
    // Jane: verified from the start, whichever test ran before.
    const { page, context, assertClean } = await signIn('Jane Doe', { locale: 'de-DE' })
    await page.getByLabel(/^Betrag/).waitFor()
    await expect.poll(() => cashOut(page).innerText()).toContain('Betrag (USD)')
    await expectAccessible(page, 'quote in German')
    assertClean()
    await context.close()
  })
})

describe('Persona’s signed webhooks, sent to the route handler over HTTP', () => {
  it('are verified on the bytes that arrived: any other bytes under the same signature are refused', async () => {
    const kept = (await (
      await fetch(`${next.hostedOrigin}/__emulator/webhooks?include=body`)
    ).json()) as { deliveries: Array<{ vendor: string; body: string }> }
    const event = kept.deliveries.find((delivery) => delivery.vendor === 'persona')!
    // The same event in other bytes: a route that re-serialised the JSON would fail this.
    const payload = JSON.stringify(JSON.parse(event.body), null, 2)
    const secret = sandboxCredentials.persona.webhookSecret
    const deliver = async (body: string, signedBytes: string) =>
      fetch(`${next.url}/api/shareflow/webhooks/persona`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'Persona-Signature': await signWebhook({ payload: signedBytes, secret }),
        },
        body,
      })

    expect((await deliver(payload, payload)).status).toBe(200)
    const tampered = await deliver(payload, event.body)
    expect(tampered.status).toBe(403)
    expect(await tampered.json()).toMatchObject({ error: { code: 'forbidden' } })
  })
})
