import type { Meta, StoryObj } from '@storybook/react-vite'
import { expect, userEvent, waitFor, within } from 'storybook/test'
import type { KitSandbox } from '../../sandbox/sandbox'
import {
  componentArgs,
  scenarioArgTypes,
  scenarioDefaults,
  type ScenarioArgs,
} from '../../sandbox/stories'
import { CoinflowSdkWithdraw } from './coinflow-sdk-withdraw'
import { WithdrawButton, type WithdrawButtonProps } from './withdraw-button'

type Args = WithdrawButtonProps & ScenarioArgs

const usage = `
Pays the user out, once per intent however often it is clicked: it registers them with Coinflow if
needed, opens Coinflow's page to link a payout account when there is none (framed by the kit; pass
\`coinflowComponent={CoinflowSdkWithdraw}\` for Coinflow's own SDK, loaded only then), and follows
the payout over the event stream until Coinflow settles it.

\`\`\`tsx
import { WithdrawButton } from '@shareflow/react'

<WithdrawButton
  amount={{ cents: 25_00, currency: 'USD' }}
  speed={speed}
  onWithdrawn={(payout) => refreshBalance(payout.effectiveSpeed)}
/>
\`\`\`

It pays only at the fee quoted for exactly this amount and speed (the figures \`<PayoutQuote>\`
shows, from the same request), says that fee beside the button, and waits (\`pricing\`) while a
new amount is priced; should the price change before the press reaches the BFF, nothing is paid
and the fresh fee is shown to confirm.

Headless: \`useWithdraw({ amount, speed })\` returns \`{ state, terms, payout, withdraw, retry, reset }\`.
`

const meta = {
  title: 'Components/WithdrawButton',
  component: WithdrawButton,
  args: {
    ...scenarioDefaults,
    journey: 'linked',
    amount: { cents: 100_00, currency: 'USD' },
    speed: 'asap',
    storage: null,
  },
  argTypes: scenarioArgTypes,
  render: (args) => <WithdrawButton {...componentArgs(args)} />,
  parameters: { docs: { description: { component: usage } } },
} satisfies Meta<Args>

export default meta
type Story = StoryObj<typeof meta>

const withdraw = async (canvas: HTMLElement, name = 'Withdraw $100.00') => {
  const button = await within(canvas).findByRole('button', { name }, { timeout: 10_000 })
  // Enabled once the session (and with it the payout account) has loaded.
  await waitFor(() => expect(button).toHaveAttribute('aria-disabled', 'false'), { timeout: 10_000 })
  await userEvent.click(button)
}
const status = (canvas: HTMLElement, text: string | RegExp) =>
  within(canvas).findByText(text, { selector: '.sf-status' }, { timeout: 15_000 })

/** Ready to pay: beside the button, the fee it pays at and what arrives, as quoted for $100.00. */
export const Ready: Story = {
  play: async ({ canvasElement }) => {
    const button = await within(canvasElement).findByRole('button', { name: 'Withdraw $100.00' })
    await waitFor(() => expect(button).toHaveAttribute('aria-disabled', 'false'))
    await status(canvasElement, /^Fee \$[\d.]+ · You receive \$[\d.,]+$/)
  },
}

/** The fee for this amount is still being asked for (Coinflow is slow): nothing to confirm yet. */
export const GettingThePrice: Story = {
  args: { latencyMs: 5_000, slowAfterSession: true },
  play: async ({ canvasElement }) => {
    // The session's payout account first, then the quote: each one slow call.
    const button = await within(canvasElement).findByRole(
      'button',
      { name: 'Getting prices…' },
      { timeout: 15_000 },
    )
    await expect(button).toHaveAttribute('aria-disabled', 'true')
  },
}

export const ChooseASpeedFirst: Story = {
  args: { speed: undefined },
  play: async ({ canvasElement }) => {
    await status(canvasElement, 'Choose a payout speed first.')
  },
}

/** Coinflow settles a standard transfer after 30 seconds: the payout stays on its way. */
export const Processing: Story = {
  args: { speed: 'standard' },
  play: async ({ canvasElement }) => {
    await withdraw(canvasElement)
    await status(canvasElement, 'Your payout of $100.00 is on its way.')
  },
}

export const Succeeded: Story = {
  play: async ({ canvasElement }) => {
    await withdraw(canvasElement)
    await status(canvasElement, '$100.00 paid out by Instant transfer.')
  },
}

export const SameDayWentAsStandard: Story = {
  args: {
    amount: { cents: 1_200_000_00, currency: 'USD' },
    speed: 'same_day',
    balanceCents: 2_000_000_00,
  },
  play: async ({ canvasElement, loaded }) => {
    await withdraw(canvasElement, 'Withdraw $1,200,000.00')
    await status(canvasElement, /on its way/)
    await (loaded.sandbox as KitSandbox).advance(30_000)
    await status(canvasElement, '$1,200,000.00 paid out by Standard transfer.')
  },
}

/** A bank account with Coinflow's sandbox holder name `suspended`: accepted, then failed. */
export const Failed: Story = {
  args: { journey: 'linked_failing' },
  play: async ({ canvasElement }) => {
    await withdraw(canvasElement)
    await status(canvasElement, /^The payout failed/)
  },
}

export const RefusedByTheHost: Story = {
  args: { balanceCents: 50_00 },
  play: async ({ canvasElement }) => {
    await withdraw(canvasElement)
    await within(canvasElement).findByText('Your balance is too low.', undefined, {
      timeout: 10_000,
    })
  },
}

export const NotVerified: Story = {
  args: { journey: 'new' },
  play: async ({ canvasElement }) => {
    await withdraw(canvasElement, 'Link a payout account')
    await within(canvasElement).findByText(
      'Verify your identity first.',
      { selector: 'p' },
      {
        timeout: 10_000,
      },
    )
  },
}

/** Opens Coinflow's hosted page in the kit's own frame, answered by the emulator. */
export const LinkingAnAccount: Story = {
  args: { journey: 'verified' },
  play: async ({ canvasElement }) => {
    await withdraw(canvasElement, 'Link a payout account')
    const dialog = await within(document.body).findByRole('dialog', {
      name: 'Link a payout account',
    })
    await expect(dialog).toBeVisible()
    await within(dialog).findByTitle('Link a payout account with Coinflow')
  },
}

/**
 * The same with Coinflow's official `CoinflowWithdraw`, loaded only now. It targets
 * `http://localhost:3000` (its `env="local"`): run `pnpm emulator` to see the page itself.
 */
export const LinkingWithCoinflowsSdk: Story = {
  args: { journey: 'verified', coinflowComponent: CoinflowSdkWithdraw },
  parameters: { a11y: { test: 'todo' } },
  play: async ({ canvasElement }) => {
    await withdraw(canvasElement, 'Link a payout account')
    await within(document.body).findByRole('dialog', { name: 'Link a payout account' })
  },
}

export const German: Story = {
  globals: { locale: 'de-DE' },
  play: async ({ canvasElement }) => {
    await within(canvasElement).findByRole('button', { name: /100,00\s\$ auszahlen/ })
  },
}
