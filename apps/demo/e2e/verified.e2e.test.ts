import { describe, expect, it } from 'vitest'
import { expectAccessible, screenshot } from './browser'
import {
  cashOut,
  enterAmount,
  expectBalance,
  historyItems,
  linkUsBank,
  signedIn,
  useJourneyWorld,
} from './journey'

/** Players Coinflow already knows: straight to linking an account and cashing out. */
const world = useJourneyWorld()

describe('a verified player with a bank account already linked (Jonas)', () => {
  it('cashes out over $1,000,000 same day, is told it goes as standard, and sees balance and history change', async () => {
    const { page, context, assertClean } = await signedIn(world(), 'Jonas Reed')
    await expectBalance(page, '$1,500,000.00')
    await enterAmount(page, '1100000')
    const sameDay = page.getByRole('radio', { name: /Same day/ })
    await sameDay.check()
    await expect.poll(() => cashOut(page).innerText()).toContain('Sent as Standard transfer')
    await expectAccessible(page, 'wallet with a quote')
    await screenshot(page, 'wallet-quote')

    await page.getByRole('button', { name: 'Withdraw $1,100,000.00' }).click()
    await expect
      .poll(() => cashOut(page).innerText())
      .toContain('Your payout of $1,100,000.00 is on its way.')
    await expectBalance(page, '$400,000.00')
    // Standard transfers settle on Coinflow's side later; its webhook moves the screen on.
    await world().passTime(30_000)
    await expect
      .poll(() => cashOut(page).innerText(), { timeout: 15_000 })
      .toContain('$1,100,000.00 paid out by Standard transfer.')
    await expect.poll(() => historyItems(page).count()).toBe(1)
    // The history follows the same event as the panel, a moment later: wait for it to catch up.
    await expect.poll(() => historyItems(page).first().innerText()).toContain('Paid out')
    const item = await historyItems(page).first().innerText()
    expect(item).toContain('Standard transfer')
    expect(item).toContain('$1,100,000.00')
    await expectAccessible(page, 'wallet after a payout')
    await screenshot(page, 'wallet-paid-out')
    assertClean()
    await context.close()
  })
})

describe('a verified player with no payout account yet (Ava)', () => {
  it('links a bank account on Coinflow’s page, withdraws instantly, and double clicks pay once', async () => {
    const { page, context, assertClean } = await signedIn(world(), 'Ava Chen')
    await expectBalance(page, '$480.00')
    await expect
      .poll(() => cashOut(page).innerText())
      .toContain('Link a payout account to see payout options.')
    await expectAccessible(page, 'wallet before linking')

    await page.getByRole('button', { name: 'Link a payout account' }).click()
    await page.getByRole('dialog').waitFor()
    await expectAccessible(page, 'linking dialog')
    await screenshot(page, 'coinflow-link-dialog')
    await page.getByRole('button', { name: 'Close' }).click()
    await page.getByRole('dialog').waitFor({ state: 'detached' })

    await linkUsBank(page, 'Ava')
    await enterAmount(page, '80')
    await page.getByRole('radio', { name: /Instant transfer/ }).check()
    const withdraw = page.getByRole('button', { name: 'Withdraw $80.00' })
    await withdraw.dblclick()
    await expect
      .poll(() => cashOut(page).innerText(), { timeout: 15_000 })
      .toContain('$80.00 paid out by Instant transfer.')
    await expectBalance(page, '$400.00')
    await expect.poll(() => historyItems(page).count()).toBe(1)
    expect(world().demo.ledger.entries('ava-chen')).toHaveLength(1)
    assertClean()
    await context.close()
  })
})
