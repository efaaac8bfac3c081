import type { Meta, StoryObj } from '@storybook/react-vite'
import { expect, userEvent, waitFor, within } from 'storybook/test'
import { CashOutPanel } from '../sandbox/cash-out'
import type { KitSandbox } from '../sandbox/sandbox'
import { say, scenarioArgTypes, scenarioDefaults, type ScenarioArgs } from '../sandbox/stories'
import { KycShareGate } from './kyc-share-gate/kyc-share-gate'

/** The three components as a host wires them: a cash-out panel behind the identity gate. */
function CashOut() {
  return (
    <KycShareGate>
      <CashOutPanel />
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
function enter(document: Document, label: string, value: string) {
  const input = [...document.querySelectorAll('label')].find((l) => l.textContent === label)
    ?.control as HTMLInputElement
  input.value = value
}

export const UnverifiedToPaidOut: Story = {
  play: async ({ canvasElement, loaded, step, globals }) => {
    const sandbox = loaded.sandbox as KitSandbox
    const { m, fill, money, named } = say(globals)
    const canvas = within(canvasElement)
    const page = within(document.body)

    await step('Verify with Persona', async () => {
      // The start screen's body and action load with their chunk: on a busy machine, seconds.
      await userEvent.click(
        await canvas.findByRole('button', { name: m.gateStartAction }, { timeout: 10_000 }),
      )
      await canvas.findByRole('heading', { name: m.gateInProgressTitle })
      // The person finishes Persona's flow in the other tab.
      await sandbox.completeInquiry()
    })

    await step('Shared with Coinflow, approved live', async () => {
      await canvas.findByRole('heading', { name: m.gatePendingTitle }, { timeout: 10_000 })
      await canvas.findByText(m.quoteNoDestination, { selector: 'p' }, { timeout: 15_000 })
    })

    await step('Link a bank account on Coinflow’s page', async () => {
      await userEvent.click(canvas.getByRole('button', { name: m.withdrawLink }))
      const frame = (await page.findByTitle(m.frameTitle)) as HTMLIFrameElement
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
      // Coinflow's page (the emulator's) is in English whatever the kit's language.
      const doc = frame.contentDocument!
      enter(doc, 'Routing number', '011401533')
      enter(doc, 'Account number', '000123456789')
      enter(doc, 'Account holder first name', 'Robin')
      form.requestSubmit()
      await waitFor(() => expect(page.queryByRole('dialog')).toBeNull(), { timeout: 10_000 })
    })

    await step('Pick a speed and withdraw', async () => {
      await userEvent.click(
        await canvas.findByRole('radio', { name: m.speed_asap }, { timeout: 10_000 }),
      )
      const withdraw = canvas.getByRole('button', {
        name: named(fill(m.withdraw, { amount: money(40_00) })),
      })
      await waitFor(() => expect(withdraw).toHaveAttribute('aria-disabled', 'false'))
      await userEvent.click(withdraw)
      await canvas.findByText(
        fill(m.withdrawSucceeded, { amount: money(40_00), speed: m.speed_asap }),
        { selector: '.sf-status' },
        { timeout: 15_000 },
      )
      await expect(sandbox.balance()).toBe(2_500_00 - 40_00)
    })
  },
}

/** The same cash-out panel, approved with a bank account, in the dark theme on a dark page. */
export const Dark: Story = {
  args: { journey: 'linked' },
  globals: { theme: 'dark' },
  play: async ({ canvasElement, globals }) => {
    await within(canvasElement).findByRole(
      'radio',
      { name: say(globals).m.speed_asap },
      { timeout: 10_000 },
    )
    await expect(canvasElement.querySelector('.story-surface')).toHaveAttribute(
      'data-theme',
      'dark',
    )
  },
}

/** The same cash-out panel on a small phone (320 px wide), as the toolbar's viewport shows it. */
export const Phone: Story = {
  args: { journey: 'linked' },
  globals: { viewport: { value: 'mobile1', isRotated: false } },
  play: async ({ canvasElement, globals }) => {
    const { m, fill, money, named } = say(globals)
    const canvas = within(canvasElement)
    await canvas.findByRole('radio', { name: m.speed_asap }, { timeout: 10_000 })
    await expect(
      canvas.getByRole('button', { name: named(fill(m.withdraw, { amount: money(40_00) })) }),
    ).toBeVisible()
  },
}
