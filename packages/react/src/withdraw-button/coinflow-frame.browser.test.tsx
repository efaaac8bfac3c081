import { cleanup, render } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { page, userEvent } from 'vitest/browser'
import { serveHostedPages } from '../../sandbox/hosted'
import { createKitSandbox, type KitSandbox } from '../../sandbox/sandbox'
import { PayoutQuote } from '../payout-quote/payout-quote'
import { ShareflowProvider } from '../provider'
import { CoinflowSdkWithdraw } from './coinflow-sdk-withdraw'
import { WithdrawButton, type WithdrawButtonProps } from './withdraw-button'

let sandbox: KitSandbox | undefined
beforeEach(() => sessionStorage.clear())
afterEach(() => {
  cleanup()
  sandbox?.close()
  sandbox = undefined
})

async function renderLinking(props: Partial<WithdrawButtonProps> = {}) {
  sandbox = await createKitSandbox({ journey: 'verified' })
  await serveHostedPages(sandbox)
  render(
    <ShareflowProvider client={sandbox.client}>
      <PayoutQuote defaultAmount={40_00} currency="USD" />
      <WithdrawButton amount={{ cents: 40_00, currency: 'USD' }} speed="asap" {...props} />
    </ShareflowProvider>,
  )
  await userEvent.click(page.getByRole('button', { name: 'Link a payout account' }))
  return sandbox
}

/** Fills in Coinflow's emulated Plaid form inside the frame, as a person would. */
async function linkBankAccount(frameTitle: string) {
  const frame = page.frameLocator(page.getByTitle(frameTitle))
  await userEvent.click(frame.getByText('US bank account (Plaid)'))
  await userEvent.fill(frame.getByLabelText('Routing number'), '011401533')
  await userEvent.fill(frame.getByLabelText('Account number', { exact: true }), '000123456789')
  await userEvent.fill(frame.getByLabelText('Account holder first name'), 'Robin')
  await userEvent.click(frame.getByRole('button', { name: 'Link' }).first())
}

describe("Coinflow's page, framed by the kit", () => {
  it('links a bank account there, hears accountLinked, and the quote and button move on', async () => {
    await renderLinking()
    const title = 'Link a payout account with Coinflow'
    await expect.element(page.getByRole('dialog', { name: 'Link a payout account' })).toBeVisible()
    await linkBankAccount(title)
    await expect.element(page.getByRole('dialog')).not.toBeInTheDocument()
    await expect.element(page.getByRole('radio', { name: 'Instant transfer' })).toBeVisible()
    await expect
      .element(page.getByRole('button', { name: 'Withdraw $40.00' }))
      .toHaveAttribute('aria-disabled', 'false')
    await expect.element(page.getByRole('button', { name: 'Withdraw $40.00' })).toHaveFocus()
  })

  it('says a card Coinflow cannot link failed, keeps its page open, and another account links there', async () => {
    await renderLinking()
    const title = 'Link a payout account with Coinflow'
    const dialog = page.getByRole('dialog', { name: 'Link a payout account' })
    const frame = page.frameLocator(page.getByTitle(title))
    await userEvent.click(frame.getByText('Debit card'))
    await userEvent.fill(frame.getByLabelText('Card number'), '4169050000000004')
    // The emulator's ineligible sandbox expiry: Coinflow posts accountNotLinked, reason failed.
    await userEvent.fill(frame.getByLabelText('Expiry month (MM)'), '01')
    await userEvent.fill(frame.getByLabelText('Expiry year (YY)'), '25')
    await userEvent.fill(frame.getByLabelText('Name on card'), 'Robin Doe')
    const address = frame.getByLabelText('Street address')
    if (await address.query()) {
      await userEvent.fill(address, '1 Main St')
      await userEvent.fill(frame.getByLabelText('City'), 'Springfield')
      await userEvent.fill(frame.getByLabelText('State'), 'IL')
      await userEvent.fill(frame.getByLabelText('ZIP'), '62701')
    }
    await userEvent.click(frame.getByRole('button', { name: 'Link' }).first())

    await expect
      .element(dialog.getByRole('alert'))
      .toHaveTextContent(
        'Coinflow could not link this card: it cannot receive payouts. Try another card or account.',
      )
    await expect.element(dialog).toBeVisible()
    await expect
      .element(page.getByRole('button', { name: 'Linking your account…' }))
      .toHaveAttribute('aria-disabled', 'true')

    // Still on Coinflow's page: a bank account links, and the payout can go ahead.
    await linkBankAccount(title)
    await expect.element(page.getByRole('dialog')).not.toBeInTheDocument()
    await expect
      .element(page.getByRole('button', { name: 'Withdraw $40.00' }))
      .toHaveAttribute('aria-disabled', 'false')
  })

  it('sizes the frame from the page’s height messages, through the height attribute', async () => {
    await renderLinking()
    const frame = page.getByTitle('Link a payout account with Coinflow')
    await expect.element(frame).toBeVisible()
    await expect.poll(() => frame.element().getAttribute('height')).not.toBe('640')
  })

  it('ignores messages from any other origin or window', async () => {
    await renderLinking()
    const frame = page.getByTitle('Link a payout account with Coinflow')
    await expect.element(frame).toBeVisible()
    // The same message a linked account sends, but from this page itself, then with a forged
    // origin-less string: neither may close the dialog or link anything.
    window.postMessage(JSON.stringify({ method: 'accountLinked', info: { type: 'bank' } }), '*')
    window.postMessage('accountLinked', '*')
    await new Promise((resolve) => setTimeout(resolve, 300))
    await expect.element(page.getByRole('dialog')).toBeVisible()
  })
})

describe('Coinflow’s official SDK, lazily loaded (env="local")', () => {
  it('renders CoinflowWithdraw against the emulator and hears accountLinked', async () => {
    await renderLinking({ coinflowComponent: CoinflowSdkWithdraw })
    // The SDK's iframe, renamed to the kit's localised title.
    const title = 'Link a payout account with Coinflow'
    const frame = page.getByTitle(title)
    await expect.element(frame).toBeVisible()
    expect(frame.element().getAttribute('src')).toMatch(
      /^http:\/\/localhost:3000\/solana\/withdraw\/shareflow-sandbox\?/,
    )
    await linkBankAccount(title)
    await expect.element(page.getByRole('dialog')).not.toBeInTheDocument()
    await expect.element(page.getByRole('radio', { name: 'Instant transfer' })).toBeVisible()
  })
})
