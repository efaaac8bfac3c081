import path from 'node:path'
import { serveShareflow, type ServingShareflow } from '@shareflow/server/node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDemoApp } from '../server/app'
import { createPlayerAuth, SESSION_COOKIE } from '../server/auth'
import { DemoLedger } from '../server/ledger'
import { DEMO_PLAYERS } from '../server/players'
import { expectAccessible, launchBrowser, openPage, screenshot, type Browser } from './browser'
import { builtFrontend, tempDir } from './fixtures'

/**
 * The host server on its own (its sign-in, ledger, pages and CSP), without the BFF: what a
 * platform already has before it adds Shareflow.
 */
const data = tempDir('starfall-host')
let server: ServingShareflow
let browser: Browser
const openingBalances = Object.fromEntries(
  DEMO_PLAYERS.map((player) => [player.id, player.openingBalance]),
)

beforeAll(async () => {
  const app = createDemoApp({
    players: DEMO_PLAYERS,
    ledger: new DemoLedger(path.join(data.dir, 'ledger.json'), openingBalances),
    auth: createPlayerAuth({ secret: 'test-secret-for-the-host-tests', players: DEMO_PLAYERS }),
    distDir: await builtFrontend(),
    frameOrigins: ['http://localhost:3000'],
  })
  server = await serveShareflow({ app, hostname: 'localhost' })
  browser = await launchBrowser()
})

afterAll(async () => {
  await browser?.close()
  await server?.close()
  data.remove()
})

const post = (pathname: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${server.url}${pathname}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Origin: server.url, ...headers },
    body: JSON.stringify(body),
  })

describe('the host server', () => {
  it('serves the page under a nonce-based CSP that frames only Coinflow', async () => {
    const first = await fetch(server.url)
    const second = await fetch(`${server.url}/wallet`)
    const csp = first.headers.get('Content-Security-Policy') ?? ''
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1]
    expect(nonce).toBeTruthy()
    expect(csp).toContain('frame-src http://localhost:3000')
    expect(csp).toContain("frame-ancestors 'none'")
    expect(csp).not.toContain('unsafe-inline')
    const html = await first.text()
    expect(html).toContain(`nonce="${nonce}"`)
    expect(html).not.toContain('SHAREFLOW_DEMO_NONCE')
    // A fresh nonce for every response.
    expect(second.headers.get('Content-Security-Policy')).not.toContain(nonce)
  })

  it('refuses paths that climb out of the assets folder', async () => {
    const response = await fetch(`${server.url}/assets/..%2f..%2fetc%2fpasswd`)
    expect(response.status).not.toBe(200)
    expect(await response.text()).not.toContain('root:')
  })

  it('signs a player in with a signed cookie and ignores a forged one', async () => {
    const signIn = await post('/api/demo/session', { playerId: 'ava-chen' })
    expect(signIn.status).toBe(200)
    const cookie = signIn.headers.get('Set-Cookie') ?? ''
    expect(cookie).toMatch(/HttpOnly/i)
    expect(cookie).toMatch(/SameSite=Lax/i)
    const value = cookie.split(';')[0]!
    const me = await fetch(`${server.url}/api/demo/me`, { headers: { Cookie: value } })
    expect(me.status).toBe(200)
    expect((await me.json()).player.id).toBe('ava-chen')

    const forged = value.replace('ava-chen', 'jonas-reed')
    const refused = await fetch(`${server.url}/api/demo/me`, { headers: { Cookie: forged } })
    expect(refused.status).toBe(401)
    const unsigned = await fetch(`${server.url}/api/demo/me`, {
      headers: { Cookie: `${SESSION_COOKIE}=jonas-reed` },
    })
    expect(unsigned.status).toBe(401)
  })

  it('refuses a sign-in posted from another site', async () => {
    const response = await post(
      '/api/demo/session',
      { playerId: 'ava-chen' },
      { Origin: 'https://evil.example' },
    )
    expect(response.status).toBe(403)
    expect(response.headers.get('Set-Cookie')).toBeNull()
  })

  it('refuses an unknown player', async () => {
    expect((await post('/api/demo/session', { playerId: 'nobody' })).status).toBe(404)
  })
})

