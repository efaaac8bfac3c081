import type { Meta, StoryObj } from '@storybook/react-vite'
import { expect, within } from 'storybook/test'
import {
  componentArgs,
  say,
  scenarioArgTypes,
  scenarioDefaults,
  waitForState,
  type ScenarioArgs,
  type AmountArgs,
} from '../../sandbox/stories'
import type { Speed } from '@shareflow/contract'
import { historyEn } from './messages'
import { PayoutHistory, type PayoutHistoryProps } from './payout-history'

type Args = PayoutHistoryProps & ScenarioArgs & AmountArgs & { speed?: Speed }

const meta = {
  title: 'Components/PayoutHistory',
  component: PayoutHistory,
  // A payout of $100.00 by instant transfer, pressed before the story opens.
  args: { ...scenarioDefaults, journey: 'linked', amountCents: 100_00, speed: 'asap' },
  argTypes: { ...scenarioArgTypes },
  render: (args) => <PayoutHistory {...componentArgs(args)} />,
} satisfies Meta<Args>

export default meta
type Story = StoryObj<typeof meta>

const row = async (canvas: HTMLElement) =>
  (await within(canvas).findAllByRole('listitem', {}, { timeout: 10_000 }))[0]!

/** Nothing paid out yet. */
export const Empty: Story = {
  play: async ({ canvasElement, globals }) => {
    await waitForState(canvasElement, '.sf-history', 'empty')
    const m = { ...historyEn, ...say(globals).m }
    await expect(within(canvasElement).getByText(m.historyEmpty)).toBeVisible()
  },
}

/** Pressed a moment ago: on its way. */
export const OnItsWay: Story = {
  args: { pressedSecondsAgo: 0 },
  play: async ({ canvasElement }) => {
    await waitForState(canvasElement, '.sf-history', 'ready')
    await expect((await row(canvasElement)).dataset.state).toBe('processing')
  },
}

/** Settled: paid out. */
export const PaidOut: Story = {
  args: { pressedSecondsAgo: 5 },
  play: async ({ canvasElement }) => {
    await waitForState(canvasElement, '.sf-history', 'ready')
    await expect((await row(canvasElement)).dataset.state).toBe('succeeded')
  },
}

/** Coinflow failed it after the debit: the reason says the amount came back. */
export const Failed: Story = {
  args: { journey: 'linked_failing', pressedSecondsAgo: 5 },
  play: async ({ canvasElement }) => {
    await waitForState(canvasElement, '.sf-history', 'ready')
    await expect((await row(canvasElement)).dataset.state).toBe('failed')
  },
}

/** The host refused it (a $50.00 balance it does not report ahead): nothing was taken. */
export const NotSent: Story = {
  args: { balanceCents: 50_00, tellsBalance: false, pressedSecondsAgo: 0 },
  play: async ({ canvasElement }) => {
    await waitForState(canvasElement, '.sf-history', 'ready')
    await expect((await row(canvasElement)).dataset.state).toBe('refused')
  },
}
