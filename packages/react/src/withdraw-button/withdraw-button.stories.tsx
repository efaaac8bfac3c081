import type { Meta, StoryObj } from '@storybook/react-vite'
import { expect, userEvent, waitFor, within } from 'storybook/test'
import {
  componentArgs,
  moneyArgTypes,
  say,
  scenarioArgTypes,
  scenarioDefaults,
  storyAmount,
  waitForState,
  type AmountArgs,
  type ScenarioArgs,
} from '../../sandbox/stories'
import type { ShareflowLanguage } from '../messages'
import type { IntentStorage } from './use-withdraw'
import { WithdrawButton, type WithdrawButtonProps } from './withdraw-button'
import type { WithdrawState } from './withdraw-state'

type Args = Omit<WithdrawButtonProps, 'amount'> & ScenarioArgs & AmountArgs

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

Each state below is set up on the emulator before the button renders (for a payout, the
\`pressedSecondsAgo\` control): the press was made, and the button picks up its payout. Coinflow's
own SDK (\`coinflowComponent={CoinflowSdkWithdraw}\`) frames \`http://localhost:3000\`, which nothing
serves in Storybook: see it in the demo (\`pnpm dev\`).
`

const meta = {
  title: 'Components/WithdrawButton',
  component: WithdrawButton,
  args: {
    ...scenarioDefaults,
    journey: 'linked',
    amountCents: 100_00,
    currency: 'USD',
    speed: 'asap',
  },
  argTypes: {
    ...scenarioArgTypes,
    currency: moneyArgTypes.currency,
    amountCents: moneyArgTypes.amountCents,
    speed: moneyArgTypes.speed,
    // Made from the controls above and the journey's accounts.
    destination: { table: { disable: true } },
    storage: { table: { disable: true } },
  },
  render: ({ amountCents, currency, ...args }, { loaded }) => (
    <WithdrawButton
      {...componentArgs(args)}
      amount={storyAmount({ amountCents, currency })}
      destination={loaded.destinationId as string | undefined}
      // An intent the story's press left (see `pressedSecondsAgo`), else none kept across reloads.
      storage={(loaded.storage as IntentStorage | undefined) ?? null}
    />
  ),
  parameters: { docs: { description: { component: usage } } },
} satisfies Meta<Args>

export default meta
type Story = StoryObj<typeof meta>

/** Waits until the button is in `state` (its `data-state`), as any language shows it. */
const shows = (canvas: HTMLElement, state: WithdrawState) =>
  waitForState(canvas, '.sf-withdraw', state)
const status = (canvas: HTMLElement) => canvas.querySelector('.sf-status')
/** Waits until the line beside the button reads `text`. */
const says = (canvas: HTMLElement, text: string) =>
  waitFor(() => expect(status(canvas)).toHaveTextContent(text), { timeout: 15_000 })
/** The error's sentence (not the live region repeating it). */
const explains = (canvas: HTMLElement, text: string) =>
  within(canvas).findByText(text, { selector: '.sf-error p' }, { timeout: 15_000 })
const button = (canvas: HTMLElement) => within(canvas).getByRole('button')

/** Ready to pay: beside the button, the fee it pays at and what arrives, as quoted for $100.00. */
export const Ready: Story = {
  play: async ({ canvasElement, globals }) => {
    const { m, fill, money } = say(globals)
    await shows(canvasElement, 'ready')
    await expect(button(canvasElement)).toHaveTextContent(
      fill(m.withdraw, { amount: money(100_00) }),
    )
    await expect(button(canvasElement)).toHaveAttribute('aria-disabled', 'false')
    await says(canvasElement, fill(m.quoteFee, { fee: '' }).trim())
  },
}

/** The fee for this amount is still being asked for (Coinflow is slow): nothing to confirm yet. */
export const GettingThePrice: Story = {
  args: { latencyMs: 5_000, slowAfterSession: true },
  play: async ({ canvasElement }) => {
    // The session's payout account first, then the quote: each one slow call.
    await shows(canvasElement, 'pricing')
    await expect(button(canvasElement)).toHaveAttribute('aria-disabled', 'true')
  },
}

export const ChooseASpeedFirst: Story = {
  args: { speed: undefined },
  play: async ({ canvasElement, globals }) => {
    await shows(canvasElement, 'unavailable')
    await says(canvasElement, say(globals).m.withdrawChooseSpeed)
  },
}

/** Pressed just now; Coinflow settles a standard transfer after 30 seconds, so it is on its way. */
export const Processing: Story = {
  args: { speed: 'standard', pressedSecondsAgo: 0 },
  play: async ({ canvasElement, globals }) => {
    const { m, fill, money } = say(globals)
    await shows(canvasElement, 'processing')
    await says(canvasElement, fill(m.withdrawProcessing, { amount: money(100_00) }))
    await expect(button(canvasElement)).toHaveAttribute('aria-disabled', 'true')
  },
}

/** Pressed 5 seconds ago; an instant transfer settles after 2. */
export const Succeeded: Story = {
  args: { pressedSecondsAgo: 5 },
  play: async ({ canvasElement, globals }) => {
    const { m, fill, money } = say(globals)
    await shows(canvasElement, 'succeeded')
    await says(
      canvasElement,
      fill(m.withdrawSucceeded, { amount: money(100_00), speed: m.speed_asap }),
    )
    await expect(button(canvasElement)).toHaveTextContent(m.withdrawAgain)
  },
}

/** Same day above $1,000,000 goes out as standard: settled 30 seconds later, named so. */
export const SameDayWentAsStandard: Story = {
  args: {
    amountCents: 1_200_000_00,
    speed: 'same_day',
    balanceCents: 2_000_000_00,
    pressedSecondsAgo: 30,
  },
  play: async ({ canvasElement, globals }) => {
    const { m, fill, money } = say(globals)
    await shows(canvasElement, 'succeeded')
    await says(
      canvasElement,
      fill(m.withdrawSucceeded, { amount: money(1_200_000_00), speed: m.speed_standard }),
    )
  },
}

/** A standard transfer pressed 25 seconds ago: still on its way, 5 seconds before it lands. */
export const StillOnItsWay: Story = {
  args: { speed: 'standard', pressedSecondsAgo: 25 },
  play: async ({ canvasElement }) => {
    await shows(canvasElement, 'processing')
  },
}

/** Instant to a Visa debit card (Visa Direct), paid 5 seconds ago. */
export const InstantToCard: Story = {
  args: {
    journey: 'linked_with_card',
    destinationType: 'card',
    speed: 'card',
    pressedSecondsAgo: 5,
  },
  play: async ({ canvasElement, globals }) => {
    const { m, fill, money } = say(globals)
    await shows(canvasElement, 'succeeded')
    await says(
      canvasElement,
      fill(m.withdrawSucceeded, { amount: money(100_00), speed: m.speed_card }),
    )
  },
}

/** A UK account: pounds by Faster Payments, ready to pay. */
export const UkInPounds: Story = {
  args: { journey: 'iban_gbp', currency: 'GBP', speed: 'iban' },
  play: async ({ canvasElement, globals }) => {
    const { m, fill, money } = say(globals)
    await shows(canvasElement, 'ready')
    await expect(button(canvasElement)).toHaveTextContent(
      fill(m.withdraw, { amount: money(100_00, 'GBP') }),
    )
  },
}

/** A bank account with Coinflow's sandbox holder name `suspended`: accepted, then failed. */
export const Failed: Story = {
  args: { journey: 'linked_failing', pressedSecondsAgo: 5 },
  play: async ({ canvasElement, globals }) => {
    await shows(canvasElement, 'failed')
    await expect(button(canvasElement)).toHaveTextContent(say(globals).m.withdrawAgain)
  },
}

/**
 * The host's ledger refused it (a $50.00 balance it does not report ahead), with the host's own
 * reason.
 */
export const RefusedByTheHost: Story = {
  args: { balanceCents: 50_00, tellsBalance: false, pressedSecondsAgo: 0 },
  play: async ({ canvasElement }) => {
    // The host's words, in the host's language: the sandbox's ledger says this.
    await explains(canvasElement, 'Your balance is too low.')
    await shows(canvasElement, 'error')
  },
}

/** Not verified yet: pressing the button says to verify first (the story presses it). */
export const NotVerified: Story = {
  args: { journey: 'new' },
  play: async ({ canvasElement, globals }) => {
    const { m } = say(globals)
    await shows(canvasElement, 'needs_destination')
    await userEvent.click(button(canvasElement))
    await explains(canvasElement, m.error_kyc_required)
  },
}

/** Presses "Link a payout account" and waits for Coinflow's page in the kit's dialog. */
async function openLinkDialog(canvas: HTMLElement, m: ShareflowLanguage) {
  await shows(canvas, 'needs_destination')
  await userEvent.click(button(canvas))
  const dialog = await within(document.body).findByRole(
    'dialog',
    { name: m.frameHeading },
    { timeout: 10_000 },
  )
  const frame = (await within(dialog).findByTitle(m.frameTitle)) as HTMLIFrameElement
  return { dialog, frame }
}

/** Opens Coinflow's hosted page in the kit's own frame, answered by the emulator. */
export const LinkingAnAccount: Story = {
  args: { journey: 'verified' },
  play: async ({ canvasElement, globals }) => {
    const { dialog } = await openLinkDialog(canvasElement, say(globals).m)
    await expect(dialog).toBeVisible()
  },
}

/**
 * Coinflow could not link the account entered on its page (the emulator's ineligible sandbox card,
 * expiry 01/25): the dialog says so and stays open on Coinflow's page, to try another.
 */
export const AccountCouldNotBeLinked: Story = {
  args: { journey: 'verified' },
  play: async ({ canvasElement, globals }) => {
    const { m } = say(globals)
    const { dialog, frame } = await openLinkDialog(canvasElement, m)
    // Coinflow's page (the emulator's, on this origin in Storybook), filled in as a person does.
    const card = await waitFor(
      () => {
        const form = frame.contentDocument?.querySelector<HTMLElement>('[data-kind="card"]')
        expect(form).toBeTruthy()
        return form!
      },
      { timeout: 10_000 },
    )
    await userEvent.click(within(card).getByText('Debit card'))
    const fields = {
      cardNumber: '4169050000000004',
      expMonth: '01',
      expYear: '25',
      nameOnCard: 'Robin Doe',
      address1: '1 Main St',
      city: 'Springfield',
      state: 'IL',
      zip: '62701',
    }
    for (const [name, value] of Object.entries(fields)) {
      const field = card.querySelector<HTMLInputElement>(`#${name}`)
      if (field) await userEvent.type(field, value)
    }
    await userEvent.click(card.querySelector('button[type="submit"]')!)
    await waitFor(
      () => expect(within(dialog).getByRole('alert')).toHaveTextContent(m.frameLinkFailedCard),
      {
        timeout: 10_000,
      },
    )
    await expect(dialog).toBeVisible()
  },
}

export const German: Story = {
  globals: { locale: 'de-DE' },
  play: async ({ canvasElement }) => {
    await within(canvasElement).findByRole('button', { name: /100,00\s\$ auszahlen/ })
  },
}

export const Dark: Story = {
  args: { pressedSecondsAgo: 5 },
  globals: { theme: 'dark' },
  play: async ({ canvasElement }) => {
    await shows(canvasElement, 'succeeded')
    await expect(canvasElement.querySelector('.sf-withdraw')).toHaveAttribute('data-theme', 'dark')
  },
}

export const Phone: Story = {
  globals: { viewport: { value: 'mobile1', isRotated: false } },
  play: async ({ canvasElement }) => {
    await shows(canvasElement, 'ready')
  },
}
