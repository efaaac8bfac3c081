import type { StorybookConfig } from '@storybook/react-vite'
import { shareflowSandbox } from '../packages/react/sandbox/vite-plugin.mjs'

/**
 * Every component of @shareflow/react in every state, each story running the real BFF and the
 * emulator of Persona and Coinflow inside the page (no keys, no network).
 */
const config: StorybookConfig = {
  stories: ['../packages/react/src/**/*.mdx', '../packages/react/src/**/*.stories.@(ts|tsx)'],
  addons: ['@storybook/addon-docs', '@storybook/addon-a11y', '@storybook/addon-vitest'],
  framework: { name: '@storybook/react-vite', options: {} },
  core: { disableTelemetry: true, disableWhatsNewNotifications: true },
  // Designers open the kit's stories, not Storybook's own setup guide.
  features: { sidebarOnboardingChecklist: false, menuOnboardingChecklist: false },
  viteFinal: (vite) => ({
    ...vite,
    // Workspace packages are read from their TypeScript sources, as in the tests.
    resolve: {
      ...vite.resolve,
      conditions: ['@shareflow/source', 'module', 'browser', 'development|production'],
    },
    plugins: [...(vite.plugins ?? []), shareflowSandbox()],
    build: {
      ...vite.build,
      // The preview page carries the BFF, the emulator and axe: about 1.5 MB, loaded once.
      chunkSizeWarningLimit: 2_000,
      rolldownOptions: {
        ...vite.build?.rolldownOptions,
        // React Query's "use client" marks mean nothing in a page that renders only in the
        // browser; every other warning still shows.
        onwarn(warning, warn) {
          if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning)
        },
      },
    },
  }),
}

export default config
