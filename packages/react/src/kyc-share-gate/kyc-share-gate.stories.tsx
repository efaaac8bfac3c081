import type { Meta, StoryObj } from '@storybook/react-vite'
import { expect, userEvent, waitFor, within } from 'storybook/test'
import type { KitSandbox } from '../../sandbox/sandbox'
import {
  componentArgs,
  say,
  scenarioArgTypes,
  scenarioDefaults,
  waitForState,
  type ScenarioArgs,
} from '../../sandbox/stories'
import type { KycGateState } from './gate-state'
import { KycShareGate, type KycShareGateProps } from './kyc-share-gate'

type Args = KycShareGateProps & ScenarioArgs

const usage = `
Wrap whatever only verified users may see. The gate reads the session in one round trip, walks the
user through Persona, registers them with Coinflow by sharing that verification, and updates live
from the BFF's event stream.

\`\`\`tsx
import { KycShareGate, ShareflowProvider } from '@shareflow/react'
import '@shareflow/react/styles.css'

<ShareflowProvider baseUrl="/api/shareflow">
  <KycShareGate onVerified={() => track('kyc_verified')} headingLevel={3}>
    <CashOut />
  </KycShareGate>
</ShareflowProvider>
\`\`\`

Replace any screen with \`fallback={{ start: (gate) => <MyStart onClick={gate.startVerification} /> }}\`,
or build your own from \`useKycShareGate()\`.
`

const meta = {
  title: 'Components/KycShareGate',
  component: KycShareGate,
  args: { ...scenarioDefaults, journey: 'new' },
  argTypes: scenarioArgTypes,
  render: (args) => (
    <KycShareGate {...componentArgs(args)}>
      <p>Verified: the cash-out panel shows here.</p>
    </KycShareGate>
  ),
  parameters: { docs: { description: { component: usage } } },
} satisfies Meta<Args>

export default meta
type Story = StoryObj<typeof meta>

const heading = (canvas: HTMLElement, name: string) =>
  within(canvas).findByRole('heading', { name }, { timeout: 10_000 })
/**
 * Waits until the gate is in `state` (its `data-state`), as any language shows it, and past
 * `loading` until its screen's chunk has drawn the body or action: the Docs page and the visual
 * check show the whole screen, never the spinner the chunk's first load shows for a moment.
 */
const shows = async (canvas: HTMLElement, state: KycGateState) => {
  await waitForState(canvas, '.sf-gate', state)
  if (state === 'loading') return
  await waitFor(
    () => expect(canvas.querySelector('.sf-gate .sf-screen :is(p, button, a)')).not.toBeNull(),
    { timeout: 10_000 },
  )
}

export const Verified: Story = {
  args: { journey: 'verified' },
  play: async ({ canvasElement }) => {
    // Approved, the gate is only its children (the story's own line).
    await expect(await within(canvasElement).findByText(/cash-out panel/)).toBeVisible()
  },
}

export const Loading: Story = {
  args: { journey: 'new', latencyMs: 60_000 },
  play: async ({ canvasElement, globals }) => {
    await shows(canvasElement, 'loading')
    await expect(await heading(canvasElement, say(globals).m.gateLoading)).toBeVisible()
  },
}

export const StartVerification: Story = {
  args: { journey: 'new' },
  play: async ({ canvasElement, globals }) => {
    const { m } = say(globals)
    await shows(canvasElement, 'start')
    await heading(canvasElement, m.gateStartTitle)
    // The screen's body and action load with their chunk the first time a user needs one.
    await expect(
      await within(canvasElement).findByRole('button', { name: m.gateStartAction }),
    ).toBeEnabled()
  },
}

/** Reached by pressing Start verification while Persona is slow (the click is the state). */
export const Opening: Story = {
  args: { journey: 'new', openInquiry: () => {} },
  play: async ({ canvasElement, loaded, globals }) => {
    const { m } = say(globals)
    await shows(canvasElement, 'start')
    ;(loaded.sandbox as KitSandbox).emulator.world.faults.persona.latencyMs = 60_000
    await userEvent.click(
      await within(canvasElement).findByRole('button', { name: m.gateStartAction }),
    )
    await shows(canvasElement, 'opening')
    await expect(within(canvasElement).getByText(m.gateOpening)).toBeVisible()
  },
}

export const InProgress: Story = {
  args: { journey: 'in_progress' },
  play: async ({ canvasElement, globals }) => {
    await shows(canvasElement, 'in_progress')
    await heading(canvasElement, say(globals).m.gateInProgressTitle)
  },
}

/**
 * The user pressed Start verification, then closed Persona's tab before finishing (after pressing
 * Exit in its flow, say): the gate says so and takes them back. The play closes the window the
 * click opened, as the user does.
 */
export const LeftPersona: Story = {
  args: { journey: 'new' },
  play: async ({ canvasElement, globals }) => {
    const { m } = say(globals)
    const open = window.open
    let opened: Window | null = null
    window.open = (...args) => (opened = open.apply(window, args))
    try {
      await userEvent.click(
        await within(canvasElement).findByRole('button', { name: m.gateStartAction }),
      )
      await within(canvasElement).findByText(m.gateInProgressBody)
    } finally {
      window.open = open
    }
    ;(opened as Window | null)?.close()
    await expect(
      await within(canvasElement).findByText(m.gateLeftBody, undefined, { timeout: 5_000 }),
    ).toBeVisible()
    await expect(
      within(canvasElement).getByRole('button', { name: m.gateContinueAction }),
    ).toBeEnabled()
  },
}

