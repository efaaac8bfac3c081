import type { Decorator, Loader, Preview } from '@storybook/react-vite'
import { QueryClient } from '@tanstack/react-query'
import { serveHostedPagesFromWorker } from '../packages/react/sandbox/hosted-worker'
import { createKitSandbox, type KitSandbox } from '../packages/react/sandbox/sandbox'
import {
  pressWithdraw,
  storyDestination,
  storyVariables,
  type ScenarioArgs,
} from '../packages/react/sandbox/stories'
import { de } from '../packages/react/src/locales/de'
import { ShareflowProvider } from '../packages/react/src/provider'
import { sessionQuery } from '../packages/react/src/queries'
import '../packages/react/src/styles.css'
import './preview.css'

/** The sandbox each rendered story runs on, by story id: a Docs page shows many at once. */
const running = new Map<string, KitSandbox>()

/**
 * A fresh BFF + emulator per story, its user placed where the story's journey starts. Storybook
 * runs loaders again whenever a control changes, so a changed scenario is a new world at once.
 */
const sandboxLoader: Loader = async ({ args, id, viewMode }) => {
  const scenario = args as Partial<ScenarioArgs>
  running.get(id)?.close()
  running.delete(id)
  // The canvas shows one story at a time: the emulators of the others stop.
  if (viewMode === 'story') {
    for (const sandbox of running.values()) sandbox.close()
    running.clear()
  }
  const sandbox = await createKitSandbox({
    journey: scenario.journey ?? 'verified',
    balanceCents: scenario.balanceCents,
    tellsBalance: scenario.tellsBalance,
    shareReviewMs: scenario.shareReviewMs,
    quoteValidForMs: scenario.quoteValidForMs,
    hostedOrigin: location.origin,
    recheckAfterMs: scenario.slowAfterSession ? 600_000 : 0,
    requestsPerMinute: scenario.requestsPerMinute,
  })
  running.set(id, sandbox)
  if (scenario.slowAfterSession) await sandbox.client.getSession()
  const destinationId = await storyDestination(sandbox, scenario)
  const storage = await pressWithdraw(sandbox, args)
  // The kit's own cache unless the story needs another: errors at once, or (after a press) the
  // session already read, as on a page reloaded after it, so the button starts from the payout.
  let queryClient: QueryClient | undefined
  if (scenario.noRetry || storage) {
    queryClient = new QueryClient({
      defaultOptions: { queries: { retry: scenario.noRetry ? false : undefined } },
    })
    if (storage) await queryClient.prefetchQuery(sessionQuery(sandbox.client))
  }
  // Faults switch on after the user is seeded, so seeding itself never fails.
  const { faults } = sandbox.emulator.world
  faults.persona.latencyMs = faults.coinflow.latencyMs = scenario.latencyMs ?? 0
  faults.persona.errorRate = scenario.personaDown ? 1 : 0
  faults.coinflow.errorRate = scenario.coinflowDown ? 1 : 0
  if (scenario.coinflowDownAfterMs !== undefined) {
    setTimeout(() => (faults.coinflow.errorRate = 1), scenario.coinflowDownAfterMs)
  }
  await serveHostedPagesFromWorker(sandbox)
  return { sandbox, storage, queryClient, destinationId }
}

const withKit: Decorator = (Story, { loaded, globals, args }) => {
  const { sandbox, queryClient } = loaded as { sandbox: KitSandbox; queryClient?: QueryClient }
  const theme = globals.theme === 'dark' ? 'dark' : 'light'
  const locale = String(globals.locale ?? 'en-US')
  return (
    // A new sandbox (a changed control) is a new user: the kit starts over on it.
    <ShareflowProvider
      key={sandbox.user.id}
      client={sandbox.client}
      queryClient={queryClient}
      locale={locale}
      messages={locale.startsWith('de') ? de : undefined}
      appearance={{ theme, variables: storyVariables(args) }}
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
    // The story's own surface pads it, in the theme's background.
    layout: 'fullscreen',
    controls: { expanded: true },
    // A designer's reading order: what the kit is, its look, then the journey and each part.
    options: {
      storySort: {
        order: ['Introduction', 'Theming', 'Accessibility & languages', 'Journeys', 'Components'],
      },
    },
    // Every story is checked with axe; a violation fails its test.
    a11y: { test: 'error' },
  },
  tags: ['autodocs'],
}

export default preview