describe('the ledger behind the payout hooks', () => {
  // Its own file, so the screens below show the players' opening balances.
  const ledgerFile = path.join(data.dir, 'ledger-tests.json')
  const ledger = new DemoLedger(ledgerFile, openingBalances)

  it('debits a payout once, however often it is authorised, and returns it once', () => {
    const before = ledger.balance('ben-okafor', 'USD').cents
    const amount = { cents: 25_00, currency: 'USD' as const }
    expect(ledger.authorize('ben-okafor', 'po_1', amount)).toEqual({ ok: true })
    expect(ledger.authorize('ben-okafor', 'po_1', amount)).toEqual({ ok: true })
    expect(ledger.balance('ben-okafor', 'USD').cents).toBe(before - 25_00)
    ledger.reverse('po_1', 'The bank refused it.')
    ledger.reverse('po_1', 'The bank refused it.')
    expect(ledger.balance('ben-okafor', 'USD').cents).toBe(before)
    expect(ledger.entries('ben-okafor')[0]).toMatchObject({ state: 'reversed' })
  })

  it('refuses more than the balance, in words the player reads', () => {
    const result = ledger.authorize('cleo-martin', 'po_2', { cents: 1_000_000_00, currency: 'USD' })
    expect(result).toEqual({ ok: false, reason: 'Your balance is too low for this withdrawal.' })
  })

  it('keeps balances across a restart', () => {
    ledger.authorize('harry-wells', 'po_3', { cents: 10_00, currency: 'GBP' })
    const reopened = new DemoLedger(ledgerFile, {})
    expect(reopened.balance('harry-wells', 'GBP').cents).toBe(140_00)
  })
})

describe('the sign-in screen in Chromium', () => {
  it.each(['light', 'dark'] as const)(
    'lists one player per journey in the %s theme, passes axe, and breaks no CSP rule',
    async (colorScheme) => {
      const { page, context, assertClean } = await openPage(browser, { colorScheme })
      await page.goto(server.url)
      await expect
        .poll(() => page.getByRole('button', { name: /^Sign in as / }).count())
        .toBe(DEMO_PLAYERS.length)
      await expect.poll(() => page.evaluate(() => document.activeElement?.tagName)).toBe('H1')
      expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe(colorScheme)
      await expectAccessible(page, `sign-in (${colorScheme})`)
      await screenshot(page, `sign-in-${colorScheme}`)
      assertClean()
      await context.close()
    },
  )

  it('speaks German to a German browser, money included', async () => {
    const { page, context, assertClean } = await openPage(browser, { locale: 'de-DE' })
    await page.goto(server.url)
    await page.getByRole('heading', { name: 'Demo-Spieler wählen' }).waitFor()
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('de')
    const greta = page.locator('[data-journey="iban_eur"]')
    await expect.poll(() => greta.textContent()).toMatch(/340,00\s€/)
    await page.getByRole('button', { name: 'Als Greta Köhler anmelden' }).waitFor()
    await expectAccessible(page, 'sign-in (German)')
    assertClean()
    await context.close()
  })

  it('switches language and theme from the top bar and remembers them', async () => {
    const { page, context, assertClean } = await openPage(browser)
    await page.goto(server.url)
    await page.getByLabel('Language').selectOption('de')
    await page.getByLabel('Design').selectOption('dark')
    await page.getByRole('heading', { name: 'Demo-Spieler wählen' }).waitFor()
    await page.reload()
    await page.getByRole('heading', { name: 'Demo-Spieler wählen' }).waitFor()
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark')
    assertClean()
    await context.close()
  })
})
