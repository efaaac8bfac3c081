import type { Payout, PositiveMoney, Speed } from '@shareflow/contract'
import { cleanup, render } from '@testing-library/react'
import axe from 'axe-core'
import { StrictMode, useState } from 'react'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { page, userEvent } from 'vitest/browser'
import { createKitSandbox, type KitSandbox, type SandboxOptions } from '../../sandbox/sandbox'
import { createShareflowClient } from '../client'
import { PayoutQuote } from '../payout-quote/payout-quote'
import { ShareflowProvider } from '../provider'
import type { WithdrawState } from './withdraw-state'
import { WithdrawButton, type WithdrawButtonProps } from './withdraw-button'

let sandbox: KitSandbox | undefined
beforeEach(() => sessionStorage.clear())
afterEach(() => {
  cleanup()
  sandbox?.close()
  sandbox = undefined
})

const usd = (cents: number): PositiveMoney => ({ cents, currency: 'USD' })

async function renderButton(
  options: SandboxOptions,
  props: Partial<WithdrawButtonProps> = {},
  strict = false,
) {
  sandbox = await createKitSandbox(options)
  const onWithdrawn = vi.fn<(payout: Payout) => void>()
  const states: WithdrawState[] = []
  const tree = (
    <ShareflowProvider client={sandbox.client}>
      <WithdrawButton
        amount={usd(100_00)}
        speed="asap"
        onWithdrawn={onWithdrawn}
        onStateChange={(state) => states.push(state)}
        {...props}
      />
    </ShareflowProvider>
  )
  const view = render(strict ? <StrictMode>{tree}</StrictMode> : tree)
  return { sandbox, onWithdrawn, states, view }
}

const button = (name: string | RegExp) => page.getByRole('button', { name })
const payoutPosts = (s: KitSandbox) =>
  s.requests.filter((r) => r.method === 'POST' && r.path === '/payouts')
const status = (text: string | RegExp) => page.getByText(text).first()