/** The browser blocked Persona's window: a link (which no blocker stops) opens it instead. */
export const PopupBlocked: Story = {
  args: { journey: 'new' },
  play: async ({ canvasElement, globals }) => {
    const { m } = say(globals)
    const open = window.open
    // What a popup blocker answers.
    window.open = () => null
    try {
      await userEvent.click(
        await within(canvasElement).findByRole('button', { name: m.gateStartAction }),
      )
      await within(canvasElement).findByText(m.gateBlockedBody)
    } finally {
      window.open = open
    }
    await expect(
      within(canvasElement).getByRole('link', { name: new RegExp(m.gateBlockedAction) }),
    ).toHaveAttribute('target', '_blank')
  },
}

/** The session answers at once; sharing with Coinflow is the slow part. */
export const Sharing: Story = {
  args: { journey: 'share', latencyMs: 60_000, slowAfterSession: true },
  play: async ({ canvasElement, globals }) => {
    await shows(canvasElement, 'sharing')
    await heading(canvasElement, say(globals).m.gateSharingTitle)
  },
}

export const Pending: Story = {
  args: { journey: 'share', shareReviewMs: 600_000 },
  play: async ({ canvasElement, globals }) => {
    await shows(canvasElement, 'pending')
    await heading(canvasElement, say(globals).m.gatePendingTitle)
  },
}

/** Coinflow approves 3 seconds later; its webhook reaches the page over the event stream. */
export const PendingThenApprovedLive: Story = {
  args: { journey: 'share', shareReviewMs: 3_000 },
  play: async ({ canvasElement }) => {
    await shows(canvasElement, 'pending')
    // Approved, the gate is only its children (the story's own line).
    await expect(
      await within(canvasElement).findByText(/cash-out panel/, undefined, { timeout: 10_000 }),
    ).toBeVisible()
  },
}

export const NeedsMoreInfo: Story = {
  args: { journey: 'needs_more_info', recheckMs: 1_000 },
  play: async ({ canvasElement, globals }) => {
    const { m } = say(globals)
    await shows(canvasElement, 'needs_more_info')
    await heading(canvasElement, m.gateMoreInfoTitle)
    await expect(
      await within(canvasElement).findByRole('link', { name: new RegExp(m.gateMoreInfoAction) }),
    ).toHaveAttribute('target', '_blank')
  },
}

export const Rejected: Story = {
  args: { journey: 'rejected' },
  play: async ({ canvasElement, globals }) => {
    await shows(canvasElement, 'rejected')
    await heading(canvasElement, say(globals).m.gateRejectedTitle)
  },
}

/** With the host's `supportUrl`, the declined user has somewhere to go. */
export const RejectedWithSupport: Story = {
  args: { journey: 'rejected', supportUrl: 'https://example.com/support' },
  play: async ({ canvasElement, globals }) => {
    const { m } = say(globals)
    await shows(canvasElement, 'rejected')
    await expect(
      await within(canvasElement).findByRole('link', { name: m.gateSupportAction }),
    ).toHaveAttribute('href', 'https://example.com/support')
    await expect(await within(canvasElement).findByText(m.reason_coinflow_rejected)).toBeVisible()
  },
}

export const Expired: Story = {
  args: { journey: 'expired' },
  play: async ({ canvasElement, globals }) => {
    await shows(canvasElement, 'expired')
    await heading(canvasElement, say(globals).m.gateExpiredTitle)
  },
}

/** Persona is down: the error stays, with the reference support asks for. */
export const Error: Story = {
  args: { journey: 'new', personaDown: true, noRetry: true },
  play: async ({ canvasElement, globals }) => {
    const { m } = say(globals)
    await shows(canvasElement, 'error')
    await heading(canvasElement, m.errorTitle)
    await expect(await within(canvasElement).findByText(/req_/)).toBeVisible()
  },
}

/** The same, and Persona is back when the user presses Try again. */
export const RecoversOnRetry: Story = {
  args: { journey: 'new', personaDown: true, noRetry: true },
  play: async ({ canvasElement, loaded, globals }) => {
    const { m } = say(globals)
    await shows(canvasElement, 'error')
    ;(loaded.sandbox as KitSandbox).emulator.world.faults.persona.errorRate = 0
    await userEvent.click(await within(canvasElement).findByRole('button', { name: m.retry }))
    await shows(canvasElement, 'start')
  },
}

export const OwnStartScreen: Story = {
  args: {
    journey: 'new',
    fallback: {
      start: (gate) => (
        <button type="button" className="sf-button" onClick={gate.startVerification}>
          Prove it’s you in two minutes
        </button>
      ),
    },
  },
  play: async ({ canvasElement }) => {
    await within(canvasElement).findByRole('button', { name: 'Prove it’s you in two minutes' })
  },
}

export const German: Story = {
  args: { journey: 'new' },
  globals: { locale: 'de-DE' },
  play: async ({ canvasElement }) => {
    await shows(canvasElement, 'start')
    await heading(canvasElement, 'Bestätige deine Identität')
  },
}

export const Dark: Story = {
  args: { journey: 'needs_more_info', recheckMs: 1_000 },
  globals: { theme: 'dark' },
  play: async ({ canvasElement }) => {
    await shows(canvasElement, 'needs_more_info')
    await expect(canvasElement.querySelector('.sf-gate')).toHaveAttribute('data-theme', 'dark')
  },
}

export const Phone: Story = {
  args: { journey: 'new' },
  globals: { viewport: { value: 'mobile1', isRotated: false } },
  play: async ({ canvasElement }) => {
    await shows(canvasElement, 'start')
  },
}
