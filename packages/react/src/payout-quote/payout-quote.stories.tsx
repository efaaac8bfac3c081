import type { Meta, StoryObj } from '@storybook/react-vite'
import { expect, userEvent, waitFor, within } from 'storybook/test'
import type { KitSandbox } from '../../sandbox/sandbox'
import {
  componentArgs,
  scenarioArgTypes,
  scenarioDefaults,
  type ScenarioArgs,
} from '../../sandbox/stories'
import { PayoutQuote, type PayoutQuoteProps } from './payout-quote'

type Args = PayoutQuoteProps & ScenarioArgs

const usage = `
Every payout speed for an amount, as a radio group: the fee, what the user receives and when,
and why a speed is unavailable. It quotes as the user stops typing and re-quotes when a quote
outlives its validity.

\`\`\`tsx
import { PayoutQuote, WithdrawButton } from '@shareflow/react'

const [amount, setAmount] = useState<number>()
const [speed, setSpeed] = useState<Speed>()

<PayoutQuote amount={amount} onAmountChange={setAmount} currency="USD" value={speed} onValueChange={setSpeed} />
<WithdrawButton amount={amount ? { cents: amount, currency: 'USD' } : undefined} speed={speed} />
\`\`\`

Headless: \`usePayoutQuote({ amount, currency, destinationId })\` returns \`{ state, quote, refresh }\`.
`

const meta = {
  title: 'Components/PayoutQuote',
  component: PayoutQuote,
  args: { ...scenarioDefaults, journey: 'linked', defaultAmount: 250_00 },
  argTypes: scenarioArgTypes,
  render: (args) => <PayoutQuote {...componentArgs(args)} />,
  parameters: { docs: { description: { component: usage } } },
} satisfies Meta<Args>

export default meta
type Story = StoryObj<typeof meta>

const speeds = (canvas: HTMLElement) =>
  within(canvas).findByRole(
    'group',
    { name: /Payout speed|Auszahlungsgeschwindigkeit/ },
    { timeout: 10_000 },
  )

export const Ready: Story = {
  play: async ({ canvasElement }) => {
    await speeds(canvasElement)
    const canvas = within(canvasElement)
    await expect(canvas.getByRole('radio', { name: 'Instant transfer' })).toBeChecked()
    await expect(canvas.getByText(/You receive \$249\.75/)).toBeVisible()
  },
}

export const ChoosingWithTheKeyboard: Story = {
  play: async ({ canvasElement }) => {
    await speeds(canvasElement)
    const canvas = within(canvasElement)
    canvas.getByRole('radio', { name: 'Instant transfer' }).focus()
    await userEvent.keyboard('{ArrowDown}')
    await expect(canvas.getByRole('radio', { name: 'Same day' })).toBeChecked()
  },
}

export const Idle: Story = {
  args: { defaultAmount: undefined },
  play: async ({ canvasElement }) => {
    await within(canvasElement).findByText('Enter an amount to see payout options.', {
      selector: 'p',
    })
  },
}

export const Typing: Story = {
  args: { defaultAmount: undefined },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement)
    await userEvent.type(canvas.getByRole('textbox', { name: /Amount/ }), '1234.5')
    await expect(await canvas.findByText(/You receive \$1,234\.25/)).toBeVisible()
  },
}

export const NotAnAmount: Story = {
  args: { defaultAmount: undefined },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement)
    await userEvent.type(canvas.getByRole('textbox', { name: /Amount/ }), 'ten dollars')
    await expect(canvas.getByRole('textbox', { name: /Amount/ })).toHaveAttribute(
      'aria-invalid',
      'true',
    )
  },
}

export const Quoting: Story = {
  args: { latencyMs: 60_000, slowAfterSession: true },
  play: async ({ canvasElement }) => {
    await within(canvasElement).findByText(
      'Getting prices…',
      { selector: 'p' },
      { timeout: 10_000 },
    )
  },
}

export const NoPayoutAccount: Story = {
  args: { journey: 'verified' },
  play: async ({ canvasElement }) => {
    await within(canvasElement).findByText('Link a payout account to see payout options.', {
      selector: 'p',
    })
  },
}

export const OverTheLimit: Story = {
  args: { defaultAmount: 200_000_00 },
  play: async ({ canvasElement }) => {
    await speeds(canvasElement)
    await expect(
      within(canvasElement).getByRole('radio', { name: 'Instant transfer' }),
    ).toBeDisabled()
    await expect(within(canvasElement).getByText(/Above the \$100,000\.00 limit/)).toBeVisible()
  },
}

export const SameDaySentAsStandard: Story = {
  args: { defaultAmount: 1_500_000_00 },
  play: async ({ canvasElement }) => {
    await speeds(canvasElement)
    await expect(within(canvasElement).getByText(/Sent as Standard transfer/)).toBeVisible()
  },
}

export const Expired: Story = {
  args: { quoteValidForMs: 2_000, noRetry: true },
  play: async ({ canvasElement, loaded }) => {
    await speeds(canvasElement)
    ;(loaded.sandbox as KitSandbox).emulator.world.faults.coinflow.errorRate = 1
    await within(canvasElement).findByText(
      'These prices expired.',
      { selector: 'p' },
      { timeout: 10_000 },
    )
    ;(loaded.sandbox as KitSandbox).emulator.world.faults.coinflow.errorRate = 0
    await userEvent.click(within(canvasElement).getByRole('button', { name: 'Refresh prices' }))
    await waitFor(() =>
      expect(within(canvasElement).getByRole('radio', { name: 'Instant transfer' })).toBeEnabled(),
    )
  },
}

export const Error: Story = {
  args: { coinflowDown: true, noRetry: true },
  play: async ({ canvasElement }) => {
    await within(canvasElement).findByRole('button', { name: 'Try again' }, { timeout: 10_000 })
  },
}

export const GermanIbanInEuros: Story = {
  args: { journey: 'iban_eur', defaultAmount: 120_00 },
  globals: { locale: 'de-DE' },
  play: async ({ canvasElement }) => {
    await speeds(canvasElement)
    await expect(
      within(canvasElement).getByRole('radio', { name: 'Banküberweisung' }),
    ).toBeChecked()
    await expect(within(canvasElement).getByText(/Gebühr \d+,\d\d\s€/)).toBeVisible()
  },
}

export const PixInReais: Story = {
  args: { journey: 'pix_brl', defaultAmount: 300_00 },
  play: async ({ canvasElement }) => {
    await speeds(canvasElement)
    await expect(within(canvasElement).getByRole('radio', { name: 'PIX' })).toBeChecked()
  },
}

export const Dark: Story = {
  globals: { theme: 'dark' },
  play: async ({ canvasElement }) => {
    await speeds(canvasElement)
  },
}
