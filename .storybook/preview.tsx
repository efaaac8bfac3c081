import type { Decorator, Loader, Preview } from '@storybook/react-vite'
import { QueryClient } from '@tanstack/react-query'
import { serveHostedPagesFromWorker } from '../packages/react/sandbox/hosted-worker'
import { createKitSandbox, type KitSandbox } from '../packages/react/sandbox/sandbox'
import type { ScenarioArgs } from '../packages/react/sandbox/stories'
import { de } from '../packages/react/src/locales/de'
import { ShareflowProvider } from '../packages/react/src/provider'
import '../packages/react/src/styles.css'
import './preview.css'

let previous: KitSandbox | undefined

/** A fresh BFF + emulator per story, its user placed where the story's journey starts. */
const sandboxLoader: Loader = async ({ args }) => {
  const scenario = args as Partial<ScenarioArgs>
  previous?.close()
  const sandbox = await createKitSandbox({
    journey: scenario.journey ?? 'verified',
    balanceCents: scenario.balanceCents,
    shareReviewMs: scenario.shareReviewMs,
    quoteValidForMs: scenario.quoteValidForMs,
    hostedOrigin: location.origin,
    recheckAfterMs: scenario.slowAfterSession ? 600_000 : 0,
  })
  previous = sandbox
  if (scenario.slowAfterSession) await sandbox.client.getSession()
  // Faults switch on after the user is seeded, so seeding itself never fails.
  const { faults } = sandbox.emulator.world
  faults.persona.latencyMs = faults.coinflow.latencyMs = scenario.latencyMs ?? 0
  faults.persona.errorRate = scenario.personaDown ? 1 : 0
  faults.coinflow.errorRate = scenario.coinflowDown ? 1 : 0
  await serveHostedPagesFromWorker(sandbox)
  return { sandbox }
}

const withKit: Decorator = (Story, { loaded, globals, args }) => {
  const { sandbox } = loaded as { sandbox: KitSandbox }
  const theme = globals.theme === 'dark' ? 'dark' : 'light'
  const locale = String(globals.locale ?? 'en-US')
  const queryClient = (args as Partial<ScenarioArgs>).noRetry
    ? new QueryClient({ defaultOptions: { queries: { retry: false } } })
    : undefined
  return (
    <ShareflowProvider
      client={sandbox.client}
      queryClient={queryClient}
      locale={locale}
      messages={locale.startsWith('de') ? de : undefined}
      appearance={{ theme }}
    >
      <div className="story-surface" data-shareflow="" data-theme={theme}>
        <Story />
      </div>
    </ShareflowProvider>
  )
}

const preview: Preview = {
  loaders: [sandboxLoader],
  decorators: [withKit],
  globalTypes: {
    locale: {
      description: 'Language, money and dates',
      toolbar: {
        icon: 'globe',
        items: [
          { value: 'en-US', title: 'English (US)' },
          { value: 'de-DE', title: 'Deutsch' },
        ],
        dynamicTitle: true,
      },
    },
    theme: {
      description: 'Light or dark',
      toolbar: {
        icon: 'mirror',
        items: [
          { value: 'light', title: 'Light' },
          { value: 'dark', title: 'Dark' },
        ],
        dynamicTitle: true,
      },
    },
  },
  initialGlobals: { locale: 'en-US', theme: 'light' },
  parameters: {
    layout: 'padded',
    controls: { expanded: true },
    // Every story is checked with axe; a violation fails its test.
    a11y: { test: 'error' },
  },
  tags: ['autodocs'],
}

export default preview
