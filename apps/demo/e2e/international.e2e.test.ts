import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { expectAccessible, openPage, screenshot } from './browser'
import {
  cashOut,
  enterAmount,
  expectBalance,
  historyItems,
  linkOnCoinflowPage,
  quoteSettled,
  signedIn,
  useJourneyWorld,
} from './journey'

/**
 * Players outside the US, paid in their own currency: an IBAN in euros (in German), a UK account
 * in pounds (keyboard only), PIX in reais (dark theme).
 */
const world = useJourneyWorld()

/** What has keyboard focus, looking inside Coinflow's frame when focus is there. */
async function focused(page: Page): Promise<string> {
  const describe = () => {
    const element = document.activeElement as HTMLElement | null
    if (!element) return ''
    if (element.tagName === 'IFRAME') return 'IFRAME'
    const input = element as HTMLInputElement
    const label = input.labels?.[0]?.textContent ?? element.getAttribute('aria-label') ?? ''
    return `${element.tagName} ${(label || element.textContent || '').trim()}`
  }
  const top = await page.evaluate(describe)
  if (top !== 'IFRAME') return top
  const frame = page
    .frames()
    .find((candidate) => candidate.url().startsWith('http://localhost:3000/'))
  return frame ? frame.evaluate(describe) : top
}

/** Presses Tab until focus reaches what `matches` describes, as a keyboard user would. */
async function tabTo(page: Page, matches: RegExp, limit = 40) {
  for (let presses = 0; presses < limit; presses++) {
    if (matches.test(await focused(page))) return
    await page.keyboard.press('Tab')
  }
  throw new Error(`Tab never reached ${matches}; focus is on "${await focused(page)}"`)
}

describe('a German player paid to an IBAN in euros (Greta, in German)', () => {
  it('links an IBAN on Coinflow’s page and is paid by bank transfer, all in German', async () => {
    const { page, context, assertClean } = await signedIn(world(), 'Greta Köhler', {
      locale: 'de-DE',
    })
    await expectBalance(page, '340,00 €')
    // The kit speaks German; Coinflow's own page is Coinflow's (English in its sandbox).
    await linkOnCoinflowPage(page, {
      button: 'Auszahlungskonto verknüpfen',
      kind: 'IBAN (EUR) or UK account (GBP)',
      fields: {
        'IBAN or UK account number': 'DE89370400440532013000',
        'Account holder': 'Greta Köhler',
      },
    })

    await enterAmount(page, '100')
    await page.getByRole('radio', { name: /Banküberweisung/ }).check()
    await expectAccessible(page, 'wallet in German')
    await screenshot(page, 'wallet-german')
    await page.getByRole('button', { name: /^100,00\s€ auszahlen$/ }).click()
    await expect.poll(() => cashOut(page).innerText()).toMatch(/unterwegs|ausgezahlt/)
    await world().passTime(5_000)
    await expect
      .poll(() => cashOut(page).innerText(), { timeout: 15_000 })
      .toMatch(/100,00\s€ per Banküberweisung ausgezahlt\./)
    await expectBalance(page, '240,00 €')
    await expect.poll(() => historyItems(page).first().innerText()).toContain('Ausgezahlt')
    assertClean()
    await context.close()
  })
})

describe('a British player paid in pounds (Harry, keyboard only)', () => {
  it('signs in, links a UK account and withdraws without touching the mouse', async () => {
    const { page, context, assertClean } = await openPage(world().browser)
    await page.goto(world().demo.url)
    await page.getByRole('heading', { name: 'Choose a demo player' }).waitFor()
    await tabTo(page, /^BUTTON Sign in as Harry Wells$/)
    await page.keyboard.press('Enter')
    await page.getByTestId('balance').waitFor()
    await expectBalance(page, '£150.00')

    await tabTo(page, /^BUTTON Link a payout account$/)
    await page.keyboard.press('Enter')
    await page.getByRole('dialog').waitFor()
    await tabTo(page, /^SUMMARY IBAN/)
    await page.keyboard.press('Enter')
    await tabTo(page, /^INPUT IBAN or UK account number$/)
    await page.keyboard.type('22052471')
    await page.keyboard.press('Tab')
    await page.keyboard.type('202678')
    await tabTo(page, /^INPUT Account holder$/)
    await page.keyboard.type('Harry Wells')
    await page.keyboard.press('Enter')
    await page.getByRole('dialog').waitFor({ state: 'detached' })

    await tabTo(page, /^INPUT Amount/)
    await page.keyboard.press('ControlOrMeta+A')
    await page.keyboard.type('75')
    await tabTo(page, /^INPUT .*Bank transfer/)
    await page.keyboard.press('Space')
    // As a person does: the button says "Getting prices…" until £75.00 is priced.
    await quoteSettled(page)
    await tabTo(page, /^BUTTON Withdraw £75\.00$/)
    await page.keyboard.press('Enter')
    await expect.poll(() => cashOut(page).innerText()).toMatch(/on its way|paid out by/)
    await world().passTime(5_000)
    await expect
      .poll(() => cashOut(page).innerText(), { timeout: 15_000 })
      .toContain('£75.00 paid out by Bank transfer.')
    await expectBalance(page, '£75.00')
    assertClean()
    await context.close()
  })
})

describe('a Brazilian player paid by PIX in reais (Isabela, dark theme)', () => {
  it('links a PIX key and is paid in minutes, in the dark theme', async () => {
    const { page, context, assertClean } = await signedIn(world(), 'Isabela Souza', {
      colorScheme: 'dark',
    })
    await expectBalance(page, 'R$1,200.00')
    await linkOnCoinflowPage(page, { kind: 'PIX (BRL)', fields: { 'PIX key': '40882598074' } })

    await enterAmount(page, '300')
    await page.getByRole('radio', { name: /PIX/ }).check()
    await expectAccessible(page, 'wallet in the dark theme')
    await screenshot(page, 'wallet-dark')
    await page.getByRole('button', { name: 'Withdraw R$300.00' }).click()
    await expect.poll(() => cashOut(page).innerText()).toMatch(/on its way|paid out by/)
    await world().passTime(2_000)
    await expect
      .poll(() => cashOut(page).innerText(), { timeout: 15_000 })
      .toContain('R$300.00 paid out by PIX.')
    await expectBalance(page, 'R$900.00')
    await expect.poll(() => historyItems(page).count()).toBe(1)
    assertClean()
    await context.close()
  })
})

describe('what the BFF wrote down along the way', () => {
  it('logged no account number, IBAN, PIX key, or date of birth', () => {
    const log = world().logs.join('\n')
    expect(world().logs.length).toBeGreaterThan(0)
    for (const secret of ['DE89370400440532013000', '22052471', '40882598074', '1994-03-17']) {
      expect(log).not.toContain(secret)
    }
  })
})
