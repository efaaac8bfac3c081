import type { Speed } from '@shareflow/contract'
import type { Meta, StoryObj } from '@storybook/react-vite'
import { useState } from 'react'
import { expect, userEvent, waitFor, within } from 'storybook/test'
import type { KitSandbox } from '../sandbox/sandbox'
import { scenarioArgTypes, scenarioDefaults, type ScenarioArgs } from '../sandbox/stories'
import { KycShareGate } from './kyc-share-gate/kyc-share-gate'
import { PayoutQuote } from './payout-quote/payout-quote'
import { WithdrawButton } from './withdraw-button/withdraw-button'

/** The three components as a host wires them: a cash-out panel behind the identity gate. */
function CashOut() {
  const [amount, setAmount] = useState<number | undefined>(40_00)
  const [speed, setSpeed] = useState<Speed>()
  return (
    <KycShareGate>
      <div className="story-cash-out">
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
          storage={null}
        />
      </div>
    </KycShareGate>
  )
}

const meta = {
  title: 'Journeys/From unverified to paid out',
  component: CashOut,
  args: { ...scenarioDefaults, journey: 'new' },
  argTypes: scenarioArgTypes,
  parameters: {
    docs: {
      description: {
        component:
          'A new player verifies with Persona, is registered with Coinflow by sharing that verification, links a bank account on Coinflow’s page, picks a speed and is paid out — all against the emulator running in this page. Click through it yourself: Persona’s flow opens in a new tab.',
      },
    },
  },
} satisfies Meta<ScenarioArgs>

export default meta
type Story = StoryObj<typeof meta>

/** Types into a field of Coinflow's page (same origin here: a service worker serves it). */
function fill(document: Document, label: string, value: string) {
  const input = [...document.querySelectorAll('label')].find((l) => l.textContent === label)
    ?.control as HTMLInputElement
  input.value = value
}

export const UnverifiedToPaidOut: Story = {
  play: async ({ canvasElement, loaded, step }) => {
    const sandbox = loaded.sandbox as KitSandbox
    const canvas = within(canvasElement)
    const page = within(document.body)

    await step('Verify with Persona', async () => {
      await userEvent.click(await canvas.findByRole('button', { name: 'Start verification' }))
      await canvas.findByRole('heading', { name: 'Finish verifying with Persona' })
      // The person finishes Persona's flow in the other tab.
      await sandbox.completeInquiry()
    })

    await step('Shared with Coinflow, approved live', async () => {
      await canvas.findByRole(
        'heading',
        { name: 'Coinflow is checking your details' },
        { timeout: 10_000 },
      )
      await canvas.findByText(
        'Link a payout account to see payout options.',
        { selector: 'p' },
        { timeout: 15_000 },
      )
    })

    await step('Link a bank account on Coinflow’s page', async () => {
      await userEvent.click(canvas.getByRole('button', { name: 'Link a payout account' }))
      const frame = (await page.findByTitle(
        'Link a payout account with Coinflow',
      )) as HTMLIFrameElement
      const form = await waitFor(
        () => {
          const found = frame.contentDocument?.querySelector<HTMLFormElement>(
            'details[data-kind="bank"] form',
          )
          if (!found) throw new Error('Coinflow’s page is still loading')
          return found
        },
        { timeout: 10_000 },
      )
      const doc = frame.contentDocument!
      fill(doc, 'Routing number', '011401533')
      fill(doc, 'Account number', '000123456789')
      fill(doc, 'Account holder first name', 'Robin')
      form.requestSubmit()
      await waitFor(() => expect(page.queryByRole('dialog')).toBeNull(), { timeout: 10_000 })
    })

    await step('Pick a speed and withdraw', async () => {
      await userEvent.click(
        await canvas.findByRole('radio', { name: 'Instant transfer' }, { timeout: 10_000 }),
      )
      const withdraw = canvas.getByRole('button', { name: 'Withdraw $40.00' })
      await waitFor(() => expect(withdraw).toHaveAttribute('aria-disabled', 'false'))
      await userEvent.click(withdraw)
      await canvas.findByText(
        '$40.00 paid out by Instant transfer.',
        { selector: '.sf-status' },
        { timeout: 15_000 },
      )
      await expect(sandbox.balance()).toBe(2_500_00 - 40_00)
    })
  },
}
