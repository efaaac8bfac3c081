import type { Meta, StoryObj } from '@storybook/react-vite'
import { expect, userEvent, within } from 'storybook/test'
import {
  componentArgs,
  moneyArgTypes,
  say,
  scenarioArgTypes,
  scenarioDefaults,
  waitForState,
  type ScenarioArgs,
} from '../../sandbox/stories'
import { PayoutQuote, type PayoutQuoteProps } from './payout-quote'
import type { PayoutQuoteState } from './use-payout-quote'

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
  argTypes: {
    ...scenarioArgTypes,
    currency: moneyArgTypes.currency,
    value: moneyArgTypes.value,
    defaultValue: moneyArgTypes.defaultValue,
    destination: { table: { disable: true } },
  },
  // Any changed control is a new sandbox and a fresh mount, so `defaultAmount` applies too.
  render: (args, { loaded }) => (
    <PayoutQuote
      {...componentArgs(args)}
      destination={loaded.destinationId as string | undefined}
    />
  ),
  parameters: { docs: { description: { component: usage } } },
} satisfies Meta<Args>

export default meta
type Story = StoryObj<typeof meta>

/** Waits until the quote is in `state` (its `data-state`), as any language shows it. */
const shows = (canvas: HTMLElement, state: PayoutQuoteState) =>
  waitForState(canvas, '.sf-quote', state)
const speed = (canvas: HTMLElement, name: string) => within(canvas).getByRole('radio', { name })
const amountField = (canvas: HTMLElement) => within(canvas).getByRole('textbox')

export const Ready: Story = {
  play: async ({ canvasElement, globals }) => {
    const { m, fill, money } = say(globals)
    await shows(canvasElement, 'ready')
    await expect(speed(canvasElement, m.speed_asap)).toBeChecked()
    await expect(
      within(canvasElement).getByText(fill(m.quoteReceive, { amount: money(249_75) })),
    ).toBeVisible()
  },
}

/** Arrow keys move the choice between speeds (the story presses ↓ once: same day is chosen). */
export const ChoosingWithTheKeyboard: Story = {
  play: async ({ canvasElement, globals }) => {
    const { m } = say(globals)
    await shows(canvasElement, 'ready')
    speed(canvasElement, m.speed_asap).focus()
    await userEvent.keyboard('{ArrowDown}')
    await expect(speed(canvasElement, m.speed_same_day)).toBeChecked()
  },
}

export const Idle: Story = {
  args: { defaultAmount: undefined },
  play: async ({ canvasElement, globals }) => {
    await shows(canvasElement, 'idle')
    await within(canvasElement).findByText(say(globals).m.quoteIdle, { selector: 'p' })
  },
}

/** The story types 1234.50 and the prices follow; on this page the field shows empty. */
export const Typing: Story = {
  args: { defaultAmount: undefined },
  play: async ({ canvasElement, globals }) => {
    const { m, fill, money } = say(globals)
    // Typed as the locale writes it (1234.5 in English, 1234,5 in German).
    await userEvent.type(amountField(canvasElement), money(1_234_50).replace(/[^\d.,]/g, ''))
    await expect(
      await within(canvasElement).findByText(fill(m.quoteReceive, { amount: money(1_234_25) })),
    ).toBeVisible()
  },
}

/** The story types “ten dollars”: the field is marked invalid. On this page it shows empty. */
export const NotAnAmount: Story = {
  args: { defaultAmount: undefined },
  play: async ({ canvasElement }) => {
    await userEvent.type(amountField(canvasElement), 'ten dollars')
    await expect(amountField(canvasElement)).toHaveAttribute('aria-invalid', 'true')
  },
}

export const Quoting: Story = {
  args: { latencyMs: 60_000, slowAfterSession: true },
  play: async ({ canvasElement, globals }) => {
    await shows(canvasElement, 'quoting')
    await within(canvasElement).findByText(say(globals).m.quoteLoading, { selector: 'p' })
  },
}

export const NoPayoutAccount: Story = {
  args: { journey: 'verified' },
  play: async ({ canvasElement, globals }) => {
    await shows(canvasElement, 'no_destination')
    await within(canvasElement).findByText(say(globals).m.quoteNoDestination, { selector: 'p' })
  },
}

export const OverTheLimit: Story = {
  args: { defaultAmount: 200_000_00, balanceCents: 2_000_000_00 },
  play: async ({ canvasElement, globals }) => {
    const { m, fill, money } = say(globals)
    await shows(canvasElement, 'ready')
    await expect(speed(canvasElement, m.speed_asap)).toBeDisabled()
    await expect(
      within(canvasElement).getByText(
        fill(m.unavailable_over_limit, { limit: money(100_000_00) }),
        { exact: false },
      ),
    ).toBeVisible()
  },
}

