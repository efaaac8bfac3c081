import { describe, expect, it } from 'vitest'
import { expectAccessible, screenshot } from './browser'
import {
  awaitCoinflowApproval,
  cashOut,
  enterAmount,
  expectBalance,
  historyItems,
  linkUsBank,
  setCoinflowFaults,
  signedIn,
  useJourneyWorld,
} from './journey'

/**
 * What goes wrong in real life: a payout the bank bounces, a reload or a server restart in the
 * middle of a payout, a share token that expires before Coinflow redeems it. Each ends right,
 * with the money moved once.
 */
const world = useJourneyWorld()

describe('a payout the bank bounces (Ava, to a suspended account)', () => {
  it('fails by webhook, says why, and gives the balance back', async () => {
    const { page, context, assertClean } = await signedIn(world(), 'Ava Chen')
    await linkUsBank(page, 'suspended')
    await enterAmount(page, '100')
    await page.getByRole('radio', { name: /Instant transfer/ }).check()
    await page.getByRole('button', { name: 'Withdraw $100.00' }).click()
    await expect.poll(() => cashOut(page).innerText()).toContain('is on its way')
    await expectBalance(page, '$380.00')
    await world().passTime(2_000)
    await expect
      .poll(() => cashOut(page).innerText(), { timeout: 15_000 })
      .toContain('The payout failed')
    await expectBalance(page, '$480.00')
    await expect.poll(() => historyItems(page).first().innerText()).toContain('Failed')
    expect(world().demo.ledger.entries('ava-chen')).toMatchObject([{ state: 'reversed' }])
    await expectAccessible(page, 'payout failed')
    await screenshot(page, 'payout-failed')
    assertClean()
    await context.close()
  })
})

describe('a reload while the payout is being sent (Jonas)', () => {
  it('resumes the same payout after the reload and pays it once', async () => {
    const { page, context, assertClean } = await signedIn(world(), 'Jonas Reed')
    await enterAmount(page, '500')
    await page.getByRole('radio', { name: /Instant transfer/ }).check()
    // Coinflow answers slowly, so the reload lands while the BFF is still sending the payout.
    await setCoinflowFaults(world(), { latencyMs: 1_500 })
    const sent = page.waitForRequest(
      (request) => request.method() === 'POST' && request.url().endsWith('/api/shareflow/payouts'),
    )
    await page.getByRole('button', { name: 'Withdraw $500.00' }).click()
    await sent
    await page.reload()
    await setCoinflowFaults(world(), { latencyMs: 0 })
    await expect
      .poll(() => cashOut(page).innerText(), { timeout: 15_000 })
      .toMatch(/is on its way|paid out by/)
    await world().passTime(2_000)
    await expect
      .poll(() => cashOut(page).innerText(), { timeout: 15_000 })
      .toContain('$500.00 paid out by Instant transfer.')
    await expectBalance(page, '$1,499,500.00')
    await expect.poll(() => historyItems(page).count()).toBe(1)
    expect(world().demo.ledger.entries('jonas-reed')).toHaveLength(1)
    assertClean()
    await context.close()
  })
})

describe('the server restarting in the middle of a payout (Jonas)', () => {
  it('reconnects the open page and finishes the payout Coinflow settled meanwhile, once', async () => {
    const { page, context } = await signedIn(world(), 'Jonas Reed')
    await enterAmount(page, '250')
    await page.getByRole('radio', { name: /Standard transfer/ }).check()
    await page.getByRole('button', { name: 'Withdraw $250.00' }).click()
    await expect.poll(() => cashOut(page).innerText()).toContain('is on its way')

    // While the server is down, Coinflow settles the transfer: its webhook finds nobody home and
    // is retried, and the restarted BFF also looks the payout up itself. Either way, once.
    await world().restart(async () => {
      const { emulator } = world().demo.emulator!
      emulator.clock.advance(30_000)
      await emulator.runDue()
    })
    await expect
      .poll(() => cashOut(page).innerText(), { timeout: 20_000 })
      .toContain('$250.00 paid out by Standard transfer.')
    await expectBalance(page, '$1,499,250.00')
    await expect.poll(() => historyItems(page).count()).toBe(2)
    // The restarted server's ledger, opened from disk, settles what the old one debited (the
    // BFF tells the host right after it records the success).
    const states = () =>
      world()
        .demo.ledger.entries('jonas-reed')
        .map((entry) => entry.state)
    await expect.poll(states, { timeout: 10_000 }).toEqual(['settled', 'settled'])
    await context.close()
  })
})

describe('a share token that expires before Coinflow redeems it (Ben)', () => {
  it('is replaced by a fresh one and the player is approved all the same', async () => {
    const emulator = world().demo.emulator!
    const persona = (path: string, method = 'GET') =>
      emulator.emulator.fetch(`${emulator.persona.baseUrl}${path}`, {
        method,
        headers: { Authorization: `Bearer ${emulator.persona.apiKey}` },
      })
    const allTokens = async () => {
      const list = (await (await persona('/connect/share-tokens')).json()) as {
        data: { id: string; attributes: { status: string } }[]
      }
      return list.data.map((token) => ({ id: token.id, status: token.attributes.status }))
    }
    // The seeded players' tokens are older; Ben's are the ones made from here on.
    const earlier = new Set((await allTokens()).map((token) => token.id))
    const tokenStatuses = async () => (await allTokens()).filter((token) => !earlier.has(token.id))
    // Coinflow is slow to answer; in that moment the token Shareflow just made expires.
    await setCoinflowFaults(world(), { latencyMs: 1_500 })
    const { page, context, assertClean } = await signedIn(world(), 'Ben Okafor')
    await expect.poll(async () => (await tokenStatuses()).length, { timeout: 10_000 }).toBe(1)
    const [token] = await tokenStatuses()
    expect((await persona(`/connect/share-tokens/${token!.id}/expire`, 'POST')).status).toBe(200)
    await setCoinflowFaults(world(), { latencyMs: 0 })

    // Coinflow refuses the expired token; Shareflow shares a fresh one by itself.
    await expect
      .poll(async () => (await tokenStatuses()).map((t) => t.status).sort(), { timeout: 15_000 })
      .toEqual(['expired', 'redeemed'])
    await awaitCoinflowApproval(world(), page)
    assertClean()
    await context.close()
  })
})
