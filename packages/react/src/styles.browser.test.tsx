/// <reference types="vite/client" />
import { cleanup, render } from '@testing-library/react'
import { afterEach, expect, it } from 'vitest'
import { page, userEvent } from 'vitest/browser'
import { createKitSandbox, type KitSandbox } from '../sandbox/sandbox'
import { PayoutQuote } from './payout-quote/payout-quote'
import { ShareflowProvider } from './provider'
import './styles.css'

let sandbox: KitSandbox | undefined
afterEach(() => {
  cleanup()
  sandbox?.close()
  sandbox = undefined
})

it('rings a focused payout speed in a circle around its radio, not a stretched oval', async () => {
  sandbox = await createKitSandbox({ journey: 'linked' })
  render(
    <ShareflowProvider client={sandbox.client}>
      <PayoutQuote defaultAmount={250_00} currency="USD" />
    </ShareflowProvider>,
  )
  await expect.element(page.getByRole('radio').first()).toBeVisible()
  // From the amount field to the speeds, by keyboard.
  await userEvent.click(page.getByRole('textbox'))
  await userEvent.tab()
  const radio = document.activeElement as HTMLInputElement
  expect(radio.type).toBe('radio')
  const box = radio.getBoundingClientRect()
  expect(box.height / box.width).toBeLessThan(1.2)
  // The option around it carries the visible ring too.
  const option = radio.closest('.sf-option')!
  expect(getComputedStyle(option).outlineStyle).toBe('solid')
})