export const SameDaySentAsStandard: Story = {
  args: { defaultAmount: 1_500_000_00, balanceCents: 2_000_000_00 },
  play: async ({ canvasElement, globals }) => {
    const { m, fill } = say(globals)
    await shows(canvasElement, 'ready')
    await expect(
      within(canvasElement).getByText(fill(m.quoteSentAs, { speed: m.speed_standard }), {
        exact: false,
      }),
    ).toBeVisible()
  },
}

/** The prices held 2 seconds, and Coinflow went down after the first quote: they stay expired. */
export const Expired: Story = {
  args: { quoteValidForMs: 2_000, noRetry: true, coinflowDownAfterMs: 1_000 },
  play: async ({ canvasElement, globals }) => {
    const { m } = say(globals)
    await shows(canvasElement, 'expired')
    await expect(within(canvasElement).getByText(m.quoteExpired, { selector: 'p' })).toBeVisible()
    await expect(within(canvasElement).getByRole('button', { name: m.quoteRefresh })).toBeEnabled()
  },
}

/** Coinflow is down: nothing to price. */
export const Error: Story = {
  args: { coinflowDown: true, noRetry: true },
  play: async ({ canvasElement, globals }) => {
    await shows(canvasElement, 'error')
    await within(canvasElement).findByRole('button', { name: say(globals).m.retry })
  },
}

/** The BFF lets this user make one request a minute: the session, then a 429 for the prices. */
export const TooManyRequests: Story = {
  args: { requestsPerMinute: 1, noRetry: true },
  play: async ({ canvasElement, globals }) => {
    await shows(canvasElement, 'error')
    await expect(
      within(canvasElement).getByText(say(globals).m.error_rate_limited, { selector: 'p' }),
    ).toBeVisible()
  },
}

/** The user has a bank account and a Visa debit card; priced for the card: instant to card. */
export const DebitCard: Story = {
  args: { journey: 'linked_with_card', destinationType: 'card' },
  play: async ({ canvasElement, globals }) => {
    await shows(canvasElement, 'ready')
    await expect(speed(canvasElement, say(globals).m.speed_card)).toBeChecked()
  },
}

/** A UK account: pounds by Faster Payments. */
export const UkInPounds: Story = {
  args: { journey: 'iban_gbp', currency: 'GBP', defaultAmount: 80_00 },
  play: async ({ canvasElement, globals }) => {
    const { m, fill, money } = say(globals)
    await shows(canvasElement, 'ready')
    await expect(speed(canvasElement, m.speed_iban)).toBeChecked()
    await expect(
      within(canvasElement).getByText(
        fill(m.quoteFee, { fee: '' }).trim() + ' ' + money(1_58, 'GBP'),
        {
          exact: false,
        },
      ),
    ).toBeVisible()
  },
}

export const GermanIbanInEuros: Story = {
  args: { journey: 'iban_eur', defaultAmount: 120_00 },
  globals: { locale: 'de-DE' },
  play: async ({ canvasElement }) => {
    await shows(canvasElement, 'ready')
    await expect(speed(canvasElement, 'Banküberweisung')).toBeChecked()
    await expect(within(canvasElement).getByText(/Gebühr \d+,\d\d\s€/)).toBeVisible()
  },
}

export const PixInReais: Story = {
  args: { journey: 'pix_brl', defaultAmount: 300_00 },
  play: async ({ canvasElement, globals }) => {
    await shows(canvasElement, 'ready')
    await expect(speed(canvasElement, say(globals).m.speed_pix)).toBeChecked()
  },
}

export const Dark: Story = {
  globals: { theme: 'dark' },
  play: async ({ canvasElement }) => {
    await shows(canvasElement, 'ready')
    await expect(canvasElement.querySelector('.sf-quote')).toHaveAttribute('data-theme', 'dark')
  },
}

export const Phone: Story = {
  globals: { viewport: { value: 'mobile1', isRotated: false } },
  play: async ({ canvasElement }) => {
    await shows(canvasElement, 'ready')
  },
}

/** $600.00 typed against a $480.00 balance the host reports: said at once, nothing priced. */
export const OverTheBalance: Story = {
  args: { defaultAmount: 600_00, balanceCents: 480_00 },
  play: async ({ canvasElement, globals }) => {
    const { m, fill, money } = say(globals)
    await shows(canvasElement, 'over_balance')
    await expect(
      within(canvasElement).getByText(fill(m.amountOverBalance, { balance: money(480_00) }), {
        selector: 'p',
      }),
    ).toBeVisible()
    await expect(amountField(canvasElement)).toHaveAttribute('aria-invalid', 'true')
    await expect(within(canvasElement).queryAllByRole('radio')).toHaveLength(0)
  },
}
