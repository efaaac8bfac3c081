import type { Speed } from '@shareflow/contract'
import { cleanup, render } from '@testing-library/react'
import axe from 'axe-core'
import { useState } from 'react'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { page, userEvent } from 'vitest/browser'
import { createKitSandbox, type KitSandbox, type SandboxOptions } from '../../sandbox/sandbox'
import { de } from '../locales/de'
import { PayoutQuote } from '../payout-quote/payout-quote'
import { ShareflowProvider } from '../provider'
import { WithdrawButton } from '../withdraw-button/withdraw-button'
import { PayoutHistory } from './payout-history'

let sandbox: KitSandbox | undefined
beforeEach(() => sessionStorage.clear())
afterEach(() => {
  cleanup()
  sandbox?.close()
  sandbox = undefined
})

/** A wallet as a host builds one: the amount and speeds, the button, and the payouts so far. */
async function renderWallet(options: SandboxOptions, locale = 'en-US') {
  sandbox = await createKitSandbox(options)
  function Wallet() {
    const [amount, setAmount] = useState<number | undefined>()
    const [speed, setSpeed] = useState<Speed>()
    return (
      <>
        <PayoutQuote
          amount={amount}
          onAmountChange={setAmount}
          currency="USD"
          value={speed}
          onValueChange={setSpeed}
        />
        <WithdrawButton
          amount={amount ? { cents: amount, currency: 'USD' } : undefined}
          speed={speed}
        />
        <PayoutHistory />
      </>
    )
  }
  const view = render(
    <ShareflowProvider
      client={sandbox.client}
      locale={locale}
      messages={locale.startsWith('de') ? de : undefined}
    >
      <Wallet />
    </ShareflowProvider>,
  )
  return { sandbox, view }
}

const rows = () => document.querySelectorAll('.sf-history-item')
const firstRow = () => rows()[0]?.textContent ?? ''

async function payOut(amount: string, speed: RegExp, button: string) {
  await userEvent.fill(page.getByRole('textbox', { name: /Amount|Betrag/ }), amount)
  await userEvent.click(page.getByRole('radio', { name: speed }))
  await userEvent.click(page.getByRole('button', { name: button }))
}

describe('<PayoutHistory>', () => {
  it('lists a payout the moment it is sent, and follows it live until it is paid out', async () => {
    const { sandbox, view } = await renderWallet({ journey: 'linked' })
    await expect.element(page.getByText('No payouts yet.')).toBeVisible()
    await payOut('100', /Instant transfer/, 'Withdraw $100.00')
    await expect.poll(firstRow).toContain('On its way')
    expect(firstRow()).toContain('$100.00')
    expect(firstRow()).toMatch(/••\d{4} · Instant transfer ·/)

    // Coinflow's webhook settles it; the row changes where it is, with no reload.
    await sandbox.advance(2_000)
    await expect.poll(firstRow, { timeout: 10_000 }).toContain('Paid out')
    expect(rows()).toHaveLength(1)
    const { violations } = await axe.run(view.container)
    expect(violations.map((v) => v.id)).toEqual([])
  })

  it('says a failed payout failed, with the reason, and that its amount came back', async () => {
    const { sandbox } = await renderWallet({ journey: 'linked_failing' })
    await payOut('100', /Instant transfer/, 'Withdraw $100.00')
    await expect.poll(firstRow).toContain('On its way')
    await sandbox.advance(2_000)
    await expect.poll(firstRow, { timeout: 10_000 }).toContain('Failed')
    expect(firstRow()).toContain('The amount has been returned to your balance.')
    expect(sandbox.balance()).toBe(2_500_00)
  })

  it('never says a balance was returned for a payout the host refused: nothing was taken', async () => {
    const { sandbox } = await renderWallet({
      journey: 'linked',
      balanceCents: 50_00,
      tellsBalance: false,
    })
    await payOut('100', /Instant transfer/, 'Withdraw $100.00')
    await expect.poll(firstRow).toContain('Not sent. Nothing was taken from your balance.')
    expect(firstRow()).not.toMatch(/returned/)
    expect(sandbox.balance()).toBe(50_00)
  })

  it('says amounts, dates and statuses in German', async () => {
    const { sandbox } = await renderWallet({ journey: 'linked' }, 'de-DE')
    await expect.element(page.getByText('Noch keine Auszahlungen.')).toBeVisible()
    await payOut('100', /Sofortüberweisung|Instant/, '100,00 $ auszahlen')
    await expect.poll(firstRow).toContain('Unterwegs')
    await sandbox.advance(2_000)
    await expect.poll(firstRow, { timeout: 10_000 }).toContain('Ausgezahlt')
    expect(firstRow()).toMatch(/100,00\s\$/)
    expect(firstRow()).toMatch(/\d{2}\.\d{2}\.\d{4}/)
  })
})

describe('an amount over the balance', () => {
  it('says so in the amount field as it is typed, prices nothing, and offers nothing to press', async () => {
    const { sandbox } = await renderWallet({ journey: 'linked', balanceCents: 480_00 })
    const field = page.getByRole('textbox', { name: 'Amount' })
    await userEvent.fill(field, '600')
    await expect.element(page.getByText('Your balance is $480.00.').first()).toBeVisible()
    await expect.element(field).toHaveAttribute('aria-invalid', 'true')
    await expect.element(field).toHaveAccessibleDescription('Your balance is $480.00.')
    await expect
      .element(page.getByRole('button', { name: 'Withdraw $600.00' }))
      .toHaveAttribute('aria-disabled', 'true')
    // Past the quote's debounce: still no price was asked for, and no speed is on offer.
    await new Promise((resolve) => setTimeout(resolve, 600))
    expect(sandbox.requests.filter((r) => r.path === '/quotes')).toHaveLength(0)
    expect(document.querySelectorAll('input[type="radio"]')).toHaveLength(0)

    // Within the balance, the speeds are priced and the press pays.
    await payOut('480', /Instant transfer/, 'Withdraw $480.00')
    await expect.poll(firstRow).toContain('On its way')
    expect(sandbox.balance()).toBe(0)
    expect(
      sandbox.requests.filter((r) => r.path === '/payouts' && r.method === 'POST'),
    ).toHaveLength(1)
  })
})
