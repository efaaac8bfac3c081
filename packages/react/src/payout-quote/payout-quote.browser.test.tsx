import type { Quote, QuoteOption, Speed } from '@shareflow/contract'
import { QueryClient } from '@tanstack/react-query'
import { cleanup, render } from '@testing-library/react'
import axe from 'axe-core'
import { useState } from 'react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { page, userEvent } from 'vitest/browser'
import { createKitSandbox, type KitSandbox, type SandboxOptions } from '../../sandbox/sandbox'
import { de } from '../locales/de'
import { ShareflowProvider, type ShareflowProviderProps } from '../provider'
import { PayoutQuote, type PayoutQuoteProps } from './payout-quote'

let sandbox: KitSandbox | undefined
afterEach(() => {
  cleanup()
  sandbox?.close()
  sandbox = undefined
})

async function renderQuote(
  options: SandboxOptions,
  props: Partial<PayoutQuoteProps> = {},
  provider: Partial<ShareflowProviderProps> = {},
) {
  sandbox = await createKitSandbox(options)
  const onSelect = vi.fn<(option: QuoteOption, quote: Quote) => void>()
  const view = render(
    <ShareflowProvider client={sandbox.client} {...provider}>
      <PayoutQuote onSelect={onSelect} {...props} />
    </ShareflowProvider>,
  )
  return { sandbox, onSelect, view }
}

// `.first()`: the component's live region repeats the notice for screen readers.
const notice = (text: string) => page.getByText(text).first()
const amountField = () => page.getByRole('textbox', { name: /Amount|Betrag/ })
const radio = (name: string) => page.getByRole('radio', { name })
const quotes = (s: KitSandbox) => s.requests.filter((r) => r.path === '/quotes')

