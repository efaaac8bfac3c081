import type { Meta, StoryObj } from '@storybook/react-vite'
import { expect, userEvent, waitFor, within } from 'storybook/test'
import type { KitSandbox } from '../../sandbox/sandbox'
import {
  componentArgs,
  scenarioArgTypes,
  scenarioDefaults,
  type ScenarioArgs,
} from '../../sandbox/stories'
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

const heading = (canvas: HTMLElement, name: string | RegExp) =>
  within(canvas).findByRole('heading', { name }, { timeout: 10_000 })

export const Verified: Story = {
  args: { journey: 'verified' },
  play: async ({ canvasElement }) => {
    await expect(await within(canvasElement).findByText(/cash-out panel/)).toBeVisible()
  },
}

export const Loading: Story = {
  args: { journey: 'new', latencyMs: 60_000 },
  play: async ({ canvasElement }) => {
    await expect(await heading(canvasElement, 'Checking your verification…')).toBeVisible()
  },
}

export const StartVerification: Story = {
  args: { journey: 'new' },
  play: async ({ canvasElement }) => {
    await heading(canvasElement, 'Verify your identity')
    await expect(
      within(canvasElement).getByRole('button', { name: 'Start verification' }),
    ).toBeEnabled()
  },
}

export const Opening: Story = {
  args: { journey: 'new', openInquiry: () => {} },
  play: async ({ canvasElement, loaded }) => {
    await heading(canvasElement, 'Verify your identity')
    ;(loaded.sandbox as KitSandbox).emulator.world.faults.persona.latencyMs = 60_000
    await userEvent.click(within(canvasElement).getByRole('button', { name: 'Start verification' }))
    await expect(await within(canvasElement).findByText('Opening Persona…')).toBeVisible()
  },
}

export const InProgress: Story = {
  args: { journey: 'in_progress' },
  play: async ({ canvasElement }) => {
    await heading(canvasElement, 'Finish verifying with Persona')
  },
}

/** The session answers at once; sharing with Coinflow is the slow part. */
export const Sharing: Story = {
  args: { journey: 'share', latencyMs: 60_000, slowAfterSession: true },
  play: async ({ canvasElement }) => {
    await heading(canvasElement, 'Sharing your verification with Coinflow')
  },
}

export const Pending: Story = {
  args: { journey: 'share', shareReviewMs: 600_000 },
  play: async ({ canvasElement }) => {
    await heading(canvasElement, 'Coinflow is checking your details')
  },
}

/** Coinflow approves 3 seconds later; its webhook reaches the page over the event stream. */
export const PendingThenApprovedLive: Story = {
  args: { journey: 'share', shareReviewMs: 3_000 },
  play: async ({ canvasElement }) => {
    await heading(canvasElement, 'Coinflow is checking your details')
    await expect(
      await within(canvasElement).findByText(/cash-out panel/, undefined, { timeout: 10_000 }),
    ).toBeVisible()
  },
}

export const NeedsMoreInfo: Story = {
  args: { journey: 'needs_more_info', recheckMs: 1_000 },
  play: async ({ canvasElement }) => {
    await heading(canvasElement, 'Coinflow needs a few more details')
    await expect(
      within(canvasElement).getByRole('link', { name: /Continue with Coinflow/ }),
    ).toHaveAttribute('target', '_blank')
  },
}

export const Rejected: Story = {
  args: { journey: 'rejected' },
  play: async ({ canvasElement }) => {
    await heading(canvasElement, 'We could not verify your identity')
  },
}

export const Expired: Story = {
  args: { journey: 'expired' },
  play: async ({ canvasElement }) => {
    await heading(canvasElement, 'Your verification expired')
  },
}

export const Error: Story = {
  args: { journey: 'new', personaDown: true, noRetry: true },
  play: async ({ canvasElement, loaded }) => {
    await heading(canvasElement, 'Something went wrong')
    await expect(within(canvasElement).getByText(/^Reference: req_/)).toBeVisible()
    ;(loaded.sandbox as KitSandbox).emulator.world.faults.persona.errorRate = 0
    await userEvent.click(within(canvasElement).getByRole('button', { name: 'Try again' }))
    await heading(canvasElement, 'Verify your identity')
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
    await heading(canvasElement, 'Bestätige deine Identität')
  },
}

export const Dark: Story = {
  args: { journey: 'needs_more_info', recheckMs: 1_000 },
  globals: { theme: 'dark' },
  play: async ({ canvasElement }) => {
    await heading(canvasElement, 'Coinflow needs a few more details')
    await waitFor(() =>
      expect(canvasElement.querySelector('.sf-gate')?.getAttribute('data-theme')).toBe('dark'),
    )
  },
}
