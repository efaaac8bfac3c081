import type { Meta, StoryObj } from '@storybook/react-vite'
import { expect, userEvent, waitFor, within } from 'storybook/test'
import {
  componentArgs,
  scenarioArgTypes,
  scenarioDefaults,
  type ScenarioArgs,
} from '../../sandbox/stories'
import { KycShareGate, type KycShareGateProps } from './kyc-share-gate'
import { createPersonaEmbeddedFlow } from './persona-embed'

type Args = KycShareGateProps & ScenarioArgs

const usage = `
Persona's flow in Persona's own modal on the page, with Persona's official \`persona\` SDK (loaded the
first time a user starts verifying), instead of a new tab. Here the SDK frames the emulator's page,
served at this Storybook's origin.

\`\`\`tsx
import { createPersonaEmbeddedFlow } from '@shareflow/react/persona'

const openInquiry = createPersonaEmbeddedFlow()

<KycShareGate openInquiry={openInquiry}>
  <CashOut />
</KycShareGate>
\`\`\`

The page's Content-Security-Policy needs \`frame-src https://inquiry.withpersona.com\`.
`

// The SDK's `host`: this origin, where the emulator's hosted pages answer (a service worker).
const openInquiry =
  typeof location === 'undefined' ? undefined : createPersonaEmbeddedFlow({ host: location.host })

const meta = {
  title: 'Components/KycShareGate/Persona modal',
  component: KycShareGate,
  args: { ...scenarioDefaults, journey: 'new' },
  argTypes: scenarioArgTypes,
  render: (args) => (
    <KycShareGate {...componentArgs(args)} openInquiry={openInquiry}>
      <p>Verified: the cash-out panel shows here.</p>
    </KycShareGate>
  ),
  parameters: { docs: { description: { component: usage } } },
  // Persona's SDK never shows its modal under the visual check's fake clock (found by trying:
  // with the page's real clock it does); the storybook project still asserts the open modal.
  tags: ['no-visual'],
} satisfies Meta<Args>

export default meta
type Story = StoryObj<typeof meta>

/** Start verification pressed: Persona's modal shows the emulated flow, the gate waits behind it. */
export const ModalOpen: Story = {
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement)
    await userEvent.click(
      await canvas.findByRole('button', { name: /Start verification|Verifizierung starten/ }),
    )
    // The SDK's overlay is a child of <body>, outside the story's canvas.
    const frame = await waitFor(
      () => {
        const found = document.querySelector<HTMLIFrameElement>('iframe.persona-widget__iframe')
        expect(found?.contentDocument?.querySelector('#name-first')).toBeTruthy()
        return found!
      },
      { timeout: 10_000 },
    )
    // The SDK shows its frame once the page inside says it is ready: slower on a busy machine.
    await waitFor(() => expect(frame).toBeVisible(), { timeout: 10_000 })
    await waitFor(() => expect(frame.ownerDocument.activeElement).toBe(frame), { timeout: 10_000 })
  },
}