describe('<PayoutQuote>', () => {
  it('prices every speed for the amount as a radio group, and picks the first available one', async () => {
    const { onSelect, view } = await renderQuote({ journey: 'linked' }, { defaultAmount: 250_00 })
    await expect.element(page.getByRole('group', { name: 'Payout speed' })).toBeVisible()
    await expect.element(radio('Standard transfer')).toBeVisible()
    const standard = view.container.querySelector('[data-speed="standard"]')!
    expect(standard.textContent).toMatch(
      /Fee \$0\.25 · You receive \$249\.75 · Arrives in \d+ days \(/,
    )
    await vi.waitFor(() => expect(onSelect).toHaveBeenCalled())
    const [option] = onSelect.mock.calls.at(-1)!
    expect(option.available).toBe(true)
    await expect.element(radio(optionName(option.speed))).toBeChecked()
    const { violations } = await axe.run(view.container)
    expect(violations.map((v) => v.id)).toEqual([])
  })

  it('waits for the user to stop typing before asking for prices', async () => {
    const { sandbox } = await renderQuote({ journey: 'linked' }, { debounceMs: 1_000 })
    await expect.element(notice('Enter an amount to see payout options.')).toBeVisible()
    await userEvent.type(amountField(), '1234.5')
    await expect.element(radio('Standard transfer')).toBeVisible()
    expect(quotes(sandbox)).toHaveLength(1)
    expect(page.getByText('You receive $1,234.25').elements()).toHaveLength(1)
  })

  it('is a keyboard-operable radio group that reports the chosen speed', async () => {
    const onValueChange = vi.fn<(speed: Speed) => void>()
    await renderQuote({ journey: 'linked' }, { defaultAmount: 100_00, onValueChange })
    await expect.element(radio('Instant transfer')).toBeChecked()
    await userEvent.tab()
    await userEvent.tab()
    await expect.element(radio('Instant transfer')).toHaveFocus()
    await userEvent.keyboard('{ArrowDown}')
    await expect.element(radio('Same day')).toBeChecked()
    expect(onValueChange).toHaveBeenLastCalledWith('same_day')
  })

  it('marks a speed the amount is over the limit of as unavailable, with the limit', async () => {
    const { view } = await renderQuote(
      { journey: 'linked', balanceCents: 1e12 },
      { defaultAmount: 200_000_00 },
    )
    await expect.element(radio('Instant transfer')).toBeDisabled()
    expect(view.container.querySelector('[data-speed="asap"]')?.textContent).toContain(
      'Above the $100,000.00 limit',
    )
  })

  it('shows that same day above $1,000,000 is sent as a standard transfer', async () => {
    const { view } = await renderQuote(
      { journey: 'linked', balanceCents: 2_000_000_00 },
      { defaultAmount: 1_500_000_00 },
    )
    await expect.element(radio('Standard transfer')).toBeVisible()
    expect(view.container.querySelector('[data-speed="same_day"]')?.textContent).toContain(
      'Sent as Standard transfer',
    )
  })

  it('asks the user to link an account when there is nowhere to pay', async () => {
    await renderQuote({ journey: 'verified' }, { defaultAmount: 50_00 })
    await expect.element(notice('Link a payout account to see payout options.')).toBeVisible()
  })

  it('refreshes a quote that outlived its validity', async () => {
    const { sandbox } = await renderQuote(
      { journey: 'linked', quoteValidForMs: 1_200 },
      { defaultAmount: 80_00 },
    )
    await expect.element(radio('Standard transfer')).toBeVisible()
    await vi.waitFor(() => expect(quotes(sandbox).length).toBeGreaterThanOrEqual(2), {
      timeout: 4_000,
    })
    await expect.element(radio('Standard transfer')).toBeEnabled()
  })

  it('says prices expired when they could not be refreshed, and refreshes on request', async () => {
    const { sandbox } = await renderQuote(
      { journey: 'linked', quoteValidForMs: 1_000 },
      { defaultAmount: 80_00 },
      { queryClient: new QueryClient({ defaultOptions: { queries: { retry: false } } }) },
    )
    await expect.element(radio('Standard transfer')).toBeVisible()
    sandbox.emulator.world.faults.coinflow.errorRate = 1
    await expect.element(notice('These prices expired.'), { timeout: 5_000 }).toBeVisible()
    await expect.element(radio('Standard transfer')).toBeDisabled()
    sandbox.emulator.world.faults.coinflow.errorRate = 0
    await userEvent.click(page.getByRole('button', { name: 'Refresh prices' }))
    await expect.element(radio('Standard transfer')).toBeEnabled()
  })

  it('shows an error with a retry when Coinflow is down', async () => {
    sandbox = await createKitSandbox({ journey: 'linked' })
    render(
      <ShareflowProvider
        client={sandbox.client}
        queryClient={new QueryClient({ defaultOptions: { queries: { retry: false } } })}
      >
        <PayoutQuote />
      </ShareflowProvider>,
    )
    await userEvent.type(amountField(), '80')
    await expect.element(radio('Standard transfer')).toBeVisible()
    sandbox.emulator.world.faults.coinflow.errorRate = 1
    await userEvent.type(amountField(), '0')
    await expect.element(page.getByText(/not reachable|unavailable/).first()).toBeVisible()
    sandbox!.emulator.world.faults.coinflow.errorRate = 0
    await userEvent.click(page.getByRole('button', { name: 'Try again' }))
    await expect.element(page.getByText('You receive $799.75')).toBeVisible()
  })

  it('shows the session’s error, with a retry, when it cannot even load', async () => {
    sandbox = await createKitSandbox({ journey: 'linked' })
    sandbox.emulator.world.faults.coinflow.errorRate = 1
    render(
      <ShareflowProvider
        client={sandbox.client}
        queryClient={new QueryClient({ defaultOptions: { queries: { retry: false } } })}
      >
        <PayoutQuote defaultAmount={80_00} />
      </ShareflowProvider>,
    )
    await expect.element(page.getByRole('button', { name: 'Try again' })).toBeVisible()
    sandbox.emulator.world.faults.coinflow.errorRate = 0
    await userEvent.click(page.getByRole('button', { name: 'Try again' }))
    await expect.element(radio('Standard transfer')).toBeVisible()
  })

  it('reads and writes amounts the German way and prices an IBAN in euros', async () => {
    const { view } = await renderQuote(
      { journey: 'iban_eur' },
      {},
      { locale: 'de-DE', messages: de },
    )
    await userEvent.type(amountField(), '12,50')
    await expect.element(radio('Banküberweisung')).toBeChecked()
    expect(view.container.querySelector('[data-speed="iban"]')?.textContent).toMatch(
      /Gebühr \d+,\d\d\s€/,
    )
  })

  it('rejects what is not an amount, and says why', async () => {
    const { sandbox } = await renderQuote({ journey: 'linked' })
    await userEvent.type(amountField(), 'abc')
    await expect.element(amountField()).toHaveAttribute('aria-invalid', 'true')
    await expect.element(page.getByText('Enter an amount in USD.')).toBeVisible()
    expect(quotes(sandbox)).toHaveLength(0)
  })

  it('follows an amount the host controls', async () => {
    sandbox = await createKitSandbox({ journey: 'linked' })
    const client = sandbox.client
    function Host() {
      const [amount, setAmount] = useState<number | undefined>(20_00)
      return (
        <ShareflowProvider client={client}>
          <button type="button" onClick={() => setAmount(40_00)}>
            Forty
          </button>
          <PayoutQuote amount={amount} onAmountChange={setAmount} />
        </ShareflowProvider>
      )
    }
    render(<Host />)
    await expect.element(amountField()).toHaveValue('20.00')
    await userEvent.click(page.getByRole('button', { name: 'Forty' }))
    await expect.element(amountField()).toHaveValue('40.00')
    await expect.element(page.getByText('You receive $39.75')).toBeVisible()
  })
})

const names: Record<Speed, string> = {
  card: 'Instant to card',
  asap: 'Instant transfer',
  same_day: 'Same day',
  standard: 'Standard transfer',
  iban: 'Bank transfer',
  pix: 'PIX',
}
const optionName = (speed: Speed) => names[speed]
