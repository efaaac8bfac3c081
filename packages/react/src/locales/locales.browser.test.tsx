import type { Quote, QuoteOption } from '@shareflow/contract'
import { cleanup, render } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { page, userEvent } from 'vitest/browser'
import { createKitSandbox, type KitSandbox } from '../../sandbox/sandbox'
import { PayoutQuote } from '../payout-quote/payout-quote'
import { ShareflowProvider } from '../provider'

let sandbox: KitSandbox | undefined
afterEach(() => {
  cleanup()
  sandbox?.close()
  sandbox = undefined
})

async function renderQuote(locale: string) {
  sandbox = await createKitSandbox({ journey: 'linked' })
  const onSelect = vi.fn<(option: QuoteOption, quote: Quote) => void>()
  render(
    <ShareflowProvider client={sandbox.client} locale={locale}>
      <PayoutQuote currency="USD" onSelect={onSelect} />
    </ShareflowProvider>,
  )
  return onSelect
}

const amountField = () => page.getByRole('textbox')

describe('amounts typed in the user’s locale', () => {
  for (const [locale, typed] of [
    ['ar-EG', '١٢٣٫٥٠'],
    ['fa-IR', '۱۲۳٫۵۰'],
    ['de-CH', '1’123.50'],
  ] as const) {
    it(`prices what a ${locale} user types (${typed})`, async () => {
      const onSelect = await renderQuote(locale)
      await userEvent.type(amountField(), typed)
      // Priced, not refused as "Enter an amount in USD".
      await expect.element(page.getByRole('radio').first()).toBeVisible()
      await vi.waitFor(() => expect(onSelect).toHaveBeenCalled())
      expect(onSelect.mock.calls.at(-1)![1].amount).toEqual({
        cents: locale === 'de-CH' ? 1_123_50 : 123_50,
        currency: 'USD',
      })
    })
  }
})