describe('<WithdrawButton>', () => {
  it('pays out once, follows the payout to success and reports the speed it went by', async () => {
    const { sandbox, onWithdrawn, states, view } = await renderButton({ journey: 'linked' })
    await userEvent.click(button('Withdraw $100.00'))
    await expect.element(status('Your payout of $100.00 is on its way.')).toBeVisible()
    expect(sandbox.balance()).toBe(2_500_00 - 100_00)
    const { violations } = await axe.run(view.container)
    expect(violations.map((v) => v.id)).toEqual([])

    // Coinflow settles it a moment later; its webhook reaches the page over SSE.
    await sandbox.advance(2_000)
    await expect.element(status('$100.00 paid out by Instant transfer.')).toBeVisible()
    expect(onWithdrawn).toHaveBeenCalledTimes(1)
    expect(onWithdrawn.mock.calls[0]?.[0]).toMatchObject({
      state: 'succeeded',
      effectiveSpeed: 'asap',
    })
    expect(states).toEqual([
      'unavailable',
      // The fee for $100.00 is asked for before the button offers to pay it.
      'pricing',
      'ready',
      'preparing',
      'submitting',
      'processing',
      'succeeded',
    ])
    expect(payoutPosts(sandbox)).toHaveLength(1)
  })

  it('pays only at the fee on screen: a new amount is priced before the button offers to pay it', async () => {
    sandbox = await createKitSandbox({ journey: 'linked' })
    const onWithdrawn = vi.fn<(payout: Payout) => void>()
    function Wallet() {
      const [amount, setAmount] = useState<number | undefined>(50_00)
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
            amount={amount ? usd(amount) : undefined}
            speed={speed}
            onWithdrawn={onWithdrawn}
          />
        </>
      )
    }
    const view = render(
      <ShareflowProvider client={sandbox.client}>
        <Wallet />
      </ShareflowProvider>,
    )
    // The fee on the chosen speed's card, and the fee the button says it pays at.
    const cardFee = () =>
      /Fee (\$[\d,.]+)/.exec(
        view.container
          .querySelector('[aria-checked="true"], input:checked')
          ?.closest('[data-speed]')?.textContent ?? '',
      )?.[1]
    const buttonTerms = () =>
      /Fee (\$[\d,.]+) · You receive/.exec(
        view.container.querySelector('.sf-withdraw .sf-status')?.textContent ?? '',
      )?.[1]

    await expect.element(button('Withdraw $50.00')).toHaveAttribute('aria-disabled', 'false')
    await vi.waitFor(() => expect(buttonTerms()).toBeDefined())
    expect(buttonTerms()).toBe(cardFee())

    // Typing a new amount and pressing at once, inside the re-quote window: nothing is paid at
    // the $50.00 figures still on the cards.
    const field = page.getByRole('textbox', { name: 'Amount' })
    await userEvent.clear(field)
    await userEvent.type(field, '75')
    await expect.element(button('Getting prices…')).toHaveAttribute('aria-disabled', 'true')
    // (A click in this very task: the price may land a moment later, and then paying is right.)
    ;(button('Getting prices…').element() as HTMLButtonElement).click()
    expect(payoutPosts(sandbox)).toHaveLength(0)

    // Once $75.00 is priced, the button confirms its fee, the one the cards show, and pays it.
    await expect.element(button('Withdraw $75.00')).toHaveAttribute('aria-disabled', 'false')
    await vi.waitFor(() => expect(buttonTerms()).toBe(cardFee()))
    const shownFee = buttonTerms()
    await userEvent.click(button('Withdraw $75.00'))
    await expect.element(status('Your payout of $75.00 is on its way.')).toBeVisible()
    await sandbox.advance(2_000)
    await vi.waitFor(() => expect(onWithdrawn).toHaveBeenCalledTimes(1))
    const [paid] = onWithdrawn.mock.calls[0]!
    expect(paid.amount).toEqual(usd(75_00))
    expect(`$${((paid.fee?.cents ?? -1) / 100).toFixed(2)}`).toBe(shownFee)
    expect(payoutPosts(sandbox)).toHaveLength(1)
  })

  it('pays out with the keyboard alone, and announces how it went', async () => {
    const { sandbox } = await renderButton({ journey: 'linked' })
    await expect.element(button('Withdraw $100.00')).toHaveAttribute('aria-disabled', 'false')
    await userEvent.tab()
    await expect.element(button('Withdraw $100.00')).toHaveFocus()
    await userEvent.keyboard('{Enter}')
    await expect
      .element(page.getByRole('status'))
      .toHaveTextContent('Your payout of $100.00 is on its way.')
    // Focus stays on the button while the payout is on its way (it is inactive then), never <body>.
    await expect.element(button('Sending…')).toHaveFocus()
    await expect.element(button('Sending…')).toHaveAttribute('aria-disabled', 'true')
    await sandbox.advance(2_000)
    await expect
      .element(page.getByRole('status'))
      .toHaveTextContent('$100.00 paid out by Instant transfer.')
    await expect.element(button('New payout')).toBeVisible()
    await expect.element(button('New payout')).toHaveFocus()
  })

  it('makes one payout however often it is clicked', async () => {
    const { sandbox } = await renderButton({ journey: 'linked' })
    await expect.element(button('Withdraw $100.00')).toHaveAttribute('aria-disabled', 'false')
    // Three clicks in one task, before React can render the busy state in between.
    const withdraw = button('Withdraw $100.00').element() as HTMLButtonElement
    withdraw.click()
    withdraw.click()
    withdraw.click()
    await expect.element(status('Your payout of $100.00 is on its way.')).toBeVisible()
    expect(payoutPosts(sandbox)).toHaveLength(1)
    expect(sandbox.balance()).toBe(2_400_00)
  })

  it("pays once when Coinflow loses its answer ($503.00, the emulator's lost response)", async () => {
    const { sandbox } = await renderButton({ journey: 'linked' }, { amount: usd(503_00) })
    await userEvent.click(button('Withdraw $503.00'))
    await expect.element(status('Your payout of $503.00 is on its way.')).toBeVisible()
    await sandbox.advance(2_000)
    await expect.element(status('$503.00 paid out by Instant transfer.')).toBeVisible()
    expect(sandbox.balance()).toBe(2_500_00 - 503_00)
  })

  it('retries lost answers with the same idempotency key, by itself and on Try again, and pays once', async () => {
    const { sandbox } = await renderButton({ journey: 'linked' })
    await expect.element(button('Withdraw $100.00')).toHaveAttribute('aria-disabled', 'false')
    sandbox.loseAnswers('/payouts', 3)
    await userEvent.click(button('Withdraw $100.00'))
    await expect
      .element(status('The service is not reachable. Try again in a moment.'))
      .toBeVisible()
    // The button names the payout it sends again (which may already have reached the BFF).
    await userEvent.click(button('Try $100.00 again'))
    await expect.element(status('Your payout of $100.00 is on its way.')).toBeVisible()
    const posts = payoutPosts(sandbox)
    expect(posts).toHaveLength(4)
    expect(new Set(posts.map((p) => p.idempotencyKey)).size).toBe(1)
    expect(sandbox.balance()).toBe(2_400_00)
  })

  it('reports a payout Coinflow failed, with its reason, and the balance comes back', async () => {
    const { sandbox, onWithdrawn } = await renderButton({ journey: 'linked_failing' })
    await userEvent.click(button('Withdraw $100.00'))
    await expect.element(status('Your payout of $100.00 is on its way.')).toBeVisible()
    await sandbox.advance(2_000)
    await expect.element(status(/^The payout failed/)).toBeVisible()
    await expect.element(button('New payout')).toBeVisible()
    expect(onWithdrawn).not.toHaveBeenCalled()
    await vi.waitFor(() => expect(sandbox.balance()).toBe(2_500_00))
  })

  it('says when same day went as a standard transfer (above $1,000,000)', async () => {
    const { sandbox } = await renderButton(
      { journey: 'linked', balanceCents: 2_000_000_00 },
      { amount: usd(1_200_000_00), speed: 'same_day' },
    )
    await userEvent.click(button('Withdraw $1,200,000.00'))
    await expect.element(status(/on its way/)).toBeVisible()
    await sandbox.advance(30_000)
    await expect.element(status('$1,200,000.00 paid out by Standard transfer.')).toBeVisible()
  })

  it("shows the host's reason when it refuses the payout, and a new click is a new intent", async () => {
    const { sandbox } = await renderButton({
      journey: 'linked',
      balanceCents: 50_00,
      tellsBalance: false,
    })
    await userEvent.click(button('Withdraw $100.00'))
    await expect.element(status('Your balance is too low.')).toBeVisible()
    await userEvent.click(button('Try again'))
    await expect.element(status('Your balance is too low.')).toBeVisible()
    const keys = payoutPosts(sandbox).map((p) => p.idempotencyKey)
    expect(keys).toHaveLength(2)
    expect(keys[0]).not.toBe(keys[1])
  })

  it('after a refusal, offers the new payout once the amount or speed changes, and pays it', async () => {
    const { sandbox, view } = await renderButton({
      journey: 'linked',
      balanceCents: 50_00,
      tellsBalance: false,
    })
    await userEvent.click(button('Withdraw $100.00'))
    await expect.element(status('Your balance is too low.')).toBeVisible()
    await expect.element(button('Try again')).toBeVisible()
    view.rerender(
      <ShareflowProvider client={sandbox.client}>
        <WithdrawButton amount={usd(40_00)} speed="asap" />
      </ShareflowProvider>,
    )
    // The button says what it will do now; the old refusal is gone.
    await expect.element(button('Withdraw $40.00')).toHaveAttribute('aria-disabled', 'false')
    expect(view.container.textContent).not.toContain('Your balance is too low.')
    await userEvent.click(button('Withdraw $40.00'))
    await expect.element(status('Your payout of $40.00 is on its way.')).toBeVisible()
    expect(sandbox.balance()).toBe(10_00)
  })

  it('keeps saying why a payout resent after a reload was refused, once the account has loaded', async () => {
    // The press reaches the BFF, which refuses it (the balance), but the answer is lost on the
    // way back: the kit keeps the intent to learn its outcome, and then the page reloads.
    const { sandbox, view } = await renderButton({
      journey: 'linked',
      balanceCents: 50_00,
      tellsBalance: false,
    })
    await expect.element(button('Withdraw $100.00')).toHaveAttribute('aria-disabled', 'false')
    sandbox.loseAnswers('/payouts', 3)
    await userEvent.click(button('Withdraw $100.00'))
    await expect.element(button('Try $100.00 again')).toBeVisible()
    view.unmount()

    // The page comes back: the saved payout is sent again under its key, and refused.
    render(
      <ShareflowProvider client={sandbox.client}>
        <WithdrawButton amount={usd(100_00)} speed="asap" />
      </ShareflowProvider>,
    )
    await expect.element(status('Your balance is too low.')).toBeVisible()
    // The payout account finishes loading and the price arrives: the refusal still shows.
    await vi.waitFor(() =>
      expect(sandbox!.requests.some((r) => r.method === 'GET' && r.path === '/session')).toBe(true),
    )
    await new Promise((resolve) => setTimeout(resolve, 500))
    await expect.element(status('Your balance is too low.')).toBeVisible()
    await expect.element(button('Try again')).toBeVisible()
    const keys = payoutPosts(sandbox).map((p) => p.idempotencyKey)
    expect(keys).toHaveLength(4)
    expect(new Set(keys).size).toBe(1)
  })

  it('asks an unverified user to verify first, and pays nothing', async () => {
    const { sandbox } = await renderButton({ journey: 'new' })
    await userEvent.click(button('Link a payout account'))
    await expect.element(status('Verify your identity first.')).toBeVisible()
    expect(payoutPosts(sandbox)).toHaveLength(0)
  })

  it('waits for a speed before it can pay, and says so', async () => {
    const { sandbox } = await renderButton({ journey: 'linked' }, { speed: undefined })
    await expect.element(button('Withdraw $100.00')).toHaveAttribute('aria-disabled', 'true')
    await expect.element(status('Choose a payout speed first.')).toBeVisible()
    await userEvent.click(button('Withdraw $100.00'), { force: true })
    expect(payoutPosts(sandbox)).toHaveLength(0)
  })

  it('resumes a payout a reload interrupted, without paying twice', async () => {
    const { sandbox, view } = await renderButton({ journey: 'linked' })
    await userEvent.click(button('Withdraw $100.00'))
    await expect.element(status('Your payout of $100.00 is on its way.')).toBeVisible()
    view.unmount()
    // The page comes back: a new provider, cache and client state; only sessionStorage survives.
    const onWithdrawn = vi.fn()
    render(
      <ShareflowProvider client={sandbox.client}>
        <WithdrawButton
          amount={usd(100_00)}
          speed={'asap' satisfies Speed}
          onWithdrawn={onWithdrawn}
        />
      </ShareflowProvider>,
    )
    await expect.element(status('Your payout of $100.00 is on its way.')).toBeVisible()
    await sandbox.advance(2_000)
    await expect.element(status('$100.00 paid out by Instant transfer.')).toBeVisible()
    expect(onWithdrawn).toHaveBeenCalledTimes(1)
    expect(payoutPosts(sandbox)).toHaveLength(1)
  })

  it('stays paid when a look at the payout, read before the webhook, answers after its event', async () => {
    sandbox = await createKitSandbox({ journey: 'linked' })
    const { app } = sandbox
    // The BFF reads the payout at once; the answer is held on the way back, as a slow network would.
    const held: (() => void)[] = []
    const client = createShareflowClient({
      baseUrl: sandbox.client.baseUrl,
      fetch: async (input, init) => {
        const response = await app.request(input, init)
        const lookAtPayout = (init.method ?? 'GET') === 'GET' && /\/payouts\/po_/.test(input)
        if (lookAtPayout) await new Promise<void>((resolve) => held.push(resolve))
        return response
      },
    })
    const states: WithdrawState[] = []
    render(
      <ShareflowProvider client={client}>
        <WithdrawButton
          amount={usd(100_00)}
          speed="asap"
          onStateChange={(state) => states.push(state)}
        />
      </ShareflowProvider>,
    )
    await userEvent.click(button('Withdraw $100.00'))
    await expect.element(status('Your payout of $100.00 is on its way.')).toBeVisible()
    await vi.waitFor(() => expect(held.length).toBeGreaterThan(0))

    await sandbox.advance(2_000)
    await expect.element(status('$100.00 paid out by Instant transfer.')).toBeVisible()
    // The pending answer read before the webhook arrives now, after the event that settled it.
    held.splice(0).forEach((release) => release())
    await new Promise((resolve) => setTimeout(resolve, 100))
    await expect.element(status('$100.00 paid out by Instant transfer.')).toBeVisible()
    expect(states.slice(states.indexOf('succeeded'))).toEqual(['succeeded'])
  })

  it('pays once under StrictMode', async () => {
    const { sandbox } = await renderButton({ journey: 'linked' }, {}, true)
    await expect.element(button('Withdraw $100.00')).toHaveAttribute('aria-disabled', 'false')
    // A verified user with nothing on its way has nothing to follow live.
    expect(sandbox.requests.filter((r) => r.path === '/events')).toHaveLength(0)
    await userEvent.click(button('Withdraw $100.00'))
    await sandbox.advance(2_000)
    await expect.element(status('$100.00 paid out by Instant transfer.')).toBeVisible()
    expect(payoutPosts(sandbox)).toHaveLength(1)
    // One stream while the payout was on its way, closed once it settled.
    expect(sandbox.requests.filter((r) => r.path === '/events')).toHaveLength(1)
    await vi.waitFor(() => expect(sandbox.client.liveStatus).toBe('idle'))
  })

  it("opens Coinflow's page in a dialog when there is no payout account, and closes it with Escape", async () => {
    await renderButton({ journey: 'verified' })
    const link = button('Link a payout account')
    await userEvent.click(link)
    const dialog = page.getByRole('dialog', { name: 'Link a payout account' })
    await expect.element(dialog).toBeVisible()
    await expect
      .element(page.getByTitle('Link a payout account with Coinflow'))
      .toHaveAttribute('referrerpolicy', 'no-referrer')
    const src = page
      .getByTitle('Link a payout account with Coinflow')
      .element()
      .getAttribute('src')!
    const url = new URL(src)
    expect(url.origin + url.pathname).toBe(
      'http://localhost:3000/solana/withdraw/shareflow-sandbox',
    )
    expect(url.searchParams.get('sessionKey')).toBeTruthy()
    expect(url.searchParams.get('theme')).toBeTruthy()
    await userEvent.keyboard('{Escape}')
    await expect.element(dialog).not.toBeInTheDocument()
    await expect.element(link).toHaveFocus()
  })
})
